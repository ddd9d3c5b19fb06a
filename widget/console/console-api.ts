// The console's calls to the server: same-origin JSON with the session cookie; errors as ApiError.
import type { AttachmentResponse } from '../../handoff/http/wire.ts';
import type { ChatInvitationJson, ConsultNoteJson, ConsultThreadJson, ParticipantsJson, ViewParticipant } from '../../handoff/http/wire.ts';
import type { ReadResponse, AdminVisitorTexts, Colleague, ProvinceOption, Agent, AgentRole, AgentStatus, AgentRecord, BusinessHours, CannedReply, ConversationView, ViewMessage, HeldItem, QueueItem, MonitorSnapshot, SearchResult, VisitorHistoryItem, Ticket, TicketStatus, FaqDraftJson, FaqDraftStatus, InvitationRule, Report, KbChange, UnansweredGroup, BlockJson, BlockSummary, VisitorJson } from '../../handoff/http/wire.ts';

export type { ChatInvitationJson, ConsultNoteJson, ConsultThreadJson, ParticipantsJson, ViewParticipant };
export type { AdminVisitorTexts, BlockSummary, FaqDraftJson, FaqDraftStatus, InvitationRule, KbChange, Report };
export type { Agent, AgentRecord, AgentStatus, BusinessHours, CannedReply, ConversationView, HeldItem, ProvinceOption, QueueItem, SearchResult, Ticket, ViewMessage, VisitorHistoryItem };

/** A 4xx/5xx answer: the server's `{ error: { code, message } }`, or the status alone. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** GET /api/agent/visitors (handoff/visitors/visitor-presence-routes.ts). */
export type OnlineVisitor = VisitorJson;

/** One group of GET /api/admin/unanswered: the server's group without its stored row ids. */
export type UnansweredGroupView = Omit<UnansweredGroup, 'rowIds'>;

export interface AgentGroup {
  id: string;
  name: string;
  open: boolean;
  opensAt?: string;
}

export interface AdminGroup extends AgentGroup {
  hours: BusinessHours;
  /** Province ids served; empty: every province. */
  provinces: string[];
  /** Knowledge-base group keys served; empty: every subject. */
  skills: string[];
}

export interface NewAgent {
  username: string;
  displayName: string;
  password: string;
  role: AgentRole;
  groups: string[];
  capacity: number;
}

export interface NewCanned {
  shortcut: string;
  title: string;
  /** A text's words; a link has `url` instead. */
  text?: string;
  /** Default `text`; `link` (admins): a title and an http(s) `url`. Files go through uploadCannedFile. */
  kind?: 'text' | 'link';
  url?: string;
  lang?: 'zh' | 'en' | null;
  /** null or absent: no category. */
  category?: string | null;
  shared?: boolean;
}

export interface SearchQuery {
  q: string;
  from?: string;
  to?: string;
  status?: string;
  before?: number;
}

/** A visitor block as the server describes it (GET /api/admin/blocks, POST …/block). */
export type VisitorBlock = BlockJson;

export interface NewBlock {
  by: 'ip' | 'visitor';
  reason?: string;
  /** 1-8760; null = until lifted. */
  durationHours: number | null;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Builds a query string from the defined, non-empty values. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class ConsoleApi {
  /** `base` is the server's origin ('' = this page's, the only one the session cookie and Origin check allow). */
  constructor(readonly base = '') {}

  /**
   * Called when a signed-in call is answered 401 (the session ended or expired): the console signs out. Screens
   * without the live stream (an editor's) learn of an ended session only this way. Not for the sign-in itself.
   */
  onUnauthorized: (() => void) | undefined;

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchOk(method, path, 'application/json', body);
    if (res.status === 204) return undefined as T;
    return (await res.json().catch(() => undefined)) as T;
  }

  /** A POST answered with a file (a KB change's YAML): its body and the name the server gives it. */
  async requestFile(path: string, body: unknown, fallbackName: string): Promise<{ name: string; blob: Blob }> {
    const res = await this.fetchOk('POST', path, '*/*', body);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
    return { name, blob: await res.blob() };
  }

  /** The response when it is 2xx; otherwise ApiError from the server's `{ error }` (status 0: no answer). */
  private async fetchOk(method: Method, path: string, accept: string, body?: unknown): Promise<Response> {
    const init: RequestInit = { method, credentials: 'same-origin', headers: { accept } };
    // A form (a file upload) goes as multipart: the browser writes its Content-Type with the boundary.
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers = { accept, 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, init);
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : 'network error');
    }
    if (!res.ok) {
      if (res.status === 401 && path !== '/api/agent/login') this.onUnauthorized?.();
      const data: unknown = await res.json().catch(() => undefined);
      const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? res.statusText);
    }
    return res;
  }

  login(username: string, password: string) {
    return this.request<{ agent: Agent }>('POST', '/api/agent/login', { username, password });
  }
  logout() {
    return this.request<void>('POST', '/api/agent/logout');
  }
  me() {
    return this.request<{ agent: Agent }>('GET', '/api/agent/me');
  }
  status() {
    return this.request<{ status: AgentStatus }>('GET', '/api/agent/status');
  }
  setStatus(status: AgentStatus) {
    return this.request<{ status: AgentStatus }>('POST', '/api/agent/status', { status });
  }
  queue() {
    return this.request<{ conversations: QueueItem[] }>('GET', '/api/agent/queue');
  }
  held() {
    return this.request<{ conversations: HeldItem[] }>('GET', '/api/agent/conversations');
  }
  groups() {
    return this.request<{ groups: AgentGroup[]; provinces: ProvinceOption[] }>('GET', '/api/agent/groups');
  }
  take(id: string) {
    return this.request<ConversationView>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/take`);
  }
  /** The visitor's other conversations beside this chat (handoff/search/visitor-history-routes.ts). */
  history(id: string) {
    return this.request<{ conversations: VisitorHistoryItem[] }>('GET', `/api/agent/conversations/${encodeURIComponent(id)}/history`);
  }
  view(id: string, after?: number) {
    return this.request<ConversationView>('GET', `/api/agent/conversations/${encodeURIComponent(id)}${queryString({ after })}`);
  }
  /** With `clientMessageId`, a repeat (a retry after a lost response) stores nothing and returns the first message. */
  send(id: string, text: string, clientMessageId?: string) {
    return this.request<{ message: ViewMessage }>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/messages`, clientMessageId ? { text, clientMessageId } : { text });
  }
  /** Read receipts: the agent has had the chat open up to message `upTo` (moves the visitor-facing marker only for the holder). */
  markRead(id: string, upTo: number) {
    return this.request<ReadResponse>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/read`, { upTo });
  }
  /** How far each side of the chat has read. */
  readState(id: string) {
    return this.request<ReadResponse>('GET', `/api/agent/conversations/${encodeURIComponent(id)}/read`);
  }
  typing(id: string, typing: boolean) {
    return this.request<void>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/typing`, { typing });
  }
  transfer(id: string, target: { agent: string } | { group: string }, note?: string) {
    return this.request<unknown>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/transfer`, note ? { ...target, note } : target);
  }
  close(id: string) {
    return this.request<unknown>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/close`);
  }
  /** Blocks the visitor of this chat (holder or admin) and closes the chat. */
  block(id: string, input: NewBlock) {
    return this.request<{ block: VisitorBlock }>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/block`, input);
  }
  blockSummary() {
    return this.request<BlockSummary>('GET', '/api/agent/blocks/summary');
  }
  canned(q: string, lang?: string) {
    return this.request<{ replies: CannedReply[] }>('GET', `/api/agent/canned${queryString({ q, lang, limit: 20 })}`);
  }
  allCanned(category?: string) {
    return this.request<{ replies: CannedReply[] }>('GET', `/api/agent/canned${queryString({ limit: 200, category })}`);
  }
  createCanned(input: NewCanned) {
    return this.request<{ reply: CannedReply }>('POST', '/api/agent/canned', input);
  }
  /** Adds a file (admins) to the shared library: the file's bytes and the entry's fields, as one multipart form. */
  uploadCannedFile(file: File, fields: { shortcut: string; title?: string; lang?: string; category?: string }) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') form.append(k, v);
    form.append('file', file, file.name || 'file');
    return this.request<{ reply: CannedReply }>('POST', '/api/admin/canned/files', form);
  }
  /** Sends a library file into the chat the agent holds: an attachment message, as an upload makes. */
  sendCannedFile(conversationId: string, cannedId: string) {
    return this.request<AttachmentResponse>('POST', `/api/agent/conversations/${encodeURIComponent(conversationId)}/canned-files/${encodeURIComponent(cannedId)}`);
  }
  /** Where a library file is read (images shown, PDFs downloaded). */
  cannedFileUrl(id: string): string {
    return `${this.base}/api/agent/canned/${encodeURIComponent(id)}/file`;
  }
  updateCanned(id: string, patch: Partial<Omit<NewCanned, 'shared'>>) {
    return this.request<{ reply: CannedReply }>('PATCH', `/api/agent/canned/${encodeURIComponent(id)}`, patch);
  }
  deleteCanned(id: string) {
    return this.request<void>('DELETE', `/api/agent/canned/${encodeURIComponent(id)}`);
  }
  search(query: SearchQuery) {
    return this.request<{ results: SearchResult[]; more: boolean }>(
      'GET',
      `/api/agent/search${queryString({ q: query.q, from: query.from, to: query.to, status: query.status, before: query.before })}`,
    );
  }
  tickets(status: TicketStatus) {
    return this.request<{ tickets: Ticket[] }>('GET', `/api/agent/tickets${queryString({ status })}`);
  }
  answerTicket(id: number, text: string) {
    return this.request<{ ticket: Ticket }>('POST', `/api/agent/tickets/${id}/answer`, { text });
  }
  /** Who is in a chat beside its holder (handoff/collaboration/). */
  participants(id: string) {
    return this.request<ParticipantsJson>('GET', `/api/agent/conversations/${encodeURIComponent(id)}/participants`);
  }
  /** The holder (or an admin) asks an online colleague into the chat; they accept or decline in their console. */
  inviteColleague(id: string, agent: string, note?: string) {
    return this.request<{ participant: ViewParticipant }>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/invite`, note ? { agent, note } : { agent });
  }
  /** The invited colleague's answer, or a joined colleague leaving. */
  answerInvitation(id: string, answer: 'accept' | 'decline' | 'leave') {
    return this.request<{ participant: ViewParticipant }>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/${answer}`);
  }
  chatInvitations() {
    return this.request<{ invitations: ChatInvitationJson[] }>('GET', '/api/agent/chat-invitations');
  }
  /** Private notes between agents about a chat (never shown to the visitor). */
  consultNotes(id: string) {
    return this.request<{ notes: ConsultNoteJson[] }>('GET', `/api/agent/conversations/${encodeURIComponent(id)}/consult`);
  }
  consult(id: string, text: string, to?: string) {
    return this.request<{ note: ConsultNoteJson }>('POST', `/api/agent/conversations/${encodeURIComponent(id)}/consult`, to ? { text, to } : { text });
  }
  /** Consults colleagues asked of the signed-in agent, per chat. */
  consults() {
    return this.request<{ threads: ConsultThreadJson[] }>('GET', '/api/agent/consults');
  }
  /** Every enabled agent with presence, for the transfer dialog (any signed-in agent). */
  colleagues() {
    return this.request<{ colleagues: Colleague[] }>('GET', '/api/agent/colleagues');
  }

  agents() {
    return this.request<{ agents: AgentRecord[] }>('GET', '/api/admin/agents');
  }
  createAgent(input: NewAgent) {
    return this.request<{ agent: AgentRecord }>('POST', '/api/admin/agents', input);
  }
  updateAgent(id: string, patch: Partial<Omit<NewAgent, 'username'>> & { disabled?: boolean }) {
    return this.request<{ agent: AgentRecord }>('PATCH', `/api/admin/agents/${encodeURIComponent(id)}`, patch);
  }
  adminGroups() {
    return this.request<{ groups: AdminGroup[]; alwaysOpen: boolean; provinces: ProvinceOption[] }>('GET', '/api/admin/groups');
  }
  blocks() {
    return this.request<{ blocks: VisitorBlock[] }>('GET', '/api/admin/blocks');
  }
  liftBlock(id: string) {
    return this.request<{ block: VisitorBlock }>('DELETE', `/api/admin/blocks/${encodeURIComponent(id)}`);
  }
  /** Visitors on the site now (polled every 5 s by the Visitors screen). */
  visitors() {
    return this.request<{ visitors: OnlineVisitor[] }>('GET', '/api/agent/visitors');
  }
  inviteVisitor(id: string, text?: string) {
    return this.request<{ invitation: { id: string } }>('POST', `/api/agent/visitors/${encodeURIComponent(id)}/invite`, text ? { text } : {});
  }
  invitationRules() {
    return this.request<{ rules: InvitationRule[] }>('GET', '/api/admin/invitation-rules');
  }
  saveInvitationRules(rules: Array<Omit<InvitationRule, 'id'> & { id?: string }>) {
    return this.request<{ rules: InvitationRule[] }>('PUT', '/api/admin/invitation-rules', { rules });
  }
  /** The supervisors' monitor (admins): agents' presence and load, the queue, active chats. */
  monitor() {
    return this.request<MonitorSnapshot>('GET', '/api/admin/monitor');
  }
  /** Follow (or stop following) a chat read-only on this session's live streams. */
  watch(id: string, watching: boolean) {
    return this.request<{ conversationId: string; watching: boolean }>(watching ? 'POST' : 'DELETE', `/api/admin/monitor/${encodeURIComponent(id)}/watch`);
  }
  /** Creates or replaces a group: every field is sent, since an absent list means "every province / subject". */
  putGroup(id: string, group: { name: string; hours: BusinessHours; provinces: string[]; skills: string[] }) {
    return this.request<{ group: AdminGroup }>('PUT', `/api/admin/groups/${encodeURIComponent(id)}`, group);
  }
  /** Saves an agent's answer in a handed-off chat as an FAQ draft (question defaults to the visitor's; both masked). */
  saveFaqDraft(conversationId: string, input: { messageId: number; question?: string; answer?: string }) {
    return this.request<{ draft: FaqDraftJson }>('POST', `/api/agent/conversations/${encodeURIComponent(conversationId)}/faq-drafts`, input);
  }
  faqDrafts(status: FaqDraftStatus = 'open') {
    return this.request<{ drafts: FaqDraftJson[] }>('GET', `/api/admin/faq-drafts${queryString({ status })}`);
  }
  dismissFaqDraft(id: number) {
    return this.request<{ draft: FaqDraftJson }>('POST', `/api/admin/faq-drafts/${id}/dismiss`);
  }
  /** The editors' inbox of questions the bot missed, grouped. */
  unanswered(limit = 100) {
    return this.request<{ questions: UnansweredGroupView[] }>('GET', `/api/admin/unanswered${queryString({ limit })}`);
  }
  dismissUnanswered(groupKey: string) {
    return this.request<{ dismissed: number }>('POST', '/api/admin/unanswered/dismiss', { groupKey });
  }
  /** A KB change file for unanswered questions, checked by the server against the live KB. */
  unansweredChange(change: KbChange) {
    return this.requestFile('/api/admin/unanswered/change', change, 'kb-change.yaml');
  }
  /** A KB change file from an FAQ draft (the server marks the draft used). */
  faqDraftChange(id: number, change: KbChange) {
    return this.requestFile(`/api/admin/faq-drafts/${id}/change`, { change }, 'kb-change.yaml');
  }
  /** The widget's admin-edited welcome, warning banner and logo, with the knowledge base's default welcome. */
  visitorTexts() {
    return this.request<AdminVisitorTexts>('GET', '/api/admin/visitor-texts');
  }
  saveVisitorTexts(texts: { welcome: { zh: string; en: string }; banner: { zh: string; en: string } }) {
    return this.request<AdminVisitorTexts>('PUT', '/api/admin/visitor-texts', texts);
  }
  /** `image`: a data: URL of the picked file (the server judges its type by its bytes). */
  saveVisitorLogo(image: string) {
    return this.request<AdminVisitorTexts>('PUT', '/api/admin/visitor-texts/logo', { image });
  }
  removeVisitorLogo() {
    return this.request<AdminVisitorTexts>('DELETE', '/api/admin/visitor-texts/logo');
  }
  /** The supervisors' report of a range of dates (Beijing days; `to` exclusive). */
  reports(from: string, to: string) {
    return this.request<Report>('GET', `/api/admin/reports${queryString({ from, to })}`);
  }
  /** Where the same report downloads as CSV (a plain link: the browser saves it with the session cookie). */
  reportsCsvUrl(from: string, to: string): string {
    return `${this.base}/api/admin/reports.csv${queryString({ from, to })}`;
  }
}
