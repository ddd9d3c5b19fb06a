// Bench section "http". (Placeholder: replaced by its implementation.)
import type { BenchContext, SectionResult } from '../section.ts';

export async function runHttpBench(_ctx: BenchContext): Promise<SectionResult> {
  return { id: 'http', markdown: '## http\n\nnot measured yet\n', data: null, summary: [] };
}
