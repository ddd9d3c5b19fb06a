// The widget's admin-set and left-message notices, as templates <chat-widget> places: the warning banner above the
// chat, the left message quoted above its answer, and messages still waiting; with their look.
import { css, html, nothing, type TemplateResult } from 'lit';
import type { VisitorTicket } from '../../handoff/http/wire.ts';
import { richText } from './ui-rich-text.ts';
import { formatTime, type Strings } from './visitor-i18n.ts';

/** The admins' warning (an anti-fraud notice) at the top of the chat, in the visitor's language; nothing when unset. */
export function renderBanner(text: string, s: Strings): TemplateResult | typeof nothing {
  if (!text) return nothing;
  return html`<div class="warning-banner" role="note" aria-label=${s.bannerLabel} data-testid="warning-banner">
    <span class="warning-icon" aria-hidden="true">⚠</span>
    <p>${richText(text)}</p>
  </div>`;
}

/** Above an agent message that answers a left message: what it answers, and when that was left. */
export function renderAnswerHeader(ticket: VisitorTicket, s: Strings): TemplateResult {
  // On one line: the bubble keeps white space (pre-wrap), so line breaks in the template would show.
  // prettier-ignore
  return html`<span class="reply-label" data-testid="ticket-reply-label">${s.ticketReplyLabel}</span><span class="reply-quote" data-testid="ticket-reply-quote"><span class="reply-quote-head">${s.ticketYours(formatTime(ticket.createdAt))}</span>${richText(ticket.text)}</span>`;
}

/** Messages left and not answered yet: shown as received, so a visitor who comes back knows they are not lost. */
export function renderWaiting(tickets: readonly VisitorTicket[], s: Strings): TemplateResult | typeof nothing {
  if (tickets.length === 0) return nothing;
  return html`${tickets.map(
    (t) => html`<div class="left-message" data-testid="left-message-waiting">
      <span class="reply-quote-head">${s.ticketYours(formatTime(t.createdAt))}</span>
      <div class="left-text">${richText(t.text)}</div>
      <p class="left-status">${s.ticketWaiting}</p>
    </div>`,
  )}`;
}

export const noticeStyles = css`
  /* The welcome may be an admin's, with line breaks. */
  .welcome {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .warning-banner {
    display: flex;
    gap: 8px;
    align-items: flex-start;
    padding: 8px 14px;
    background: var(--cw-warning-bg);
    color: var(--cw-warning-text);
    border-bottom: 1px solid var(--cw-warning-border);
    font-size: 13px;
    line-height: 1.45;
  }
  .warning-banner p {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .warning-banner a {
    color: inherit;
  }
  .warning-icon {
    flex: none;
    font-size: 15px;
    line-height: 1.3;
  }
  .reply-label {
    display: block;
    font-size: 12px;
    font-weight: 600;
    color: var(--cw-muted);
    margin-bottom: 4px;
  }
  .reply-quote,
  .left-message {
    display: block;
    margin: 0 0 6px;
    padding: 4px 8px;
    border-left: 3px solid var(--cw-border);
    color: var(--cw-muted);
    font-size: 13px;
  }
  .reply-quote-head {
    display: block;
    font-size: 12px;
  }
  .left-message {
    margin: 4px 0 12px;
    border-left-color: var(--cw-primary);
    background: var(--cw-bot-bg);
    border-radius: 0 8px 8px 0;
    padding: 8px 10px;
  }
  .left-text {
    color: var(--cw-text);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .left-status {
    margin: 4px 0 0;
    font-size: 12px;
  }
  .launcher .logo {
    width: 28px;
    height: 28px;
    border-radius: 6px;
    object-fit: contain;
    background: var(--cw-primary-text);
  }
`;
