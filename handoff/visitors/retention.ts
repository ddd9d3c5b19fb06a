// Transcript retention: with RETENTION_DAYS set, conversations with no activity for that many days are erased
// once a day, whole (messages, their search index rows, tickets, ratings, transfers, attachments), as the privacy erasure
// does; each batch commits with an audit row that counts what went (never ids' contents or text). Off by
// default: an operator decides how long transcripts are kept (their own rules, the regulator's).
import type { Clock } from '../platform/clock.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { AuditAction, RETENTION_ACTOR, type AuditLog } from '../supervision/audit-log.ts';
import type { VisitorDeleteCounts, VisitorTranscripts } from './visitor-transcripts.ts';

export interface RetentionOptions {
  /** Days without activity after which a conversation is erased. Range 1-3650. */
  days: number;
  /** Conversations per transaction: a large first run does not hold the write lock for long. */
  batchSize: number;
  /** How often the job runs. Default once a day. */
  intervalMs: number;
}

export const defaultRetentionOptions: Omit<RetentionOptions, 'days'> = { batchSize: 200, intervalMs: 24 * 3_600_000 };

export interface RetentionDeps {
  transcripts: VisitorTranscripts;
  audit: AuditLog;
  unitOfWork: UnitOfWork;
  clock: Clock;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /**
   * Removes what the erased conversations left outside the database (attachment bytes in their object store),
   * after the erasure commits. A failure is logged; the next run or start removes it.
   */
  afterErase?: () => Promise<unknown>;
}

export interface Retention {
  /** Erases every conversation past the limit now; what went, summed over the batches. */
  runOnce(): Promise<VisitorDeleteCounts>;
  /** Runs now and then every interval (timers unref'd); returns the stop function. */
  start(): () => void;
}

export const RetentionLogEvent = { erased: 'privacy.retention_erased', failed: 'privacy.retention_failed' } as const;

const DAY_MS = 24 * 3_600_000;

export function createRetention(deps: RetentionDeps, options: Pick<RetentionOptions, 'days'> & Partial<RetentionOptions>): Retention {
  const opts: RetentionOptions = { ...defaultRetentionOptions, ...options };
  let running: Promise<VisitorDeleteCounts> | undefined;

  async function erase(): Promise<VisitorDeleteCounts> {
    const before = new Date(deps.clock().getTime() - opts.days * DAY_MS).toISOString();
    const total: VisitorDeleteCounts = { conversations: 0, messages: 0, tickets: 0, closures: 0, transfers: 0 };
    for (;;) {
      const counts = await deps.unitOfWork.withTransaction(async () => {
        const ids = await deps.transcripts.inactiveSince(before, opts.batchSize);
        if (ids.length === 0) return undefined;
        const deleted = await deps.transcripts.delete(ids);
        await deps.audit.record(RETENTION_ACTOR, AuditAction.transcriptsExpired, { type: 'conversations', id: null }, {
          ...deleted,
          retentionDays: opts.days,
          inactiveBefore: before,
        });
        return deleted;
      });
      if (!counts) break;
      for (const key of Object.keys(total) as Array<keyof VisitorDeleteCounts>) total[key] += counts[key];
    }
    if (total.conversations > 0) {
      await deps.afterErase?.().catch((err: unknown) => deps.log.warn({ event: RetentionLogEvent.failed, err }, 'retention: files of erased chats not removed yet (retried)'));
      await deps.transcripts.scrub();
      deps.log.info({ event: RetentionLogEvent.erased, ...total, retentionDays: opts.days }, 'transcripts past retention erased');
    }
    return total;
  }

  const retention: Retention = {
    runOnce() {
      // One run at a time: a slow run is not overlapped by the next tick.
      running ??= erase().finally(() => (running = undefined));
      return running;
    },
    start() {
      const tick = () => {
        retention.runOnce().catch((err: unknown) => deps.log.warn({ event: RetentionLogEvent.failed, err }, 'retention run failed'));
      };
      tick();
      const timer = setInterval(tick, opts.intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
  return retention;
}
