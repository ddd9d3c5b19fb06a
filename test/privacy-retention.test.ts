// Erased visitor data is gone from the files, not only from the tables: after a privacy erasure the text is
// in neither chat.sqlite nor its write-ahead log, the search index's trigrams included (secure_delete, FTS5
// secure-delete, a checkpoint). RETENTION_DAYS erases conversations inactive that long, keeps recent and
// live ones, and leaves one audit row with the counts (never text).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overApp, signInCookie } from './http-kit.ts';
import { ADMIN, testConfig, wireService } from './service-kit.ts';
import { searchIndexer } from '../handoff/sqlite/search-index.ts';
import { createRetention } from '../handoff/visitors/retention.ts';
import { createSqliteVisitorTranscripts } from '../handoff/visitors/sqlite-visitor-transcripts.ts';
import { createSqliteAuditLog } from '../handoff/supervision/sqlite-audit-log.ts';
import { createSqliteUnitOfWork } from '../handoff/sqlite/unit-of-work.ts';
import { loadConfig } from '../bot/server/config.ts';

const ORIGIN = 'http://localhost';

/** Every byte SQLite keeps for this data folder: the file and its write-ahead log. */
function fileBytes(dataDir: string): string {
  return ['chat.sqlite', 'chat.sqlite-wal']
    .map((name) => path.join(dataDir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

describe('privacy erasure on disk', () => {
  it('leaves the erased text in neither the database file nor its log, search index included', async () => {
    const data = testConfig('privacy-disk-');
    const service = await wireService(data.config);
    try {
      const marker = 'QZXV erasure marker 7731 wqpl';
      const chat = await service.app.request('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `my question is ${marker}` }),
      });
      const { conversationId } = (await chat.json()) as { conversationId: string };
      // Indexed and written through to the file, as a long-running service would have it.
      searchIndexer(service.db)?.catchUp();
      service.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(fileBytes(data.dataDir)).toContain(marker);
      // The search index holds lower-case trigrams (with shared prefixes compressed): 'zxv' of the marker is
      // in its data blocks now, and must not be once the message is erased (FTS5 secure-delete, migration 018).
      const indexBlocks = () =>
        (service.db.prepare('SELECT block FROM messages_fts_data').all() as { block: Buffer | null }[]).map((r) => r.block?.toString('latin1') ?? '').join('\n');
      expect(indexBlocks()).toContain('zxv');

      const cookie = await signInCookie(overApp(service.app), ORIGIN, ADMIN);
      const erased = await service.app.request(`/api/admin/visitors/${conversationId}/transcripts`, { method: 'DELETE', headers: { cookie, origin: ORIGIN } });
      expect(erased.status).toBe(200);
      const bytes = fileBytes(data.dataDir);
      expect(bytes).not.toContain(marker);
      expect(bytes).not.toContain('QZXV');
      expect(indexBlocks()).not.toContain('zxv');
    } finally {
      await service.stop();
      data.remove();
    }
  });
});

describe('RETENTION_DAYS', () => {
  it('is off by default and refuses values out of range', () => {
    expect(loadConfig({}).retentionDays).toBe(0);
    expect(loadConfig({ RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(() => loadConfig({ RETENTION_DAYS: '-1' })).toThrow(/RETENTION_DAYS/);
    expect(() => loadConfig({ RETENTION_DAYS: 'forever' })).toThrow(/RETENTION_DAYS/);
  });

  it('erases conversations inactive past the limit, keeps recent and live ones, and audits the counts', async () => {
    const data = testConfig('retention-');
    let offsetDays = 0;
    const clock = () => new Date(Date.now() + offsetDays * 86_400_000);
    const service = await wireService(data.config, { clock });
    try {
      const say = async (text: string, conversationId?: string, token?: string) => {
        const res = await service.app.request('/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ text, ...(conversationId ? { conversationId } : {}) }),
        });
        return (await res.json()) as { conversationId: string; token: string };
      };
      const old = await say('old conversation about roaming');
      await say('网上营业厅交话费有没有优惠', old.conversationId, old.token);
      const waiting = await say('转人工'); // queued: live, never erased by age
      // Both last active forty days ago; the old one ended with the bot (closed), the other still waits.
      const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
      service.db.prepare("UPDATE conversations SET updated_at = ?, status = 'closed' WHERE id = ?").run(fortyDaysAgo, old.conversationId);
      service.db.prepare("UPDATE conversations SET updated_at = ? WHERE id = ? AND status = 'queued'").run(fortyDaysAgo, waiting.conversationId);
      const recent = await say('a recent conversation');

      expect(service.db.prepare('SELECT status FROM conversations WHERE id = ?').pluck().get(waiting.conversationId)).toBe('queued');
      const audit = createSqliteAuditLog(service.db);
      const logged: object[] = [];
      const retention = createRetention(
        { transcripts: createSqliteVisitorTranscripts(service.db), audit, unitOfWork: createSqliteUnitOfWork(service.db), clock, log: { info: (o) => void logged.push(o), warn() {} } },
        { days: 30 },
      );
      const counts = await retention.runOnce();
      expect(counts.conversations).toBe(1);
      expect(counts.messages).toBeGreaterThanOrEqual(4);
      const remaining = service.db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all();
      expect(remaining.sort()).toEqual([waiting.conversationId, recent.conversationId].sort());
      expect(service.db.prepare('SELECT count(*) FROM messages WHERE conversation_id = ?').pluck().get(old.conversationId)).toBe(0);
      const rows = (await audit.list()).filter((e) => e.action === 'privacy.transcripts_expired');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: { id: null, displayName: 'retention job' }, details: { conversations: 1, retentionDays: 30 } });
      expect(JSON.stringify(rows)).not.toContain('roaming');
      expect(logged).toEqual([expect.objectContaining({ event: 'privacy.retention_erased', conversations: 1 })]);
      // Nothing more to erase: no new row.
      expect((await retention.runOnce()).conversations).toBe(0);
      expect((await audit.list()).filter((e) => e.action === 'privacy.transcripts_expired')).toHaveLength(1);
    } finally {
      await service.stop();
      data.remove();
    }
  });
});
