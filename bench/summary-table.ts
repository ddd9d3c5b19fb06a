// The headline table: one row per key figure from every section, with its baseline and target.
import type { SectionResult } from './section.ts';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const cell = (s: string | undefined) => (s ?? '').replaceAll('|', '\\|');

export function formatSummary(results: readonly SectionResult[]): string {
  const rows = results.flatMap((r) => r.summary.map((s) => ({ section: r.id, ...s })));
  if (rows.length === 0) return '';
  const lines = rows.map((s) => `| ${s.section} | ${cell(s.figure)} | ${cell(s.value)} | ${cell(s.baseline)} | ${s.target ? `${cell(s.target)}${s.met === undefined ? '' : s.met ? ' ✓' : ' ✗ (missed)'}` : ''} |`);
  return `| section | figure | measured | baseline in the same run | target |\n|---|---|---|---|---|\n${lines.join('\n')}\n`;
}

/** The README with the text between the bench markers replaced; undefined when it has no markers. */
export function replaceReadmeTable(readme: string, table: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}
