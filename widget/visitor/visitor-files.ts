// The visitor's files: sending one into the chat while a person has it (shown at once from memory, then as
// stored), the retry of one that failed, and the pictures and PDFs of the chat fetched with the conversation's
// token (an <img> cannot send one), kept as object URLs for as long as the conversation is followed.
import type { MessageAttachment } from '../../handoff/http/wire.ts';
import { postAttachment, type UploadResult } from '../shared/attachment-files.ts';
import type { AttachmentSource } from '../shared/attachment-card.ts';
import type { ChatItem, ErrorKey } from './chat-items.ts';
import type { VisitorChatState } from './visitor-chat-state.ts';

/** What sending files needs from the connection around it. */
export interface FileHooks {
  /** Base URL of the chat server ('' = this page's origin). */
  server(): string;
  /** Reads the stored messages after the newest one held. */
  catchUp(): Promise<void>;
  /** The server refused this visitor: stop everything that talks to it. */
  block(): void;
  update(): void;
}

/** What to tell the visitor about a refused upload (a key of the strings table). */
export function fileErrorKey(result: Extract<UploadResult, { ok: false }>): ErrorKey {
  switch (result.status) {
    case 413:
      return 'fileTooLarge';
    case 415:
      return 'fileUnsupported';
    case 409:
      return 'fileNotNow';
    case 429:
      return 'tooMany';
    default:
      return 'errorGeneric';
  }
}

export class VisitorFiles {
  /** The files of failed items, by item key, for their retry button. */
  private readonly unsent = new Map<string, File>();
  /** Object URLs of the chat's attachments, by attachment id: each is fetched once. */
  private readonly fetched = new Map<string, Promise<string>>();
  private fetchedFor: string | undefined;

  constructor(
    private readonly chat: VisitorChatState,
    private readonly hooks: FileHooks,
  ) {}

  /** Files go into a chat only while a person has it (queued or assigned), as the server requires. */
  get allowed(): boolean {
    const { conversationId, token, status, blocked } = this.chat;
    return Boolean(conversationId && token && !blocked && (status === 'queued' || status === 'assigned'));
  }

  /** Sends a file: a bubble with its preview at once, replaced by the stored message when the server has it. */
  async send(file: File): Promise<void> {
    if (!this.allowed) return;
    const item: ChatItem = { key: this.chat.nextLocalKey(), author: 'visitor', text: file.name || 'image', createdAt: new Date().toISOString(), state: 'sending', localFile: file };
    this.chat.items = [...this.chat.items, item];
    this.chat.error = undefined;
    this.hooks.update();
    await this.deliver(item, file);
  }

  /** Whether `key` is a failed file (its retry belongs here, not to the text sender). */
  has(key: string): boolean {
    return this.unsent.has(key);
  }

  async retry(key: string): Promise<void> {
    const file = this.unsent.get(key);
    const item = this.chat.items.find((m) => m.key === key && m.state === 'failed');
    if (!file || !item || !this.allowed) return;
    this.chat.replaceItem(key, { ...item, state: 'sending', error: undefined });
    this.hooks.update();
    await this.deliver(this.chat.items.find((m) => m.key === key)!, file);
  }

  /** How the widget's file cards reach a stored attachment: fetched with the token, once, as an object URL. */
  readonly source: AttachmentSource = (attachment: MessageAttachment) => {
    const { conversationId, token } = this.chat;
    if (!conversationId || !token) return Promise.reject(new Error('no conversation'));
    // Another conversation now: what was fetched for the old one goes.
    if (this.fetchedFor !== conversationId) this.forget(conversationId);
    let url = this.fetched.get(attachment.id);
    if (!url) {
      url = fetch(`${this.hooks.server().replace(/\/+$/, '')}${attachment.url}`, { headers: { authorization: `Bearer ${token}` }, credentials: 'omit', cache: 'no-store' })
        .then(async (res) => {
          if (!res.ok) throw new Error(`attachment: ${res.status}`);
          return URL.createObjectURL(await res.blob());
        });
      // A failure is not kept: the next render asks again.
      url.catch(() => this.fetched.delete(attachment.id));
      this.fetched.set(attachment.id, url);
    }
    return url;
  };

  /** Releases the fetched files (the conversation changed, or the widget left the page). */
  forget(next?: string): void {
    for (const url of this.fetched.values()) url.then((u) => URL.revokeObjectURL(u), () => undefined);
    this.fetched.clear();
    this.fetchedFor = next;
  }

  private async deliver(item: ChatItem, file: File): Promise<void> {
    const chat = this.chat;
    const { conversationId, token } = chat;
    if (!conversationId || !token) return;
    const result = await postAttachment(`${this.hooks.server().replace(/\/+$/, '')}/api/conversations/${encodeURIComponent(conversationId)}/attachments`, file, {
      headers: { authorization: `Bearer ${token}` },
      credentials: 'omit',
    });
    if (result.ok) {
      this.unsent.delete(item.key);
      const caughtUp = await this.hooks.catchUp().then(
        () => true,
        () => false,
      );
      // Caught up: the stored copy is on screen. Otherwise the stream brings it and replaces this one.
      if (caughtUp) chat.items = chat.items.filter((m) => m.key !== item.key);
      else chat.replaceItem(item.key, { ...item, state: undefined });
    } else {
      if (result.status === 403 && result.code === 'visitor_blocked') this.hooks.block();
      this.unsent.set(item.key, file);
      chat.replaceItem(item.key, { ...item, state: 'failed', error: fileErrorKey(result) });
    }
    this.hooks.update();
  }
}
