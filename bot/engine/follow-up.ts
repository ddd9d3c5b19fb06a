// Multi-turn and contrasts: reads a short follow-up ("那联通呢?", "and for a data card?") against the
// previous question, and keeps an entry about one side of a contrast from answering the other.
import type { ContrastGroup } from '../../knowledge/types.ts';
import { normalize } from './normalize.ts';

// Openers and closers that mark a message as leaning on the one before it.
const ZH_MARKER = /^(那|那么|还有|另外|然后|如果是|要是)|呢[?？]?$|的呢|怎么样[?？]?$|多少钱|收费吗|要钱吗/u;
const EN_MARKER = /^(and|what about|how about|what if|also|then|same for|ok and|so)\b|\b(instead|too|before|after)\b|\bhow much\b/u;

export function looksLikeFollowUp(normalizedText: string): boolean {
  return ZH_MARKER.test(normalizedText) || EN_MARKER.test(normalizedText);
}

export interface Contrasts {
  /** Removes from the previous question the terms of the sides the follow-up replaces. */
  carryOver(previous: string, current: string): string;
  /** Indexes of the sides of each group that `text` names (a group absent: nothing named). */
  sides(text: string): number[][];
  /** True when the query names sides of a group and the entry names only other sides of it. */
  conflicts(querySides: number[][], entrySides: number[][]): boolean;
  /** The entry's sides, with the default side of a group it names no side of. */
  withDefault(entrySides: number[][]): number[][];
  /** True when the query names no side of a group with a default and the entry names only other sides. */
  offDefault(querySides: number[][], entrySides: number[][]): boolean;
  /** The query's sides, with sticky groups it leaves open taken from the previous entry's single side. */
  inherit(querySides: number[][], previousSides: number[][] | undefined): number[][];
}

/** Terms are prepared (normalized, synonyms applied) as the texts they are looked for in. */
export function buildContrasts(groups: readonly ContrastGroup[], prepare: (t: string) => string): Contrasts {
  const prepared = groups.map((g) => g.sides.map((side) => [...new Set(side.map((t) => prepare(normalize(t))).filter(Boolean))]));
  const sides = (text: string) => prepared.map((group) => group.flatMap((side, i) => (side.some((t) => text.includes(t)) ? [i] : [])));
  return {
    sides,
    carryOver(previous, current) {
      const named = sides(current);
      let out = previous;
      prepared.forEach((group, g) => {
        if (named[g]!.length === 0) return;
        group.forEach((side, i) => {
          if (!named[g]!.includes(i)) for (const t of side) out = out.split(t).join(' ');
        });
      });
      return out;
    },
    inherit(querySides, previousSides) {
      if (!previousSides) return querySides;
      return querySides.map((q, g) => (q.length === 0 && groups[g]!.sticky && previousSides[g]!.length === 1 ? previousSides[g]! : q));
    },
    withDefault(entrySides) {
      return entrySides.map((e, g) => (e.length === 0 && groups[g]!.defaultSide !== undefined ? [groups[g]!.defaultSide!] : e));
    },
    offDefault(querySides, entrySides) {
      return groups.some((group, g) => {
        const e = entrySides[g]!;
        return group.defaultSide !== undefined && querySides[g]!.length === 0 && e.length > 0 && !e.includes(group.defaultSide);
      });
    },
    conflicts(querySides, entrySides) {
      return querySides.some((q, g) => {
        const e = entrySides[g]!;
        return q.length > 0 && e.length > 0 && !q.some((i) => e.includes(i));
      });
    },
  };
}
