// The store of knowledge-base publications (`npm run kb -- publish`): the database is the source of truth for the
// knowledge base every node serves. PostgreSQL only: a single SQLite process has no other node to tell.
import { ValidationError } from '../platform/errors.ts';
import { systemClock, type Clock } from '../platform/clock.ts';

/** A publication without its files: what a node compares with what it serves. */
export interface KbPublicationHead {
  /** Increasing: the highest id is the newest publication. */
  id: number;
  /** The loader's content hash of the files (KnowledgeBase.version). */
  version: string;
  entries: number;
  /** ISO-8601 UTC. */
  publishedAt: string;
  /** user@host of whoever ran the command; may be empty. */
  publishedBy: string;
}

export interface KbPublication extends KbPublicationHead {
  /** Path relative to the knowledge directory (rules.yaml, faq/bill.yaml) -> the file's text. */
  files: ReadonlyMap<string, string>;
}

export type NewKbPublication = Omit<KbPublication, 'id' | 'publishedAt'>;

export interface KbPublicationStore {
  /** Stores a publication, which becomes the newest; drops the oldest beyond `keep`. */
  add(publication: NewKbPublication): Promise<KbPublicationHead>;
  newest(): Promise<KbPublicationHead | undefined>;
  read(id: number): Promise<KbPublication | undefined>;
}

export interface KbPublicationStoreOptions {
  /** Publications kept (the newest ones; older ones are only history). Range 1-1000; default 20. */
  keep: number;
  clock: Clock;
}

export const defaultKbPublicationStoreOptions: KbPublicationStoreOptions = { keep: 20, clock: systemClock };

/** A path a node may write under its copy folder: one YAML name, at the top or under faq/, nothing that climbs out. */
const PUBLISHABLE_PATH = /^(faq\/)?[^/\\]+\.ya?ml$/i;

export function isPublishablePath(file: string): boolean {
  return PUBLISHABLE_PATH.test(file) && !file.includes('\0');
}

/** The version names a node's copy folder, so it is the loader's hex hash and nothing else. */
export function isPublishableVersion(version: string): boolean {
  return /^[0-9a-f]{6,64}$/.test(version);
}

/** Checks what the database would refuse anyway, with a message that names the bad value. */
export function assertPublishable(publication: NewKbPublication): void {
  if (!isPublishableVersion(publication.version)) {
    throw new ValidationError('kb_version', `kb publications: version must be the loader's hex hash (got ${JSON.stringify(publication.version)})`);
  }
  if (publication.files.size === 0) throw new ValidationError('kb_files', 'kb publications: a publication needs at least one file');
  for (const file of publication.files.keys()) {
    if (!isPublishablePath(file)) {
      throw new ValidationError('kb_path', `kb publications: ${JSON.stringify(file)} is not a knowledge file path (name.yaml or faq/name.yaml)`);
    }
  }
}
