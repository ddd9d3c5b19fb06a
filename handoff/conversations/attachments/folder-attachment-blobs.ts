// Attachment bytes as files in one folder (DATA_DIR/attachments by default): the embedded mode's object store.
// Files are named by the attachment's random id only, written to a temporary name and renamed, so a reader never
// sees half a file and a crash leaves no file under a real key.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BLOB_KEY, type AttachmentBlobs } from './attachment-blobs.ts';

/** Files of uploads cut short (`.tmp-*`) this old are removed by the sweep too. */
const TEMP_PREFIX = '.tmp-';

export function createFolderAttachmentBlobs(dir: string): AttachmentBlobs {
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  /** The only way a key becomes a path: checked against BLOB_KEY, so `..` or a slash never gets this far. */
  const fileOf = (key: string) => {
    if (!BLOB_KEY.test(key)) throw new Error(`attachments: not a blob key: ${JSON.stringify(key)}`);
    return path.join(dir, key);
  };

  return {
    async put(key, bytes) {
      const file = fileOf(key);
      await ensureDir();
      const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
      try {
        // wx: never over an existing file; 0600: the bytes are the visitor's, readable by this service only.
        await writeFile(temp, bytes, { flag: 'wx', mode: 0o600 });
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },

    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },

    async delete(keys) {
      for (const key of keys) await rm(fileOf(key), { force: true });
    },

    async listOlderThan(before, limit) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const old: string[] = [];
      for (const name of names) {
        if (old.length >= limit) break;
        const isTemp = name.startsWith(TEMP_PREFIX);
        if (!isTemp && !BLOB_KEY.test(name)) continue;
        const info = await stat(path.join(dir, name)).catch(() => undefined);
        if (!info || info.mtime >= before) continue;
        // A temporary file of an upload that died: removed here at once, it was never a stored attachment.
        if (isTemp) await rm(path.join(dir, name), { force: true });
        else old.push(name);
      }
      return old;
    },
  };
}
