// The visitor texts store on both engines: empty until saved, texts and logo saved apart (one never clears the
// other), what another node saved seen at once, and a save inside a rolled-back unit of work leaving nothing.
import { expect, it } from 'vitest';
import { databases, describeEachEngine, type EngineDb } from '../testing/engine-databases.ts';
import { createPostgresVisitorTextsStore } from './postgres-visitor-texts-store.ts';
import { createSqliteVisitorTextsStore } from './sqlite-visitor-texts-store.ts';
import { EMPTY_VISITOR_TEXTS, type StoredLogo, type VisitorTextsStore } from './visitor-texts.ts';

const AT = new Date('2025-03-03T01:00:00.000Z');
const LOGO: StoredLogo = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), type: 'image/png', size: 7, sha256: 'a'.repeat(64) };
const TEXTS = { welcome: { zh: '欢迎光临', en: 'Welcome' }, banner: { zh: '谨防诈骗：客服不会索要验证码。', en: '' } };

const storeOf = (db: EngineDb): VisitorTextsStore => (db.sqlite ? createSqliteVisitorTextsStore(db.sqlite) : createPostgresVisitorTextsStore(db.pg!));

describeEachEngine('the visitor texts store', (engine) => {
  const open = databases(engine);

  it('is empty before anything is saved, and keeps texts and logo apart', async () => {
    const store = storeOf(await open());
    expect(await store.get()).toEqual(EMPTY_VISITOR_TEXTS);
    expect(await store.logo()).toBeUndefined();

    expect(await store.saveTexts(TEXTS, AT, 'a-lead')).toEqual({ ...TEXTS, updatedAt: AT.toISOString(), updatedBy: 'a-lead' });
    const withLogo = await store.saveLogo(LOGO, new Date(AT.getTime() + 1000), 'a-ann');
    // The logo's save keeps the texts; its bytes are not part of the record.
    expect(withLogo).toEqual({ ...TEXTS, logo: { type: 'image/png', size: 7, sha256: LOGO.sha256 }, updatedAt: '2025-03-03T01:00:01.000Z', updatedBy: 'a-ann' });
    expect(await store.logo()).toEqual(LOGO);
    // And the texts' save keeps the logo.
    const again = await store.saveTexts({ ...TEXTS, banner: { zh: '', en: '' } }, AT, 'a-lead');
    expect(again.logo?.sha256).toBe(LOGO.sha256);
    expect(again.banner).toEqual({ zh: '', en: '' });

    expect((await store.saveLogo(null, AT, 'a-lead')).logo).toBeUndefined();
    expect(await store.logo()).toBeUndefined();
  });

  it("sees another node's save at once, and a save in a rolled-back unit of work leaves nothing", async () => {
    const db = await open();
    const store = storeOf(db);
    await store.get(); // SQLite keeps what it read: the next save must replace it.
    const other = storeOf(await db.another());
    await other.saveTexts(TEXTS, AT, 'a-lead');
    // SQLite has one writer per file (this process), so only PostgreSQL's nodes need this; both must hold it.
    if (db.engine === 'postgres') expect((await store.get()).welcome).toEqual(TEXTS.welcome);

    const units = db.stores.unitOfWork();
    await expect(units.withTransaction(async () => {
      await store.saveTexts({ welcome: { zh: '回滚', en: 'rolled back' }, banner: TEXTS.banner }, AT, 'a-x');
      throw new Error('the audit row failed');
    })).rejects.toThrow('the audit row failed');
    expect((await store.get()).welcome).toEqual(TEXTS.welcome);
  });
});
