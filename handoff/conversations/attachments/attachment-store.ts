// What the attachment routes need from storage: an attachment's row and the message that carries it, written
// together while a person has the chat; the row again for a download; and the keys of erased attachments whose
// bytes are still to be removed from the object store (attachment-blobs.ts). SQLite and PostgreSQL adapters.
import type { StoredMessage } from '../conversation-store.ts';
import type { AttachmentAuthor, AttachmentType, StoredAttachment } from './attachment.ts';

export interface NewAttachment {
  /** A fresh random id: the key of the bytes, already stored under it. */
  id: string;
  conversationId: string;
  author: AttachmentAuthor;
  /** For an agent's attachment: who sends it (the holder, or a colleague who joined the chat). */
  agentId?: string;
  /**
   * Who must hold the chat as the row is written: for a colleague who joined it (handoff/collaboration/), the holder
   * they work beside, so a transfer or a close meanwhile still refuses the file. Default: `agentId`.
   */
  holder?: string;
  /** Cleaned (attachment-name.ts). */
  name: string;
  type: AttachmentType;
  size: number;
}

export interface AttachmentStore {
  /**
   * Writes the attachment's row and its message (text: the name; `attachment` set) in one transaction, and marks
   * the conversation active, if a person has the chat: a visitor's while it is queued or assigned, an agent's
   * while `holder` (that agent unless said) holds it. NotFoundError for an unknown conversation; ConflictError otherwise (nothing written).
   */
  add(input: NewAttachment): Promise<{ attachment: StoredAttachment; message: StoredMessage }>;
  /** The attachment `id` of that conversation, or undefined (also when it belongs to another conversation). */
  get(conversationId: string, id: string): Promise<StoredAttachment | undefined>;
  /**
   * Keys of attachments whose rows were deleted (with their conversation: privacy erasure, retention) and whose
   * bytes may still be stored; a database trigger notes each one in the deleting transaction. Oldest first.
   */
  erased(limit: number): Promise<string[]>;
  /** The bytes of these erased attachments are gone: forget them. */
  forgetErased(keys: readonly string[]): Promise<void>;
  /** Of these keys, the ones that are attachments still stored (the rest are bytes nobody owns). */
  existing(keys: readonly string[]): Promise<Set<string>>;
}
