// Removes attachment bytes nobody may read any more: those of attachments erased with their conversation (privacy
// erasure, retention: noted by a trigger in the deleting transaction), and those whose row never committed (the
// process died between storing the bytes and the row). The database is the truth; the object store follows it.
import type { Clock } from '../../platform/clock.ts';
import type { AttachmentBlobs } from './attachment-blobs.ts';
import type { AttachmentStore } from './attachment-store.ts';

export interface AttachmentErasureOptions {
  /** Keys handled per round. Range 1-10000; default 500. */
  batchSize: number;
  /** Stored keys looked at per sweep. Range 1-1000000; default 100000. */
  maxSweep: number;
  /** Bytes without a row this old are an upload that died, not one still being written. Range 1 min-1 day; default 1 h. */
  orphanAgeMs: number;
}

export const defaultAttachmentErasureOptions: AttachmentErasureOptions = { batchSize: 500, maxSweep: 100_000, orphanAgeMs: 3_600_000 };

export interface AttachmentErasureDeps {
  store: AttachmentStore;
  blobs: AttachmentBlobs;
  clock: Clock;
}

export interface AttachmentErasure {
  /** Removes the bytes of every erased attachment noted so far; how many. Safe to run on several nodes at once. */
  removeErased(): Promise<number>;
  /** Removes bytes that belong to no attachment and are older than orphanAgeMs; how many. */
  sweepOrphans(): Promise<number>;
}

export const AttachmentLogEvent = {
  erased: 'attachment.bytes_erased',
  eraseFailed: 'attachment.erase_failed',
  orphansRemoved: 'attachment.orphans_removed',
} as const;

export function createAttachmentErasure(deps: AttachmentErasureDeps, options: Partial<AttachmentErasureOptions> = {}): AttachmentErasure {
  const opts = { ...defaultAttachmentErasureOptions, ...options };
  const { store, blobs } = deps;
  let chain: Promise<unknown> = Promise.resolve();

  async function eraseAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const keys = await store.erased(opts.batchSize);
      if (keys.length === 0) return total;
      // Bytes first, then the note: a crash between the two repeats a harmless delete at the next run.
      await blobs.delete(keys);
      await store.forgetErased(keys);
      total += keys.length;
      if (keys.length < opts.batchSize) return total;
    }
  }

  return {
    removeErased() {
      // One run at a time in this process; a call during a run waits for it and then finds nothing left.
      const run = chain.then(eraseAll);
      chain = run.catch(() => undefined);
      return run;
    },

    async sweepOrphans() {
      if (!blobs.listOlderThan) return 0;
      const before = new Date(deps.clock().getTime() - opts.orphanAgeMs);
      const keys = await blobs.listOlderThan(before, opts.maxSweep);
      let removed = 0;
      for (let at = 0; at < keys.length; at += opts.batchSize) {
        const batch = keys.slice(at, at + opts.batchSize);
        const kept = await store.existing(batch);
        const orphans = batch.filter((k) => !kept.has(k));
        await blobs.delete(orphans);
        removed += orphans.length;
      }
      return removed;
    },
  };
}
