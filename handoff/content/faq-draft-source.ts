// Where a FAQ draft's defaults come from: the visitor's question an agent's answer resolved, and the bot's best guess of its entry.
import type { JsonObject } from '../conversations/conversation-store.ts';
import type { DraftSourceMessage } from './faq-draft-store.ts';

/** Handoff reasons whose triggering visitor message asks for a person rather than asking the question. */
const REQUEST_REASONS: ReadonlySet<string> = new Set(['requested', 'by_choice']);

/**
 * The visitor's question for an agent's answer, from the messages before it (newest first): the visitor's
 * latest message, unless that message only asked for a person ("转人工" fired the handoff rule), in which case
 * the one before it, which the bot could not answer.
 */
export function draftQuestion(before: readonly DraftSourceMessage[], handoffReason: string): string | undefined {
  let skipRequest = false;
  for (const [i, m] of before.entries()) {
    if (m.author === 'bot' && m.kind === 'handoff') {
      // The visitor message right before the bot's handoff reply triggered it.
      skipRequest = REQUEST_REASONS.has(handoffReason) && before[i + 1]?.author === 'visitor';
      continue;
    }
    if (m.author !== 'visitor') continue;
    if (skipRequest) {
      skipRequest = false;
      // Only skip it when an earlier visitor message is there to take its place.
      if (before.slice(i + 1).some((x) => x.author === 'visitor')) continue;
    }
    return m.text;
  }
  return undefined;
}

/** The bot's top candidate when it handed off: its own, or for a rule-fired handoff the previous decision's. */
export function suggestedEntryOf(decision: JsonObject): string | undefined {
  const first = (d: unknown): string | undefined => {
    if (!isObject(d) || !Array.isArray(d.candidates)) return undefined;
    const top = d.candidates.find((c) => isObject(c) && typeof c.entryId === 'string') as JsonObject | undefined;
    return top?.entryId as string | undefined;
  };
  return first(decision) ?? first(decision.previous);
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
