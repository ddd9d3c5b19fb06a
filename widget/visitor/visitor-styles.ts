// The widget's shadow-DOM styles; the host page themes it through the --cw-* custom properties.
// Why one file of this size: one stylesheet, declarations only, read top to bottom like any CSS file; split, the
// cascade between its parts (the phone layout, motion) would be harder to follow, not easier.
import { css } from 'lit';

export const widgetStyles = css`
  :host {
    /* Theme: every colour pair below keeps at least 4.5:1 contrast with the defaults. */
    --cw-primary: #c8102e;
    --cw-primary-text: #ffffff;
    --cw-bg: #ffffff;
    --cw-text: #1f2328;
    --cw-muted: #57606a;
    --cw-bot-bg: #f1f3f5;
    --cw-agent-bg: #e7f0fb;
    --cw-border: #d0d7de;
    --cw-focus: #0b5fff;
    /* Text in the primary colour on the panel (chips, secondary buttons); visitor-theme.ts lightens it when dark. */
    --cw-accent: var(--cw-primary);
    --cw-input-border: #8c959f;
    --cw-link: #0a58ca;
    --cw-danger: #a40e26;
    --cw-notice-bg: #fff4ce;
    --cw-notice-text: #3d2e00;
    --cw-notice-border: #e6d58a;
    /* The admins' warning banner (an anti-fraud notice): warmer than the notice, so it is not read as a glitch. */
    --cw-warning-bg: #fdecdc;
    --cw-warning-text: #5c2100;
    --cw-warning-border: #f0b98d;
    --cw-badge-bg: #1f2328;
    --cw-badge-text: #ffffff;
    --cw-star: #8c959f;
    --cw-star-on: #b7791f;
    --cw-disabled-bg: #d0d7de;
    color-scheme: light;
    --cw-radius: 12px;
    --cw-font: system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif;
    --cw-z: 2147483000;
    --cw-width: 380px;
    --cw-height: 600px;
    --cw-offset: 20px;
    all: initial;
    position: fixed;
    bottom: var(--cw-offset);
    right: var(--cw-offset);
    z-index: var(--cw-z);
    font-family: var(--cw-font);
    font-size: 14px;
    line-height: 1.5;
    color: var(--cw-text);
  }
  :host([position='left']) {
    right: auto;
    left: var(--cw-offset);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--cw-focus);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .launcher {
    position: relative;
    display: flex;
    align-items: center;
    gap: 8px;
    height: 56px;
    padding: 0 20px 0 16px;
    border: none;
    border-radius: 28px;
    background: var(--cw-primary);
    color: var(--cw-primary-text);
    font-size: 15px;
    font-weight: 600;
    cursor: pointer;
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.25);
  }
  .launcher svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
  }
  .invitation {
    position: absolute;
    bottom: 68px;
    right: 0;
    width: min(280px, calc(100vw - 2 * var(--cw-offset)));
    padding: 12px 36px 12px 14px;
    border: 1px solid var(--cw-border);
    border-radius: var(--cw-radius);
    background: var(--cw-bg);
    box-shadow: 0 6px 20px rgb(0 0 0 / 0.2);
  }
  :host([position='left']) .invitation {
    right: auto;
    left: 0;
  }
  .invite-from {
    margin: 0 0 4px;
    color: var(--cw-muted);
    font-size: 12px;
  }
  .invite-text {
    margin: 0 0 10px;
  }
  .invite-accept {
    padding: 6px 14px;
    border: none;
    border-radius: 16px;
    background: var(--cw-primary);
    color: var(--cw-primary-text);
    font-weight: 600;
    cursor: pointer;
  }
  .invite-close {
    position: absolute;
    top: 4px;
    right: 4px;
    width: 28px;
    height: 28px;
    border: none;
    border-radius: 14px;
    background: transparent;
    color: var(--cw-muted);
    font-size: 18px;
    line-height: 1;
    cursor: pointer;
  }
  .badge {
    position: absolute;
    top: -6px;
    right: -6px;
    min-width: 22px;
    height: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: var(--cw-badge-bg);
    color: var(--cw-badge-text);
    font-size: 12px;
    line-height: 22px;
    text-align: center;
  }
  .panel {
    display: flex;
    flex-direction: column;
    width: var(--cw-width);
    height: min(var(--cw-height), calc(100vh - 2 * var(--cw-offset)));
    background: var(--cw-bg);
    border-radius: var(--cw-radius);
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.28);
    overflow: hidden;
  }
  header {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 10px 10px 10px 16px;
    background: var(--cw-primary);
    color: var(--cw-primary-text);
  }
  header h2 {
    flex: 1;
    margin: 0;
    font-size: 16px;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .head-btn {
    min-width: 36px;
    height: 36px;
    padding: 0 10px;
    border: 1px solid rgb(255 255 255 / 0.6);
    border-radius: 18px;
    background: transparent;
    color: inherit;
    cursor: pointer;
    font-size: 13px;
  }
  .head-btn:hover {
    background: rgb(255 255 255 / 0.15);
  }
  .head-btn:focus-visible {
    outline-color: var(--cw-primary-text);
  }
  .notice {
    padding: 8px 16px;
    font-size: 13px;
    background: var(--cw-notice-bg);
    color: var(--cw-notice-text);
    border-bottom: 1px solid var(--cw-notice-border);
  }
  .status-bar {
    padding: 8px 16px;
    font-size: 13px;
    background: var(--cw-agent-bg);
    color: var(--cw-text);
    border-bottom: 1px solid var(--cw-border);
  }
  .log {
    flex: 1;
    overflow-y: auto;
    padding: 12px 12px 4px;
    overscroll-behavior: contain;
  }
  .welcome {
    margin: 0 0 12px;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 4px 0 12px;
    padding: 0;
    list-style: none;
  }
  .chip {
    padding: 5px 12px;
    border: 1px solid var(--cw-primary);
    border-radius: 16px;
    background: var(--cw-bg);
    color: var(--cw-accent);
    cursor: pointer;
    font-size: 13px;
    text-align: left;
  }
  .chip:hover:not(:disabled) {
    background: var(--cw-bot-bg);
  }
  /* Offered earlier, no longer to be chosen: still readable, so the question above it is not left bare. */
  .chip:disabled {
    border-color: var(--cw-border);
    color: var(--cw-muted);
    cursor: default;
  }
  .chips-label {
    margin: 0;
    font-size: 12px;
    color: var(--cw-muted);
  }
  .msg {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    margin: 0 0 10px;
  }
  .msg[data-author='visitor'] {
    align-items: flex-end;
  }
  .msg[data-author='system'] {
    align-items: center;
  }
  .meta {
    font-size: 12px;
    color: var(--cw-muted);
    margin: 0 4px 2px;
  }
  .bubble {
    max-width: 85%;
    padding: 8px 12px;
    border-radius: 14px;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    background: var(--cw-bot-bg);
  }
  .msg[data-author='visitor'] .bubble {
    background: var(--cw-primary);
    color: var(--cw-primary-text);
    border-bottom-right-radius: 4px;
  }
  .msg[data-author='visitor'] .bubble a {
    color: inherit;
  }
  .msg[data-author='bot'] .bubble {
    border-bottom-left-radius: 4px;
  }
  .msg[data-author='agent'] .bubble {
    background: var(--cw-agent-bg);
    border-bottom-left-radius: 4px;
  }
  .msg[data-author='system'] .bubble {
    max-width: 95%;
    background: transparent;
    color: var(--cw-muted);
    font-size: 13px;
    text-align: center;
    padding: 2px 8px;
  }
  .bubble a {
    color: var(--cw-link);
    text-decoration: underline;
  }
  .msg[data-state='sending'] .bubble {
    opacity: 0.7;
  }
  .failed {
    font-size: 12px;
    color: var(--cw-danger);
    margin: 2px 4px 0;
  }
  .link-btn {
    border: none;
    background: none;
    padding: 0 2px;
    color: var(--cw-link);
    text-decoration: underline;
    cursor: pointer;
    font-size: 12px;
  }
  .typing {
    margin: 0 4px 8px;
    font-size: 12px;
    color: var(--cw-muted);
  }
  .card {
    margin: 4px 0 12px;
    padding: 12px;
    border: 1px solid var(--cw-border);
    border-radius: 10px;
    background: var(--cw-bg);
  }
  .card h3 {
    margin: 0 0 6px;
    font-size: 14px;
  }
  .card p {
    margin: 0 0 8px;
    font-size: 13px;
    color: var(--cw-muted);
  }
  .card label {
    display: block;
    margin: 6px 0 2px;
    font-size: 13px;
  }
  .card input,
  .card textarea {
    width: 100%;
    padding: 6px 8px;
    border: 1px solid var(--cw-input-border);
    border-radius: 6px;
    background: var(--cw-bg);
  }
  .card textarea {
    min-height: 60px;
    resize: vertical;
  }
  .row {
    display: flex;
    gap: 8px;
    justify-content: flex-end;
    margin-top: 8px;
  }
  .btn {
    padding: 6px 14px;
    border: 1px solid var(--cw-primary);
    border-radius: 6px;
    background: var(--cw-primary);
    color: var(--cw-primary-text);
    cursor: pointer;
  }
  .btn.secondary {
    background: var(--cw-bg);
    color: var(--cw-accent);
  }
  .btn:disabled {
    opacity: 0.6;
    cursor: default;
  }
  .stars {
    display: flex;
    gap: 4px;
    margin: 0;
    padding: 0;
    border: none;
  }
  .star {
    width: 36px;
    height: 36px;
    border: none;
    background: none;
    font-size: 26px;
    line-height: 1;
    color: var(--cw-star);
    cursor: pointer;
    padding: 0;
  }
  .star.on {
    color: var(--cw-star-on);
  }
  .actions {
    display: flex;
    gap: 8px;
    padding: 6px 12px 0;
  }
  .actions .chip {
    font-weight: 600;
  }
  form.composer {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 8px 12px 12px;
    border-top: 1px solid var(--cw-border);
  }
  .composer textarea {
    flex: 1;
    min-height: 40px;
    max-height: 120px;
    padding: 9px 10px;
    border: 1px solid var(--cw-input-border);
    border-radius: 8px;
    resize: none;
    background: var(--cw-bg);
  }
  .composer .btn {
    height: 40px;
  }
  .composer textarea:disabled {
    background: var(--cw-disabled-bg);
    cursor: not-allowed;
  }
  /* Calm, not an alarm: the visitor did nothing they can fix here, so it reads like the welcome text. */
  .blocked {
    margin: 12px 4px;
    padding: 10px 12px;
    border: 1px solid var(--cw-border);
    border-radius: 8px;
    background: var(--cw-agent-bg);
    font-size: 14px;
    line-height: 1.5;
  }
  .error {
    padding: 4px 16px;
    font-size: 13px;
    color: var(--cw-danger);
  }
  @media (max-width: 480px) {
    :host([open]) {
      inset: 0;
    }
    :host([open]) .panel {
      width: 100vw;
      height: 100vh;
      height: 100dvh;
      border-radius: 0;
    }
  }
  @media (prefers-reduced-motion: no-preference) {
    .panel {
      animation: cw-in 160ms ease-out;
    }
    @keyframes cw-in {
      from {
        opacity: 0;
        transform: translateY(12px);
      }
    }
  }
`;
