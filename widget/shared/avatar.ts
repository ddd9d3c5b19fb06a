// Who wrote a message, at a glance, in both faces: an agent's initials on a colour of their own (no uploaded pictures),
// and the bot's robot. Colours are classes, not inline styles, so a host page's CSP without 'unsafe-inline' keeps them.
import { css, html, unsafeCSS, type TemplateResult } from 'lit';

/** The avatar palette: each keeps white initials at 4.5:1 or more (WCAG AA for small text). */
const TONES = ['#1a5fb4', '#2e7d32', '#6a1b9a', '#ad1457', '#00695c', '#b45309', '#283593', '#0e7490'] as const;

const HAN = /\p{Script=Han}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Up to two characters naming a person: for a Chinese name its last two Han characters (客服小李 -> 小李, 王小明 -> 小明,
 * as Chinese chat apps show them); otherwise the first letter of the first and the last word, upper-cased
 * (Alice Wang -> AW, bob -> B). '?' when the name has no letter or digit.
 */
export function initialsOf(name: string): string {
  const han = Array.from(name).filter((ch) => HAN.test(ch));
  if (han.length > 0) return han.slice(-2).join('');
  const words = name.trim().split(/\s+/).map((w) => Array.from(w).find((ch) => LETTER_OR_DIGIT.test(ch))).filter((ch): ch is string => ch !== undefined);
  if (words.length === 0) return '?';
  return (words.length === 1 ? words[0]! : words[0]! + words.at(-1)!).toUpperCase();
}

/** A stable palette index for `key` (an agent id, or a name where the id is not known): FNV-1a over its UTF-16 units. */
export function toneOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % TONES.length;
}

/** An agent's round badge of initials; `key` picks its colour. Decorative: the author's name is written beside it. */
export function renderAgentAvatar(name: string, key: string): TemplateResult {
  return html`<span class="avatar" data-testid="avatar" data-tone=${toneOf(key)} aria-hidden="true" title=${name}>${initialsOf(name)}</span>`;
}

/** The bot's badge: a small robot, so its answers never pass for a person's. */
export function renderBotAvatar(): TemplateResult {
  return html`<span class="avatar bot" data-testid="avatar" aria-hidden="true"
    ><svg viewBox="0 0 24 24" width="16" height="16" focusable="false"
      ><path fill="currentColor" d="M12 2a1.5 1.5 0 0 1 .75 2.8V6H17a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3h4.25V4.8A1.5 1.5 0 0 1 12 2zm-3 8.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zM9 16h6v1.5H9zM1 11h2v5H1zm20 0h2v5h-2z" /></svg
  ></span>`;
}

/** The badges' look, for either face's stylesheet (the bot's colours come from `--avatar-bot-bg` / `--avatar-bot-fg`). */
export const avatarStyles = css`
  .avatar {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 28px;
    height: 28px;
    border-radius: 50%;
    color: #ffffff;
    font-size: 11px;
    font-weight: 600;
    line-height: 1;
    letter-spacing: 0;
    white-space: nowrap;
    overflow: hidden;
    user-select: none;
    /* A thin ring keeps the darker tones apart from a dark panel. */
    box-shadow: 0 0 0 1px rgb(255 255 255 / 0.35);
  }
  .avatar.bot {
    background: var(--avatar-bot-bg, #57606a);
    color: var(--avatar-bot-fg, #ffffff);
  }
  ${unsafeCSS(TONES.map((tone, i) => `.avatar[data-tone='${i}'] { background: ${tone}; }`).join('\n'))}
`;
