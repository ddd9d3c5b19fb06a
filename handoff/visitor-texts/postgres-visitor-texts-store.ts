// The VisitorTextsStore on PostgreSQL (migration 005): read fresh every time, since another node may have saved
// (one short row per widget load costs less than keeping the nodes' copies in step).
import type { PgDb } from '../postgres/pg-db.ts';
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

export function createPostgresVisitorTextsStore(db: PgDb): VisitorTextsStore {
  const get = async (): Promise<VisitorTextsRecord> =>
    toRecord(await db.one<Row>(`
      SELECT welcome_zh, welcome_en, banner_zh, banner_en, logo_type, octet_length(logo) AS logo_size, logo_sha256, updated_at, updated_by
      FROM visitor_texts WHERE id = 1`));

  return {
    get,
    async logo() {
      const row = await db.one<{ logo: Buffer; logo_type: LogoType; logo_sha256: string }>(
        'SELECT logo, logo_type, logo_sha256 FROM visitor_texts WHERE id = 1 AND logo IS NOT NULL',
      );
      return row ? { bytes: new Uint8Array(row.logo), type: row.logo_type, size: row.logo.byteLength, sha256: row.logo_sha256 } : undefined;
    },
    async saveTexts(texts, at, by) {
      await db.run(
        `INSERT INTO visitor_texts (id, welcome_zh, welcome_en, banner_zh, banner_en, updated_at, updated_by)
         VALUES (1, $1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET welcome_zh = excluded.welcome_zh, welcome_en = excluded.welcome_en,
           banner_zh = excluded.banner_zh, banner_en = excluded.banner_en, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [texts.welcome.zh, texts.welcome.en, texts.banner.zh, texts.banner.en, at.toISOString(), by],
      );
      return get();
    },
    async saveLogo(logo: StoredLogo | null, at, by) {
      await db.run(
        `INSERT INTO visitor_texts (id, logo, logo_type, logo_sha256, updated_at, updated_by)
         VALUES (1, $1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET logo = excluded.logo, logo_type = excluded.logo_type, logo_sha256 = excluded.logo_sha256,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [logo ? Buffer.from(logo.bytes) : null, logo?.type ?? null, logo?.sha256 ?? null, at.toISOString(), by],
      );
      return get();
    },
  };
}

function toRecord(row: Row | undefined): VisitorTextsRecord {
  if (!row) return structuredClone(EMPTY_VISITOR_TEXTS);
  const record: VisitorTextsRecord = {
    welcome: { zh: row.welcome_zh, en: row.welcome_en },
    banner: { zh: row.banner_zh, en: row.banner_en },
  };
  if (row.logo_type !== null && row.logo_sha256 !== null) record.logo = { type: row.logo_type, size: Number(row.logo_size ?? 0), sha256: row.logo_sha256 };
  if (row.updated_at !== null) record.updatedAt = row.updated_at;
  if (row.updated_by !== null) record.updatedBy = row.updated_by;
  return record;
}
