// Bench section "live". (Placeholder: replaced by its implementation.)
import type { BenchContext, SectionResult } from '../section.ts';

export async function runLiveBench(_ctx: BenchContext): Promise<SectionResult> {
  return { id: 'live', markdown: '## live\n\nnot measured yet\n', data: null, summary: [] };
}
