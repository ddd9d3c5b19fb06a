// Decides whether a message is Chinese or English from its script mix.
import type { Lang } from '../knowledge/types.ts';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[a-z]{2,}/gi;

/** The message's language, or undefined when it has neither Han characters nor Latin words (emoji, digits). */
export function detectLanguage(text: string): Lang | undefined {
  const han = text.match(HAN)?.length ?? 0;
  const words = text.match(LATIN_WORD)?.length ?? 0;
  if (han === 0 && words === 0) return undefined;
  // A Chinese character carries about as much as an English word: "网厅 top up 有折扣吗" is Chinese,
  // "how do I get a 发票" is English.
  return han >= words ? 'zh' : 'en';
}
