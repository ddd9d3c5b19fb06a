// Bench section "reload". (Placeholder: replaced by its implementation.)
import type { BenchContext, SectionResult } from '../section.ts';

export async function runReloadBench(_ctx: BenchContext): Promise<SectionResult> {
  return { id: 'reload', markdown: '## reload\n\nnot measured yet\n', data: null, summary: [] };
}
