// Who may call each /api route: the one list SECURITY.md points to, checked against the real router by
// test/authorization-table.test.ts (a route missing here, or listed here but gone, fails it).

/**
 * - `public`: no credential (sign-in, sign-out; same-origin still checked on changes).
 * - `visitor-token`: `Authorization: Bearer <conversation token>`; no header 401, a token of another
 *   conversation 404 (indistinguishable from a conversation that does not exist).
 * - `agent`: a session cookie of any enabled agent or admin (requireAgent()); none or expired 401.
 * - `admin`: a session cookie of an enabled admin (requireAgent('admin')); an agent gets 403.
 */
export type RouteAccess = 'public' | 'visitor-token' | 'agent' | 'admin';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AuthorizedRoute {
  method: RouteMethod;
  /** Hono path pattern exactly as registered (`:id` parameters). */
  path: string;
  access: RouteAccess;
  /** A Server-Sent Events stream: stays open once authorized. */
  stream?: true;
  /** Why this access level, in one line. */
  reason: string;
}

export const authorizationTable: readonly AuthorizedRoute[] = [
  // Visitor side (bot/chat-routes.ts, handoff/visitor-routes.ts, handoff/live-routes.ts).
  { method: 'POST', path: '/api/chat', access: 'visitor-token', reason: 'without conversationId it starts a conversation (public, returns the token); continuing one needs its token' },
  { method: 'GET', path: '/api/conversations/:id/messages', access: 'visitor-token', reason: 'the transcript is private to the visitor holding the token' },
  { method: 'GET', path: '/api/conversations/:id/events', access: 'visitor-token', stream: true, reason: 'live messages of one conversation, to its visitor only' },
  { method: 'POST', path: '/api/conversations/:id/typing', access: 'visitor-token', reason: 'only the visitor may say the visitor is typing' },
  { method: 'POST', path: '/api/conversations/:id/handoff', access: 'visitor-token', reason: 'only the visitor may queue their chat for a person' },
  { method: 'POST', path: '/api/conversations/:id/close', access: 'visitor-token', reason: 'only the visitor may end their chat from the widget' },
  { method: 'POST', path: '/api/conversations/:id/rating', access: 'visitor-token', reason: 'only the visitor may rate their chat' },
  { method: 'POST', path: '/api/conversations/:id/ticket', access: 'visitor-token', reason: 'a message left for agents belongs to that conversation' },

  // Signing in and out (handoff/agent-auth-routes.ts).
  { method: 'POST', path: '/api/agent/login', access: 'public', reason: 'the way to get a session; limited per address and per username' },
  { method: 'POST', path: '/api/agent/logout', access: 'public', reason: 'ends the presented session if any and clears the cookie; never fails' },
  { method: 'GET', path: '/api/agent/me', access: 'agent', reason: 'the signed-in agent and session expiry' },
  { method: 'POST', path: '/api/agent/password', access: 'agent', reason: 'own password only, current password required, login limits apply' },

  // Queue and conversations (handoff/agent-queue-routes.ts); per-conversation rights are checked by routing.
  { method: 'GET', path: '/api/agent/status', access: 'agent', reason: 'own presence' },
  { method: 'POST', path: '/api/agent/status', access: 'agent', reason: 'own presence' },
  { method: 'GET', path: '/api/agent/queue', access: 'agent', reason: 'waiting chats of the agent\'s groups (all for admins)' },
  { method: 'GET', path: '/api/agent/groups', access: 'agent', reason: 'group names and hours for transfer and queue views' },
  { method: 'GET', path: '/api/agent/conversations', access: 'agent', reason: 'chats the agent holds' },
  { method: 'POST', path: '/api/agent/conversations/:id/take', access: 'agent', reason: 'only from the agent\'s groups (routing checks)' },
  { method: 'GET', path: '/api/agent/conversations/:id', access: 'agent', reason: 'only a chat the agent holds or that waits in their groups (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/messages', access: 'agent', reason: 'only the holder may write (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/transfer', access: 'agent', reason: 'only the holder may transfer (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/close', access: 'agent', reason: 'only the holder may close (routing checks)' },
  { method: 'GET', path: '/api/agent/tickets', access: 'agent', reason: 'messages left in the agent\'s groups (all for admins)' },
  { method: 'POST', path: '/api/agent/tickets/:id/answer', access: 'agent', reason: 'only tickets of the agent\'s groups (all for admins)' },

  // Canned replies (handoff/canned-reply-routes.ts): own and shared ones; the routes check ownership.
  { method: 'GET', path: '/api/agent/canned', access: 'agent', reason: 'own and shared canned replies' },
  { method: 'GET', path: '/api/agent/canned/:id', access: 'agent', reason: 'own or shared canned reply' },
  { method: 'POST', path: '/api/agent/canned', access: 'agent', reason: 'own canned reply (shared ones by admins)' },
  { method: 'PATCH', path: '/api/agent/canned/:id', access: 'agent', reason: 'own canned reply (shared ones by admins)' },
  { method: 'DELETE', path: '/api/agent/canned/:id', access: 'agent', reason: 'own canned reply (shared ones by admins)' },

  // Live delivery, colleagues, search (handoff/live-routes.ts, colleague-routes.ts, search-routes.ts).
  { method: 'GET', path: '/api/agent/events', access: 'agent', stream: true, reason: 'the agent\'s own events and the chats they hold' },
  { method: 'POST', path: '/api/agent/conversations/:id/typing', access: 'agent', reason: 'only the holder (403 otherwise)' },
  { method: 'GET', path: '/api/agent/colleagues', access: 'agent', reason: 'names and presence of colleagues, for transfers' },
  { method: 'GET', path: '/api/agent/search', access: 'agent', reason: 'transcripts the agent held (any for admins)' },

  // Administration (handoff/admin-agent-routes.ts, admin-group-routes.ts).
  { method: 'GET', path: '/api/admin/agents', access: 'admin', reason: 'account list' },
  { method: 'POST', path: '/api/admin/agents', access: 'admin', reason: 'creates accounts, sets roles' },
  { method: 'GET', path: '/api/admin/agents/:id', access: 'admin', reason: 'one account' },
  { method: 'PATCH', path: '/api/admin/agents/:id', access: 'admin', reason: 'changes roles, passwords, groups, disables accounts' },
  { method: 'GET', path: '/api/admin/groups', access: 'admin', reason: 'groups with their business hours' },
  { method: 'PUT', path: '/api/admin/groups/:id', access: 'admin', reason: 'creates or changes a group and its hours' },
  // Privacy (handoff/admin-visitor-routes.ts): :visitorKey names the visitor's conversation ids.
  { method: 'GET', path: '/api/admin/visitors/:visitorKey/transcripts', access: 'admin', reason: 'exports everything stored about a visitor (personal data)' },
  { method: 'DELETE', path: '/api/admin/visitors/:visitorKey/transcripts', access: 'admin', reason: 'erases a visitor\'s conversations (irreversible)' },
];
