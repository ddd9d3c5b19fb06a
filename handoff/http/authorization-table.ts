// Who may call each /api route: the one list SECURITY.md points to, checked against the real router by
// test/authorization-table.test.ts (a route missing here, or listed here but gone, fails it).
import type { AgentAccess } from '../agents/agent.ts';

/**
 * - `public`: no credential (sign-in, sign-out; same-origin still checked on changes).
 * - `visitor-token`: `Authorization: Bearer <conversation token>`; no header 401, a token of another
 *   conversation 404 (indistinguishable from a conversation that does not exist).
 * - `signed-in`: a session cookie of any enabled account, whatever its role (requireAgent('signed-in')):
 *   the account's own data only.
 * - `agent`: chat work; a session cookie of an enabled agent or admin (requireAgent()); none or expired
 *   401, an editor 403.
 * - `content`: content work (unanswered inbox, FAQ drafts); an enabled editor or admin
 *   (requireAgent('content')); an agent 403.
 * - `visitor-presence`: `Authorization: Bearer <presence token>` (the first page view, without one, returns it;
 *   the page-leave beacon may carry it in the body); none or unknown 401. Never a conversation token.
 * - `admin`: a session cookie of an enabled admin (requireAgent('admin')); agents and editors 403.
 * - `visitor-token-or-viewer`: a file of a chat, for both sides of it: its visitor's Bearer token, or the session of
 *   an agent who may view the chat (view-access.ts). Anyone else 404, a missing credential included, so nothing
 *   tells whether the file exists.
 * The levels and the roles they admit are ROLES_WITH_ACCESS in agent.ts; the session levels are AgentAccess.
 */
export type RouteAccess = 'public' | 'visitor-token' | 'visitor-presence' | 'visitor-token-or-viewer' | AgentAccess;

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
  // Visitor side (bot/chat/chat-routes.ts, handoff/conversations/visitor-routes.ts, handoff/live/live-routes.ts).
  { method: 'POST', path: '/api/chat', access: 'visitor-token', reason: 'without conversationId it starts a conversation (public, returns the token); continuing one needs its token' },
  { method: 'GET', path: '/api/conversations/:id/messages', access: 'visitor-token', reason: 'the transcript is private to the visitor holding the token' },
  { method: 'GET', path: '/api/conversations/:id/events', access: 'visitor-token', stream: true, reason: 'live messages of one conversation, to its visitor only' },
  { method: 'POST', path: '/api/conversations/:id/typing', access: 'visitor-token', reason: 'only the visitor may say the visitor is typing' },
  { method: 'POST', path: '/api/conversations/:id/handoff', access: 'visitor-token', reason: 'only the visitor may queue their chat for a person' },
  { method: 'POST', path: '/api/conversations/:id/close', access: 'visitor-token', reason: 'only the visitor may end their chat from the widget' },
  { method: 'POST', path: '/api/conversations/:id/rating', access: 'visitor-token', reason: 'only the visitor may rate their chat' },
  { method: 'POST', path: '/api/conversations/:id/ticket', access: 'visitor-token', reason: 'a message left for agents belongs to that conversation' },
  // Files in a chat with a person (handoff/conversations/attachments/attachment-routes.ts).
  { method: 'POST', path: '/api/conversations/:id/attachments', access: 'visitor-token', reason: 'only the visitor may send a file as the visitor, while a person has the chat' },
  { method: 'GET', path: '/api/conversations/:id/attachments/:attachmentId', access: 'visitor-token-or-viewer', reason: 'a file of the chat: its visitor, or an agent who may view the chat (admin reads audited); anyone else 404' },
  { method: 'GET', path: '/api/conversations/:id/tickets', access: 'visitor-token', reason: 'the messages this chat left and their answers, to its visitor only' },
  // Read receipts (handoff/conversations/read-markers/read-marker-routes.ts): message ids and times, no text.
  { method: 'GET', path: '/api/conversations/:id/read', access: 'visitor-token', reason: 'how far each side of the chat has read, to its visitor only' },
  { method: 'POST', path: '/api/conversations/:id/read', access: 'visitor-token', reason: 'only the visitor may say what the visitor has read' },

  // Visitors on the site (handoff/visitors/visitor-presence-routes.ts): page views and invitations, by presence token.
  { method: 'POST', path: '/api/visitor/pageview', access: 'visitor-presence', reason: 'without a token it starts a presence and returns its token; path only is kept' },
  { method: 'POST', path: '/api/visitor/pageleave', access: 'visitor-presence', reason: 'closes the time on the current page of the token\'s presence' },
  { method: 'GET', path: '/api/visitor/events', access: 'visitor-presence', stream: true, reason: 'invitations for this presence only' },
  { method: 'POST', path: '/api/visitor/invitations/:id/dismiss', access: 'visitor-presence', reason: 'only the invited visitor may dismiss' },
  { method: 'POST', path: '/api/visitor/invitations/:id/accept', access: 'visitor-presence', reason: 'only the invited visitor may accept' },
  { method: 'GET', path: '/api/agent/visitors', access: 'agent', reason: 'visitors online now: page paths and titles, no query strings, no addresses' },
  { method: 'POST', path: '/api/agent/visitors/:id/invite', access: 'agent', reason: 'any agent may invite a visitor online to chat' },
  { method: 'GET', path: '/api/admin/invitation-rules', access: 'admin', reason: 'automatic invitation rules' },
  { method: 'PUT', path: '/api/admin/invitation-rules', access: 'admin', reason: 'changes what every visitor is offered' },
  // The widget's welcome, warning banner and logo (handoff/visitor-texts/visitor-texts-routes.ts): shown to everyone.
  { method: 'GET', path: '/api/visitor/texts', access: 'public', reason: 'what every widget shows at start (welcome, warning banner, logo path); nothing private' },
  { method: 'GET', path: '/api/visitor/logo/:sha256', access: 'public', reason: 'the launcher logo every widget shows; a raster image judged by its bytes' },
  { method: 'GET', path: '/api/admin/visitor-texts', access: 'admin', reason: 'the saved texts and logo, with who saved them' },
  { method: 'PUT', path: '/api/admin/visitor-texts', access: 'admin', reason: 'changes what every visitor is shown; audited' },
  { method: 'PUT', path: '/api/admin/visitor-texts/logo', access: 'admin', reason: 'changes the logo every visitor is shown; audited' },
  { method: 'DELETE', path: '/api/admin/visitor-texts/logo', access: 'admin', reason: 'removes the logo every visitor is shown; audited' },

  // Signing in and out (handoff/auth/agent-auth-routes.ts).
  { method: 'POST', path: '/api/agent/login', access: 'public', reason: 'the way to get a session; limited per address and per username' },
  { method: 'POST', path: '/api/agent/logout', access: 'public', reason: 'ends the presented session if any and clears the cookie; never fails' },
  { method: 'GET', path: '/api/agent/me', access: 'signed-in', reason: 'the signed-in agent and session expiry' },
  { method: 'POST', path: '/api/agent/password', access: 'signed-in', reason: 'own password only, current password required, login limits apply' },

  // Queue and conversations (handoff/routing/agent-queue-routes.ts); per-conversation rights are checked by routing.
  { method: 'GET', path: '/api/agent/status', access: 'agent', reason: 'own presence' },
  { method: 'POST', path: '/api/agent/status', access: 'agent', reason: 'own presence' },
  { method: 'GET', path: '/api/agent/queue', access: 'agent', reason: 'waiting chats of the agent\'s groups (all for admins)' },
  { method: 'GET', path: '/api/agent/groups', access: 'agent', reason: 'group names and hours for transfer and queue views' },
  { method: 'GET', path: '/api/agent/conversations', access: 'agent', reason: 'chats the agent holds' },
  { method: 'POST', path: '/api/agent/conversations/:id/take', access: 'agent', reason: 'only from the agent\'s groups (routing checks)' },
  { method: 'GET', path: '/api/agent/conversations/:id', access: 'agent', reason: 'only a chat the agent holds, joined as a colleague, or that waits in their groups (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/messages', access: 'agent', reason: 'only the holder, or a colleague who joined it, may write (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/attachments', access: 'agent', reason: 'only the holder, or a colleague who joined the chat beside them, may send a file (checked before the file is read, and when it is stored)' },
  { method: 'POST', path: '/api/agent/conversations/:id/transfer', access: 'agent', reason: 'only the holder may transfer (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/close', access: 'agent', reason: 'only the holder may close (routing checks)' },
  { method: 'POST', path: '/api/agent/conversations/:id/block', access: 'agent', reason: 'only the holder or an admin may block a chat\'s visitor (same rule as transfer and close)' },
  { method: 'GET', path: '/api/agent/blocks/summary', access: 'agent', reason: 'counts only (the toolbar counter): no address or visitor id' },
  { method: 'GET', path: '/api/agent/tickets', access: 'agent', reason: 'messages left in the agent\'s groups (all for admins)' },
  { method: 'POST', path: '/api/agent/tickets/:id/answer', access: 'agent', reason: 'only tickets of the agent\'s groups (all for admins)' },

  // Canned replies (handoff/content/canned-reply-routes.ts): own and shared ones; the routes check ownership.
  { method: 'GET', path: '/api/agent/canned', access: 'agent', reason: 'own and shared canned replies' },
  { method: 'GET', path: '/api/agent/canned/:id', access: 'agent', reason: 'own or shared canned reply' },
  { method: 'POST', path: '/api/agent/canned', access: 'agent', reason: 'own canned reply (shared ones by admins)' },
  { method: 'PATCH', path: '/api/agent/canned/:id', access: 'agent', reason: 'own canned reply (shared ones by admins)' },
  { method: 'DELETE', path: '/api/agent/canned/:id', access: 'agent', reason: 'own canned reply (shared ones by admins)' },
  // The library's files (handoff/content/canned-file-routes.ts): kept by admins, used by agents.
  { method: 'POST', path: '/api/admin/canned/files', access: 'admin', reason: 'adds a file (png, jpeg, gif, webp, pdf judged by content) to the shared library; audited' },
  { method: 'GET', path: '/api/agent/canned/:id/file', access: 'agent', reason: 'a shared library file, which every agent may send; served so it never runs as a page' },
  { method: 'POST', path: '/api/agent/conversations/:id/canned-files/:cannedId', access: 'agent', reason: 'only the holder, or a colleague who joined the chat beside them, may send a library file into it (checked before and when it is stored)' },

  // Live delivery, colleagues, search (handoff/live/live-routes.ts, colleague-routes.ts, search-routes.ts).
  { method: 'GET', path: '/api/agent/events', access: 'agent', stream: true, reason: 'the agent\'s own events and the chats they hold' },
  { method: 'POST', path: '/api/agent/conversations/:id/typing', access: 'agent', reason: 'only the holder or a colleague who joined it (403 otherwise)' },
  { method: 'GET', path: '/api/agent/conversations/:id/read', access: 'agent', reason: 'how far each side has read, for an agent who may view the chat (403 otherwise, view-access.ts); ids and times only' },
  { method: 'POST', path: '/api/agent/conversations/:id/read', access: 'agent', reason: 'an agent who may view the chat (403 otherwise); only the holder (or a colleague taking part) moves what the visitor is told was read' },
  { method: 'GET', path: '/api/agent/colleagues', access: 'agent', reason: 'names and presence of colleagues, for transfers' },
  { method: 'GET', path: '/api/agent/conversations/:id/history', access: 'agent', reason: 'beside a chat the agent may view (403 otherwise): the visitor\'s other chats with date, agent, status; each opens only by view-access.ts; audited' },
  { method: 'GET', path: '/api/agent/search', access: 'agent', reason: 'only chats the agent may view (held now or waiting in their groups; any for admins), the conversation view\'s rule (view-access.ts); audited' },

  // Working together in a chat (handoff/collaboration/collaboration-routes.ts): colleagues and consults. A colleague who
  // joined reads and writes the chat like its holder while the holder keeps it; nobody else gains any access.
  { method: 'GET', path: '/api/agent/conversations/:id/participants', access: 'agent', reason: 'who is in a chat: for those who may view it (holder, colleagues joined, its groups while queued, admins); 403 otherwise' },
  { method: 'POST', path: '/api/agent/conversations/:id/invite', access: 'agent', reason: 'only the holder, or an admin, invites an online colleague into a held chat; audited' },
  { method: 'POST', path: '/api/agent/conversations/:id/accept', access: 'agent', reason: 'only the colleague invited, while the inviting holder keeps the chat; audited' },
  { method: 'POST', path: '/api/agent/conversations/:id/decline', access: 'agent', reason: 'only the colleague invited; audited' },
  { method: 'POST', path: '/api/agent/conversations/:id/leave', access: 'agent', reason: 'only a colleague who joined (the holder closes or transfers); audited' },
  { method: 'GET', path: '/api/agent/conversations/:id/consult', access: 'agent', reason: 'private notes between agents: all of them for those who may view the chat; a colleague asked from outside reads only what was exchanged with them; never the visitor' },
  { method: 'POST', path: '/api/agent/conversations/:id/consult', access: 'agent', reason: 'the holder, a colleague who joined or an admin asks; a colleague asked answers whoever asked them; never reaches the visitor' },
  { method: 'GET', path: '/api/agent/chat-invitations', access: 'agent', reason: 'the signed-in agent\'s own invitations into chats' },
  { method: 'GET', path: '/api/agent/consults', access: 'agent', reason: 'consults asked of the signed-in agent, with only the notes exchanged with them' },

  // Administration (handoff/agents/admin-agent-routes.ts, admin-group-routes.ts).
  { method: 'GET', path: '/api/admin/agents', access: 'admin', reason: 'account list' },
  { method: 'POST', path: '/api/admin/agents', access: 'admin', reason: 'creates accounts, sets roles' },
  { method: 'GET', path: '/api/admin/agents/:id', access: 'admin', reason: 'one account' },
  { method: 'PATCH', path: '/api/admin/agents/:id', access: 'admin', reason: 'changes roles, passwords, groups, disables accounts' },
  { method: 'GET', path: '/api/admin/groups', access: 'admin', reason: 'groups with their business hours' },
  { method: 'PUT', path: '/api/admin/groups/:id', access: 'admin', reason: 'creates or changes a group and its hours' },
  // Blocked visitors (handoff/visitors/visitor-block-routes.ts): addresses and visitor ids are personal data.
  { method: 'GET', path: '/api/admin/blocks', access: 'admin', reason: 'lists blocked addresses and visitor ids' },
  { method: 'POST', path: '/api/admin/blocks', access: 'admin', reason: 'blocks an address, a CIDR range or a visitor id without a chat' },
  { method: 'DELETE', path: '/api/admin/blocks/:id', access: 'admin', reason: 'lifts a block (lets the visitor back in)' },
  // Privacy (handoff/visitors/admin-visitor-routes.ts): :visitorKey names the visitor's conversation ids.
  { method: 'GET', path: '/api/admin/visitors/:visitorKey/transcripts', access: 'admin', reason: 'exports everything stored about a visitor (personal data)' },
  { method: 'DELETE', path: '/api/admin/visitors/:visitorKey/transcripts', access: 'admin', reason: 'erases a visitor\'s conversations (irreversible)' },
  // Supervisors' monitor (handoff/supervision/monitor-routes.ts): every agent's state and any chat, read-only.
  { method: 'GET', path: '/api/admin/monitor', access: 'admin', reason: 'every agent\'s presence and load, the queue, all active chats (masked previews)' },
  { method: 'POST', path: '/api/admin/monitor/:id/watch', access: 'admin', reason: 'follows any chat live, read-only, on the admin\'s own stream' },
  { method: 'DELETE', path: '/api/admin/monitor/:id/watch', access: 'admin', reason: 'stops following a chat' },
  // Reports (handoff/supervision/report-routes.ts).
  { method: 'GET', path: '/api/admin/reports', access: 'admin', reason: 'service figures, per-agent handling times and ratings' },
  { method: 'GET', path: '/api/admin/reports.csv', access: 'admin', reason: 'the same figures as a CSV download' },
  // Unanswered inbox (handoff/content/unanswered-routes.ts): content work, for editors and admins.
  { method: 'GET', path: '/api/admin/unanswered', access: 'content', reason: 'visitors\' questions the bot missed (masked), grouped for editors' },
  { method: 'POST', path: '/api/admin/unanswered/dismiss', access: 'content', reason: 'marks a group of missed questions handled' },
  { method: 'POST', path: '/api/admin/unanswered/change', access: 'content', reason: 'returns a KB change file to download; never writes the live KB' },
  // FAQ drafts (handoff/content/faq-draft-routes.ts): agents save answers; editing them is content work (the `editor` role gets the admin ones too).
  { method: 'POST', path: '/api/agent/conversations/:id/faq-drafts', access: 'agent', reason: 'only an agent who holds or held the handed-off chat (admins any); the route checks' },
  { method: 'GET', path: '/api/admin/faq-drafts', access: 'content', reason: 'agents\' saved answers with visitors\' questions (masked), for editors' },
  { method: 'POST', path: '/api/admin/faq-drafts/:id/dismiss', access: 'content', reason: 'marks a draft not worth a KB change' },
  { method: 'POST', path: '/api/admin/faq-drafts/:id/change', access: 'content', reason: 'returns a KB change file from a draft (marks it used); never writes the live KB' },
  // Audit log (handoff/supervision/audit-routes.ts): who changed what; names accounts and actions, never secrets.
  { method: 'GET', path: '/api/admin/audit', access: 'admin', reason: 'every admin and editor change, with who made it' },
];
