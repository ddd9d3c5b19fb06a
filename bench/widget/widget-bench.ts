// Bench section "widget". (Placeholder: replaced by its implementation.)
import type { BenchContext, SectionResult } from '../section.ts';

export async function runWidgetBench(_ctx: BenchContext): Promise<SectionResult> {
  return { id: 'widget', markdown: '## widget\n\nnot measured yet\n', data: null, summary: [] };
}
