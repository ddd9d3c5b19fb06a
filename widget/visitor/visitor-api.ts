// The visitor's HTTP calls (POST /api/chat and the conversation routes), typed after the server's shapes.
import type { ChatResponse } from '../../bot/chat/wire.ts';
import type { HandoffResponse, MessageAttachment, ReadResponse, VisitorTicket } from '../../handoff/http/wire.ts';
import type { Lang } from './visitor-i18n.ts';

export type { ChatResponse };
export type ChatReply = NonNullable<ChatResponse['reply']>;
export type HandoffReply = HandoffResponse['reply'];

export interface MessagesPage {
  status: 'bot' | 'queued' | 'assigned' | 'closed';
  /** `agentName`: who wrote an agent message (a chat may have two agents). */
  messages: Array<{ id: number; author: 'visitor' | 'bot' | 'agent' | 'system'; text: string; createdAt: string; attachment?: MessageAttachment; agentName?: string }>;
  more?: boolean;
}

/** A failed call: HTTP status (0 = network) and the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from Retry-After, when given. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** The server refused this visitor (an agent blocked them): nothing is worth retrying, the widget says so calmly. */
export function isVisitorBlocked(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403 && err.code === 'visitor_blocked';
}

/** An ApiError from a refused response (its `{ error: { code, message } }` when it has one). */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  const json: unknown = await res.json().catch(() => undefined);
  const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? res.statusText, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

export interface VisitorApi {
  chat(body: { text: string; conversationId?: string; clientMessageId?: string; lang?: Lang; visitorId?: string; invitationId?: string; province?: string; visitor?: { pageUrl?: string; referrer?: string } }, token?: string): Promise<ChatResponse>;
  messages(conversationId: string, token: string, after: number): Promise<MessagesPage>;
  handoff(conversationId: string, token: string): Promise<HandoffResponse>;
  close(conversationId: string, token: string): Promise<unknown>;
  rate(conversationId: string, token: string, score: number, comment?: string): Promise<unknown>;
  ticket(conversationId: string, token: string, contact: string, text: string): Promise<{ text: string }>;
  /** The messages this conversation left and their answers. */
  tickets(conversationId: string, token: string): Promise<{ tickets: VisitorTicket[] }>;
  typing(conversationId: string, token: string, typing: boolean): Promise<unknown>;
  /** The visitor has been shown the chat up to message `upTo` (read receipts); the answer has both sides' markers. */
  read(conversationId: string, token: string, upTo: number): Promise<ReadResponse>;
  /** How far each side has read. */
  readState(conversationId: string, token: string): Promise<ReadResponse>;
  /** The URL of the live stream (read with fetch, for the Authorization header). */
  eventsUrl(conversationId: string): string;
}

export function createVisitorApi(server: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): VisitorApi {
  const base = server.replace(/\/+$/, '');
  const path = (id: string, tail: string) => `${base}/api/conversations/${encodeURIComponent(id)}/${tail}`;

  async function call<T>(url: string, init: { method?: string; token?: string | undefined; body?: unknown }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : 'network error');
    }
    if (res.status === 204) return undefined as T;
    if (!res.ok) throw await apiErrorOf(res);
    return (await res.json().catch(() => undefined)) as T;
  }

  return {
    chat: (body, token) => call(`${base}/api/chat`, { method: 'POST', token, body }),
    messages: (id, token, after) => call(`${path(id, 'messages')}?after=${after}`, { token }),
    handoff: (id, token) => call(path(id, 'handoff'), { method: 'POST', token }),
    close: (id, token) => call(path(id, 'close'), { method: 'POST', token }),
    rate: (id, token, score, comment) => call(path(id, 'rating'), { method: 'POST', token, body: comment ? { score, comment } : { score } }),
    ticket: (id, token, contact, text) => call(path(id, 'ticket'), { method: 'POST', token, body: { contact, text } }),
    tickets: (id, token) => call(path(id, 'tickets'), { token }),
    typing: (id, token, typing) => call(path(id, 'typing'), { method: 'POST', token, body: { typing } }),
    read: (id, token, upTo) => call(path(id, 'read'), { method: 'POST', token, body: { upTo } }),
    readState: (id, token) => call(path(id, 'read'), { token }),
    eventsUrl: (id) => path(id, 'events'),
  };
}
