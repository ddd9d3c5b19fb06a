// The three request mixes of the HTTP bench as autocannon request lists: GET /healthz, POST /api/chat
// starting a conversation per request, and POST /api/chat continuing conversations of a pool.
import type autocannon from 'autocannon';
import type { ChatQuestion } from './chat-questions.ts';

export type LoadKind = 'healthz' | 'chat-new' | 'chat-continuing';

export const LOAD_LABELS: Record<LoadKind, string> = {
  healthz: 'GET /healthz',
  'chat-new': 'POST /api/chat, new conversation',
  'chat-continuing': 'POST /api/chat, continuing conversation',
};

export interface PooledConversation {
  conversationId: string;
  token: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const body = (q: ChatQuestion, conversationId?: string) =>
  JSON.stringify({ text: q.text, ...(q.lang ? { lang: q.lang } : {}), ...(conversationId ? { conversationId } : {}) });

export function loadRequests(kind: LoadKind, questions: readonly ChatQuestion[], pool: readonly PooledConversation[]): autocannon.Request[] {
  // One counter for all connections: every request asks the next question (and the next conversation).
  let n = 0;
  const question = () => questions[n++ % questions.length]!;
  switch (kind) {
    case 'healthz':
      return [{ method: 'GET', path: '/healthz' }];
    case 'chat-new':
      return [
        {
          method: 'POST',
          path: '/api/chat',
          headers: JSON_HEADERS,
          setupRequest: (req) => ({ ...req, body: body(question()) }),
        },
      ];
    case 'chat-continuing': {
      let c = 0;
      return [
        {
          method: 'POST',
          path: '/api/chat',
          setupRequest: (req) => {
            const conversation = pool[c++ % pool.length]!;
            return {
              ...req,
              headers: { ...JSON_HEADERS, authorization: `Bearer ${conversation.token}` },
              body: body(question(), conversation.conversationId),
            };
          },
        },
      ];
    }
  }
}

/** Starts `size` conversations one by one (each with a question), for the continuing load. */
export async function createPool(url: string, size: number, questions: readonly ChatQuestion[]): Promise<PooledConversation[]> {
  const pool: PooledConversation[] = [];
  for (let i = 0; i < size; i++) {
    const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: JSON_HEADERS, body: body(questions[(i * 7) % questions.length]!) });
    const json = (await res.json()) as { conversationId?: string; token?: string };
    if (!res.ok || !json.conversationId || !json.token) {
      throw new Error(`bench http: starting a conversation failed with ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
    }
    pool.push({ conversationId: json.conversationId, token: json.token });
  }
  return pool;
}

/** One request of each chat kind before the load, so a broken setup fails loudly instead of as non-2xx counts. */
export async function checkChat(url: string, pool: readonly PooledConversation[], question: ChatQuestion): Promise<void> {
  const conversation = pool[0]!;
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${conversation.token}` },
    body: body(question, conversation.conversationId),
  });
  const json = (await res.json()) as { conversationId?: string; reply?: { kind?: string } | null };
  if (!res.ok || json.conversationId !== conversation.conversationId || !json.reply?.kind) {
    throw new Error(`bench http: continuing a conversation failed with ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
  }
}
