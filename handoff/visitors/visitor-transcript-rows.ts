// The rows a transcript export reads (both engines select the same columns) and the exported conversation made
// of them.
import type { VisitorTranscriptExport } from './visitor-transcripts.ts';

type ExportedConversation = VisitorTranscriptExport['conversations'][number];

export interface ExportConversationRow {
  id: string;
  status: string;
  lang: string;
  group_id: string | null;
  visitor_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  page_url: string | null;
  referrer: string | null;
  created_at: string;
  closed_at: string | null;
}

export interface ExportMessageRow {
  id: number;
  author: string;
  text: string;
  kind: string | null;
  agent_id: string | null;
  created_at: string;
}

export interface ExportTicketRow {
  id: number;
  contact: string;
  text: string;
  status: string;
  answer: string | null;
  created_at: string;
  answered_at: string | null;
}

export interface ExportRatingRow {
  rating: number;
  rating_comment: string | null;
  rated_at: string | null;
  closed_at: string;
}

export interface ExportAttachmentRow {
  id: string;
  name: string;
  type: string;
  size: number | string;
  author: string;
  agent_id: string | null;
  created_at: string;
}

export function exportedConversation(
  r: ExportConversationRow,
  rows: { messages: ExportMessageRow[]; tickets: ExportTicketRow[]; ratings: ExportRatingRow[]; attachments: ExportAttachmentRow[] },
): ExportedConversation {
  return {
    id: r.id,
    status: r.status,
    lang: r.lang,
    groupId: r.group_id,
    visitorId: r.visitor_id,
    clientIp: r.client_ip,
    userAgent: r.user_agent,
    pageUrl: r.page_url,
    referrer: r.referrer,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    messages: rows.messages.map((m) => ({
      id: m.id, author: m.author, text: m.text, kind: m.kind, agentId: m.agent_id, createdAt: m.created_at,
    })),
    tickets: rows.tickets.map((t) => ({
      id: t.id, contact: t.contact, text: t.text, status: t.status, answer: t.answer, createdAt: t.created_at, answeredAt: t.answered_at,
    })),
    ratings: rows.ratings.map((x) => ({ rating: x.rating, comment: x.rating_comment, ratedAt: x.rated_at, closedAt: x.closed_at })),
    attachments: rows.attachments.map((a) => ({
      id: a.id, name: a.name, type: a.type, size: Number(a.size), author: a.author, agentId: a.agent_id, createdAt: a.created_at,
    })),
  };
}
