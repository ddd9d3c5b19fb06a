// Decides whether a message is Chinese or English from its script mix.
import type { Lang } from '../../knowledge/types.ts';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[a-z]{2,}/gi;

/** The message's language, or undefined when it has neither Han characters nor Latin words (emoji, digits). */
export function detectLanguage(text: string): Lang | undefined {
  const han = text.match(HAN)?.length ?? 0;
  const words = text.match(LATIN_WORD)?.length ?? 0;
  if (han === 0 && words === 0) return undefined;
  // An English word carries about as much as one and a half Chinese characters: "网厅 top up 有折扣吗"
  // is Chinese; "how do I get a 发票" and "how do I block 联通在信 messages" are English.
  return han >= words * 1.5 ? 'zh' : 'en';
}
