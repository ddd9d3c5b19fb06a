// The VisitorTextsStore on better-sqlite3 (migration 021): one row, read from memory between saves (on SQLite this
// process is the only writer).
import type { Db } from '../sqlite/db.ts';
import { gated } from '../sqlite/unit-of-work.ts';
import { EMPTY_VISITOR_TEXTS, type LogoType, type StoredLogo, type VisitorTextsRecord, type VisitorTextsStore } from './visitor-texts.ts';

interface Row {
  welcome_zh: string;
  welcome_en: string;
  banner_zh: string;
  banner_en: string;
  logo_type: LogoType | null;
  logo_size: number | null;
  logo_sha256: string | null;
  updated_at: string | null;
  updated_by: string | null;
}

export function createSqliteVisitorTextsStore(db: Db): VisitorTextsStore {
  const select = db.prepare<[], Row>(`
    SELECT welcome_zh, welcome_en, banner_zh, banner_en, logo_type, length(logo) AS logo_size, logo_sha256, updated_at, updated_by
    FROM visitor_texts WHERE id = 1`);
  const selectLogo = db.prepare<[], { logo: Buffer; logo_type: LogoType; logo_sha256: string }>(
    'SELECT logo, logo_type, logo_sha256 FROM visitor_texts WHERE id = 1 AND logo IS NOT NULL',
  );
  const upsertTexts = db.prepare(`
    INSERT INTO visitor_texts (id, welcome_zh, welcome_en, banner_zh, banner_en, updated_at, updated_by)
    VALUES (1, @welcomeZh, @welcomeEn, @bannerZh, @bannerEn, @at, @by)
    ON CONFLICT (id) DO UPDATE SET welcome_zh = excluded.welcome_zh, welcome_en = excluded.welcome_en,
      banner_zh = excluded.banner_zh, banner_en = excluded.banner_en, updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  const upsertLogo = db.prepare(`
    INSERT INTO visitor_texts (id, logo, logo_type, logo_sha256, updated_at, updated_by)
    VALUES (1, @logo, @type, @sha256, @at, @by)
    ON CONFLICT (id) DO UPDATE SET logo = excluded.logo, logo_type = excluded.logo_type, logo_sha256 = excluded.logo_sha256,
      updated_at = excluded.updated_at, updated_by = excluded.updated_by`);
  // Read on every widget load: kept here, dropped on each save.
  let cache: VisitorTextsRecord | undefined;

  const read = (): VisitorTextsRecord => {
    cache ??= toRecord(select.get());
    return cache;
  };

  /**
   * After a save: read again, and not cached, since inside a unit of work (the save and its audit row) the save may
   * still roll back; the next get() after it ends reads what was committed.
   */
  const fresh = (): VisitorTextsRecord => {
    cache = undefined;
    return toRecord(select.get());
  };

  return gated(db, {
    async get() {
      return structuredClone(read());
    },
    async logo() {
      const row = selectLogo.get();
      return row ? { bytes: new Uint8Array(row.logo), type: row.logo_type, size: row.logo.byteLength, sha256: row.logo_sha256 } : undefined;
    },
    async saveTexts(texts, at, by) {
      upsertTexts.run({
        welcomeZh: texts.welcome.zh, welcomeEn: texts.welcome.en, bannerZh: texts.banner.zh, bannerEn: texts.banner.en,
        at: at.toISOString(), by,
      });
      return fresh();
    },
    async saveLogo(logo: StoredLogo | null, at, by) {
      upsertLogo.run({
        logo: logo ? Buffer.from(logo.bytes) : null, type: logo?.type ?? null, sha256: logo?.sha256 ?? null, at: at.toISOString(), by,
      });
      return fresh();
    },
  });
}

function toRecord(row: Row | undefined): VisitorTextsRecord {
  if (!row) return structuredClone(EMPTY_VISITOR_TEXTS);
  const record: VisitorTextsRecord = {
    welcome: { zh: row.welcome_zh, en: row.welcome_en },
    banner: { zh: row.banner_zh, en: row.banner_en },
  };
  if (row.logo_type !== null && row.logo_sha256 !== null) record.logo = { type: row.logo_type, size: row.logo_size ?? 0, sha256: row.logo_sha256 };
  if (row.updated_at !== null) record.updatedAt = row.updated_at;
  if (row.updated_by !== null) record.updatedBy = row.updated_by;
  return record;
}
