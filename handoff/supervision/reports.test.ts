// The report queries start from the conversations of the range through migration 009's index, not a scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../sqlite/db.ts';
import { createSqliteReports } from './sqlite-reports.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'reports-'));
const db = openDatabase(dir);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads the range through conversations_by_created', () => {
  const plan = db
    .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM conversations AS c WHERE c.created_at >= ? AND c.created_at < ?")
    .all('2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z') as Array<{ detail: string }>;
  expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX conversations_by_created/);
});

it('answers an empty database with zeros and nulls', async () => {
  const r = await createSqliteReports(db).report({ from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-02T00:00:00Z') });
  expect(r.conversations).toBe(0);
  expect(r.containmentRate).toBeNull();
  expect(r.byHour).toEqual(new Array(24).fill(0));
});
