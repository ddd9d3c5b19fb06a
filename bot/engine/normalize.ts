// First pipeline stage: one canonical form of any visitor text (width, script, case, invisible characters).
import * as OpenCC from 'opencc-js';
import { cleanVisitorText } from '../../knowledge/text/clean-text.ts';
import { foldDialect } from './dialect.ts';

// Traditional to simplified, Taiwan phrases included (列印 -> 打印), so 充值卡密碼 meets 充值卡密码.
const toSimplified = OpenCC.Converter({ from: 'twp', to: 'cn' });

// Zero-width characters change nothing a reader sees but split words for a matcher.
const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF]/g;
// Emoji (the composers offer a picker) carry tone, not the question: "谢谢👍" must meet the thanks rule as "谢谢" does.
// Pictographs, skin tones, flags' letters, keycap and presentation selectors become a space.
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{1F1E6}-\u{1F1FF}\u20E3\uFE0E\uFE0F]/gu;

/** Text as matched: NFKC (full-width to half-width), simplified Chinese, Cantonese words in Mandarin, lower case, no emoji, single spaces. */
export function normalize(text: string): string {
  // Spaced-out characters are joined before the conversion to simplified, which reads a lone character differently (么).
  return foldDialect(toSimplified(joinSpacedHan(cleanVisitorText(text).replace(ZERO_WIDTH, '').replace(EMOJI, ' ').normalize('NFKC').replace(/\s+/g, ' ')))).toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Three or more Chinese characters typed one by one with spaces ("我 要 跟 人 说"). */
const SPACED_HAN = /(?:\p{Script=Han} ){2,}\p{Script=Han}(?!\p{Script=Han})/gu;

/**
 * "我 要 跟 人 说" is "我要跟人说": Chinese needs no spaces between words, and a visitor spacing out each
 * character would otherwise match no word. A space after a word of two or more characters stays, since
 * phone typists use it as a comma ("下的单 手机还没到").
 */
function joinSpacedHan(text: string): string {
  return text.replace(SPACED_HAN, (run, offset: number) => (offset > 0 && /\p{Script=Han}/u.test(text[offset - 1]!) ? run : run.replace(/ /g, '')));
}
