// What a visitor waiting for a person is told: their place in the queue and a rough wait.
import type { Bilingual, KnowledgeBase, Lang } from '../../knowledge/types.ts';

/**
 * Seconds of waiting per place in the queue when routing is not wired in (routing estimates the wait
 * from recent handling times). Range 30-600; default 120.
 */
export const QUEUE_SECONDS_PER_POSITION = 120;

/** Used when the knowledge base has no `queued` message; `{position}` and `{eta}` are replaced. */
export const defaultQueueNote: Bilingual<string> = {
  zh: '您正在排队等候人工客服，当前排在第 {position} 位，预计等待约 {eta}。您可以继续留言，客服接入后会看到全部内容。',
  en: "You're in the queue for a person: number {position} in line, about {eta}. Keep typing if you like; the agent will see all of it.",
};

/** Said on a handoff when the knowledge base gives no text for it (`handoff` message, or the rule's reply). */
export const defaultHandoffNote: Bilingual<string> = {
  zh: '好的，正在为您转接人工客服，请稍候。',
  en: "OK, I'm getting you a person. Please hold on.",
};

export interface QueueInfo {
  position: number;
  etaSeconds: number;
}

export function queueInfo(position: number, etaSeconds: number = position * QUEUE_SECONDS_PER_POSITION): QueueInfo {
  return { position, etaSeconds };
}

export function handoffNote(kb: KnowledgeBase, lang: Lang): string {
  return kb.messages.handoff?.[lang] || defaultHandoffNote[lang];
}

export function queueNote(kb: KnowledgeBase, lang: Lang, position: number, etaSeconds?: number): string {
  const template = kb.messages.queued?.[lang] || defaultQueueNote[lang];
  const minutes = Math.max(1, Math.round(queueInfo(position, etaSeconds).etaSeconds / 60));
  const eta = lang === 'zh' ? `${minutes} 分钟` : `${minutes} min`;
  return template.replaceAll('{position}', String(position)).replaceAll('{eta}', eta);
}
