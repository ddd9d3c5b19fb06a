// Where an attachment's bytes live: an object store by key (the attachment's random id). The embedded default
// keeps them as files under DATA_DIR (folder-attachment-blobs.ts); several nodes on PostgreSQL keep them in the
// database (postgres-attachment-blobs.ts), so a file uploaded through one node downloads through any other.
// Another store (S3 and the like) fits the same interface.

export interface AttachmentBlobs {
  /** Stores the bytes under `key` (a new key: an attachment is never overwritten). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when there are none under `key`. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes whatever is stored under these keys; a missing key is no error (erasure may repeat). */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Keys stored before `before` (at most `limit`), for the sweep of bytes whose attachment row never committed
   * (the process died between the two writes). A store that cannot list leaves this out.
   */
  listOlderThan?(before: Date, limit: number): Promise<string[]>;
}

/** Keys are attachment ids: this many URL-safe characters, nothing that could name a folder. */
export const BLOB_KEY = /^[A-Za-z0-9_-]{16,64}$/;
