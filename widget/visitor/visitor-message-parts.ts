// Who wrote what in the widget: the avatar beside a bot or agent message, the read receipt under the visitor's newest
// message, and the bubbles' looks that tell bot, agent, visitor and system apart (light and dark alike). Apart from
// <chat-widget>, so its message template gains a line each.
import { css, html, nothing, type TemplateResult } from 'lit';
import { avatarStyles, renderAgentAvatar, renderBotAvatar } from '../shared/avatar.ts';
import type { ChatItem, VisitorConnection } from './visitor-connection.ts';
import type { Strings } from './visitor-i18n.ts';

/**
 * The bot's robot, or an agent's initials coloured by their name (visitors are never told agent ids, so the name is
 * the key); nothing for the visitor's own messages and system notes.
 */
export function renderMessageAvatar(m: ChatItem, authorName: string): TemplateResult | typeof nothing {
  if (m.author === 'bot') return renderBotAvatar();
  if (m.author === 'agent') return renderAgentAvatar(authorName, authorName);
  return nothing;
}

/** "Sent" / "Read" under the visitor's newest stored message (visitor-reads.ts decides which, if any). */
export function renderReceipt(m: ChatItem, chat: VisitorConnection, s: Strings): TemplateResult | typeof nothing {
  const receipt = chat.receipt(m);
  if (!receipt) return nothing;
  return html`<p class="receipt" data-testid="receipt" data-state=${receipt}>
    <span aria-hidden="true">${receipt === 'read' ? '✓✓' : '✓'}</span> ${receipt === 'read' ? s.receiptRead : s.receiptSent}
  </p>`;
}

export const messageStyles = [
  avatarStyles,
  css`
    :host {
      --avatar-bot-bg: var(--cw-muted);
      --avatar-bot-fg: var(--cw-bg);
    }
    /* Bot and agent messages: the avatar in a narrow first column, everything else of the message beside it. */
    .msg[data-author='bot'],
    .msg[data-author='agent'] {
      display: grid;
      grid-template-columns: 28px minmax(0, 1fr);
      column-gap: 8px;
      justify-items: start;
      align-items: start;
    }
    .msg[data-author='bot'] > :not(.avatar),
    .msg[data-author='agent'] > :not(.avatar) {
      grid-column: 2;
    }
    .msg > .avatar {
      grid-column: 1;
      grid-row: 1 / span 2;
      margin-top: 2px;
    }
    .msg[data-author='bot'] .bubble,
    .msg[data-author='agent'] .bubble {
      max-width: 94%;
    }
    .msg[data-author='bot'] .bubble {
      border: 1px solid var(--cw-border);
    }
    .msg[data-author='agent'] .bubble {
      border: 1px solid var(--cw-agent-border, #b6cdea);
    }
    .msg[data-author='agent'] [data-testid='message-author'] {
      font-weight: 600;
      color: var(--cw-text);
    }
    /* System notes read as notices between the messages, not as anyone's words. */
    .msg[data-author='system'] .bubble {
      border: 1px dashed var(--cw-border);
      border-radius: 999px;
      font-size: 12px;
      padding: 2px 12px;
    }
    .receipt {
      margin: 2px 4px 0;
      font-size: 11px;
      color: var(--cw-muted);
    }
    .receipt[data-state='read'] {
      color: var(--cw-read, #1a7f37);
    }
  `,
];
