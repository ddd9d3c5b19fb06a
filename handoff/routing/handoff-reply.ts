// The handoff part of a reply to the visitor: waiting (place, wait), with an agent, or leave a message.
import type { Lang } from '../../knowledge/types.ts';
import { formatOpening } from './business-hours.ts';
import { handoffText, type Messages } from './handoff-texts.ts';
import type { Availability, EnqueueOutcome } from './routing.ts';

export interface HandoffReplyFields {
  text: string;
  /** Waiting for a person: 1-based place and estimated seconds. */
  queue?: { position: number; etaSeconds: number };
  /** A person has the chat already. */
  agent?: { displayName: string };
  /**
   * The visitor may leave a message (POST /api/conversations/:id/ticket): outside hours instead of waiting
   * (not queued); with nobody online within hours, as an alternative to the queue the chat is in.
   */
  leaveMessage?: { reason: 'outside_hours' | 'no_agents'; opensAt?: string };
}

/** Outside hours or nobody there: when people are back (if known) and the invitation to leave a message. */
export function unavailableReply(
  availability: Exclude<Availability, { kind: 'open' }>,
  lang: Lang,
  messages: Messages | undefined,
  now: Date,
): HandoffReplyFields {
  if (availability.kind === 'outside_hours') {
    const opensAt = formatOpening(availability.opensAt, now, availability.timeZone, lang);
    return {
      text: handoffText(messages, 'outside_hours', lang, { opensAt }),
      leaveMessage: { reason: 'outside_hours', opensAt: availability.opensAt.toISOString() },
    };
  }
  return { text: handoffText(messages, 'no_agents', lang), leaveMessage: { reason: 'no_agents' } };
}

/** `text` (what the bot said on handing off) with where the chat stands now. */
export function queuedReply(text: string, outcome: EnqueueOutcome): HandoffReplyFields {
  if (outcome.kind === 'queued') return { text, queue: { position: outcome.position, etaSeconds: outcome.etaSeconds } };
  if (outcome.kind === 'assigned') return { text, agent: { displayName: outcome.agent.displayName } };
  return { text };
}
