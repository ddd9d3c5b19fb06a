// What the load sends to POST /api/chat: the editors' regression questions (knowledge/tests), zh and en
// mixed, in a fixed shuffled order so that neighbouring requests ask different things.
import { loadTests, type Lang } from '../../knowledge/index.ts';

export interface ChatQuestion {
  text: string;
  lang?: Lang;
}

/** A few questions of both languages, for a knowledge directory without tests. */
const FALLBACK_QUESTIONS: ChatQuestion[] = [
  { text: '充值卡密码几位' },
  { text: 'how do I top up by SMS?' },
  { text: '网厅充值有折扣吗' },
  { text: 'can I get an invoice for my top-up', lang: 'en' },
  { text: '宽带怎么报修' },
  { text: 'what is 亲情1+', lang: 'en' },
];

export async function chatQuestions(knowledgeDir: string): Promise<ChatQuestion[]> {
  const { suites } = await loadTests(knowledgeDir);
  const questions: ChatQuestion[] = suites.flatMap((s) =>
    s.cases.flatMap((c) => c.turns.map((t) => (t.lang ? { text: t.ask, lang: t.lang } : { text: t.ask }))),
  );
  if (questions.length === 0) return FALLBACK_QUESTIONS;
  // Deterministic shuffle (xorshift): the same order every run, suites interleaved.
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = questions.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [questions[i], questions[j]] = [questions[j]!, questions[i]!];
  }
  return questions;
}
