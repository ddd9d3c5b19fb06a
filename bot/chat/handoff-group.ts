// Which skill group takes a chat: the group of the topic it was about (knowledge/faq/*.yaml `group`).
import type { Conversation, KbPort } from '../../handoff/index.ts';
import type { Engine } from '../engine/engine.ts';
import type { KnowledgeBase, Lang } from '../../knowledge/types.ts';
import type { ConversationContext } from '../engine/decision.ts';

/** The topic's group, or undefined (routing then uses its default group) for no topic or an unknown one. */
export function topicGroup(kb: KnowledgeBase, topic: string | undefined): string | undefined {
  if (topic === undefined) return undefined;
  return kb.topics.find((t) => t.id === topic)?.group;
}

/** For the widget's "talk to a person" button: the group of what the conversation was last about. */
export function conversationGroup(kb: KnowledgeBase, conversation: Conversation): string | undefined {
  return topicGroup(kb, (conversation.context as ConversationContext).lastTopic);
}

/**
 * An entry's first question and its answer in `lang`, to show agents what the bot's candidates were
 * about and let them send one of those answers with one click (in the visitor's language).
 */
export function entryQuestion(kb: KnowledgeBase, entryId: string, lang: Lang): { question: string; answer?: string } | undefined {
  const entry = kb.entries.find((e) => e.id === entryId);
  const question = entry?.questions[lang][0] ?? entry?.questions.zh[0] ?? entry?.questions.en[0];
  if (entry === undefined || question === undefined) return undefined;
  const answer = entry.answer[lang] || entry.answer.zh || entry.answer.en;
  return answer ? { question, answer } : { question };
}

/** Handoff's view of the knowledge base and the bot's memory, on the engine current at each call (a reload swaps it). */
export function handoffKbPort(source: { readonly engine: Engine }): KbPort {
  return {
    kb: () => source.engine.kb,
    entryExists: (id) => source.engine.entry(id) !== undefined,
    conversationGroup: (conversation) => conversationGroup(source.engine.kb, conversation),
    entryQuestion: (id, lang) => entryQuestion(source.engine.kb, id, lang),
  };
}
