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
  return foldDialect(toSimplified(cleanVisitorText(text).replace(ZERO_WIDTH, '').replace(EMOJI, ' ').normalize('NFKC'))).toLowerCase().replace(/\s+/g, ' ').trim();
}
