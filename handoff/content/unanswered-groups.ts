// Groups near-identical unanswered questions: the same normalized text, or enough shared search tokens.
import { createHash } from 'node:crypto';
import type { Lang } from '../../knowledge/types.ts';
import type { UnansweredCandidate, UnansweredRow } from './unanswered-store.ts';

export interface UnansweredGroupOptions {
  /**
   * Token-set Jaccard (shared / all distinct) at or above which two questions are the same one. Range 0-1;
   * default 0.5: "宽带坏了怎么报修" and "宽带坏了要怎么报修呢" share all content tokens and group, while two
   * questions sharing one word ("宽带怎么办理" / "宽带坏了怎么报修") share a fifth of them or less and stay apart.
   */
  minJaccard: number;
  /**
   * Paraphrases share few words ("套餐里送的分钟月底清零吗" / "赠送通话时长能留到下月吗"), but the engine reads
   * them as close to the same entries: two wordings whose best candidate is the same entry, whose top
   * candidates overlap at least `minCandidateOverlap` (Jaccard of the top 3), and whose tokens overlap at
   * least `minJaccardWithCandidates` are one question. Ranges 0-1; defaults 0.5 and 0.2 (two questions
   * sharing only 宽带 share a tenth of their tokens, and stay apart).
   */
  minCandidateOverlap: number;
  minJaccardWithCandidates: number;
  /** ...and only when the engine came near: both wordings' best candidate scored at least this (0..1; default 0.25). */
  minCandidateScore: number;
  /** Distinct variant texts shown per group. Range 1-50; default 8. */
  maxVariants: number;
  /** Candidates shown per group. Range 1-10; default 5. */
  maxCandidates: number;
}

export const defaultUnansweredGroupOptions: UnansweredGroupOptions = { minJaccard: 0.5, minCandidateOverlap: 0.5, minJaccardWithCandidates: 0.2, minCandidateScore: 0.25, maxVariants: 8, maxCandidates: 5 };

/** Candidates compared between two wordings. Range 1-5; default 3. */
const COMPARED_CANDIDATES = 3;

export interface GroupCandidate extends UnansweredCandidate {
  /** `score` is the best score over the group's questions; this the mean over the questions that had the entry. */
  meanScore: number;
  /** How many of the group's questions had the entry among their candidates. */
  hits: number;
}

export interface UnansweredGroup {
  /** Stable id of the group: a hash of its language and its most-asked normalized question. */
  groupKey: string;
  /** The most-asked wording (its latest text). */
  text: string;
  lang: Lang;
  count: number;
  lastAskedAt: string;
  /** Distinct texts asked, most recent first, at most maxVariants. */
  variants: string[];
  candidates: GroupCandidate[];
  /** The stored rows in the group (for dismissing it). */
  rowIds: number[];
}

/** The group key a normalized question stands for when it leads its group. */
export function groupKeyOf(lang: Lang, normKey: string): string {
  return createHash('sha256').update(`${lang}\n${normKey}`).digest('base64url').slice(0, 16);
}

/** The same wording: one key per distinct normalized text. */
interface Wording {
  lang: Lang;
  normKey: string;
  tokens: Set<string>;
  /** The engine's best entries for this wording (its first row's), best first. */
  candidates: string[];
  /** The score of the best of them. */
  topScore: number;
  rows: UnansweredRow[];
  last: string;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

function sameQuestion(leader: Wording, w: Wording, opts: UnansweredGroupOptions): boolean {
  const words = jaccard(leader.tokens, w.tokens);
  if (words >= opts.minJaccard) return true;
  const [a] = leader.candidates;
  return (
    a !== undefined &&
    a === w.candidates[0] &&
    Math.min(leader.topScore, w.topScore) >= opts.minCandidateScore &&
    words >= opts.minJaccardWithCandidates &&
    jaccard(new Set(leader.candidates), new Set(w.candidates)) >= opts.minCandidateOverlap
  );
}

/**
 * Rows in any order -> groups, most asked first (then most recent). Leader clustering: wordings are taken
 * most-asked first, and each joins the first group whose leader's tokens it overlaps enough, else leads a
 * new one. Comparing with the leader (not any member) keeps groups from chaining A~B~C into one when A and
 * C have nothing in common. Only the same language groups.
 */
export function groupUnanswered(rows: readonly UnansweredRow[], options: Partial<UnansweredGroupOptions> = {}): UnansweredGroup[] {
  const opts = { ...defaultUnansweredGroupOptions, ...options };
  const wordings = new Map<string, Wording>();
  for (const row of rows) {
    const id = `${row.lang}\n${row.normKey}`;
    let w = wordings.get(id);
    if (!w) {
      w = { lang: row.lang, normKey: row.normKey, tokens: new Set(row.tokens), candidates: row.candidates.slice(0, COMPARED_CANDIDATES).map((c) => c.entryId), topScore: row.candidates[0]?.score ?? 0, rows: [], last: row.askedAt };
      wordings.set(id, w);
    }
    w.rows.push(row);
    if (row.askedAt > w.last) w.last = row.askedAt;
  }
  const ordered = [...wordings.values()].sort((a, b) => b.rows.length - a.rows.length || cmp(b.last, a.last) || cmp(a.normKey, b.normKey));

  const clusters: { leader: Wording; members: Wording[] }[] = [];
  for (const w of ordered) {
    const home = clusters.find((c) => c.leader.lang === w.lang && sameQuestion(c.leader, w, opts));
    if (home) home.members.push(w);
    else clusters.push({ leader: w, members: [w] });
  }

  return clusters
    .map(({ leader, members }) => describe(leader, members, opts))
    .sort((a, b) => b.count - a.count || cmp(b.lastAskedAt, a.lastAskedAt) || cmp(a.groupKey, b.groupKey));
}

function describe(leader: Wording, members: Wording[], opts: UnansweredGroupOptions): UnansweredGroup {
  const rows = members.flatMap((m) => m.rows).sort((a, b) => cmp(b.askedAt, a.askedAt) || b.id - a.id);
  const variants: string[] = [];
  for (const r of rows) {
    if (variants.length >= opts.maxVariants) break;
    if (!variants.includes(r.text)) variants.push(r.text);
  }
  const latestOfLeader = leader.rows.reduce((a, b) => (b.askedAt > a.askedAt || (b.askedAt === a.askedAt && b.id > a.id) ? b : a));

  const byEntry = new Map<string, { best: number; sum: number; hits: number }>();
  for (const r of rows) {
    for (const c of r.candidates) {
      const s = byEntry.get(c.entryId) ?? { best: 0, sum: 0, hits: 0 };
      s.best = Math.max(s.best, c.score);
      s.sum += c.score;
      s.hits++;
      byEntry.set(c.entryId, s);
    }
  }
  // Ranked by total score: an entry close to every variant beats one that scored high once.
  const candidates = [...byEntry.entries()]
    .sort(([ea, a], [eb, b]) => b.sum - a.sum || b.best - a.best || cmp(ea, eb))
    .slice(0, opts.maxCandidates)
    .map(([entryId, s]) => ({ entryId, score: round(s.best), meanScore: round(s.sum / s.hits), hits: s.hits }));

  return {
    groupKey: groupKeyOf(leader.lang, leader.normKey),
    text: latestOfLeader.text,
    lang: leader.lang,
    count: rows.length,
    lastAskedAt: rows[0]!.askedAt,
    variants,
    candidates,
    rowIds: rows.map((r) => r.id),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
