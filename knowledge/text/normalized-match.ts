// Pattern replacement that sees text the way the engine does (NFKC: full-width digits and letters from Chinese
// input methods, ① and the like become ASCII) and still returns the visitor's own text everywhere it did not
// replace. Masking must find "１３８００１３８０００" and "ｐａｓｓｗｏｒｄ：ａｂｃ１２３" as it finds their ASCII forms,
// without rewriting the Chinese punctuation of the rest of the message.

interface NormalizedView {
  text: string;
  /** For each UTF-16 index of `text`: the [start, end) of the original code point it came from. */
  from: Array<readonly [number, number]>;
}

/** Each code point normalized on its own, so that every normalized character maps back to one original span. */
function normalizedView(text: string): NormalizedView {
  let out = '';
  const from: Array<readonly [number, number]> = [];
  let i = 0;
  for (const cp of text) {
    const span = [i, i + cp.length] as const;
    const n = cp.normalize('NFKC');
    out += n;
    for (let k = 0; k < n.length; k++) from.push(span);
    i += cp.length;
  }
  return { text: out, from };
}

/** Anything NFKC changes: outside ASCII, and not CJK ideographs or kana (which it leaves alone). */
const MAY_CHANGE = /[^\x00-\x7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]/;

/**
 * `text` with every match of the global `pattern` on its normalized form replaced by `replacer`'s result; the
 * original characters the match came from are what is replaced. A replacer returning undefined keeps them.
 */
export function replaceNormalized(text: string, pattern: RegExp, replacer: (match: RegExpExecArray) => string | undefined): string {
  if (!pattern.global) throw new Error('replaceNormalized: the pattern must be global');
  // Most text (ASCII, plain Chinese) is its own normalized form: no view to build.
  const view = MAY_CHANGE.test(text) ? normalizedView(text) : undefined;
  const seen = view?.text ?? text;
  const startOf = (i: number) => (view ? view.from[i]![0] : i);
  const endOf = (i: number) => (view ? view.from[i]![1] : i + 1);
  let out = '';
  let copied = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(seen); m !== null; m = pattern.exec(seen)) {
    if (m[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    const start = startOf(m.index);
    const end = endOf(m.index + m[0].length - 1);
    // A match that starts inside a code point already replaced (one that normalized to several characters).
    if (start < copied) continue;
    const replacement = replacer(m);
    if (replacement === undefined) continue;
    out += text.slice(copied, start) + replacement;
    copied = end;
  }
  pattern.lastIndex = 0;
  return out + text.slice(copied);
}
