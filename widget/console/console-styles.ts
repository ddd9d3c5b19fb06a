// Styles shared by the console's elements (each has its own shadow root); themable via --cs-* properties.
import { css } from 'lit';

export const consoleBase = css`
  :host {
    --cs-primary: var(--agent-primary, #c8102e);
    --cs-primary-dark: #9c0b22;
    --cs-bg: #f4f5f7;
    --cs-panel: #ffffff;
    --cs-border: #d9dce1;
    --cs-text: #1f2328;
    --cs-muted: #5c636e;
    --cs-visitor: #e8f0fe;
    --cs-bot: #f1f3f4;
    --cs-agent: #fde8eb;
    --cs-focus: #0b57d0;
    color: var(--cs-text);
    font: 14px/1.5 system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif;
    box-sizing: border-box;
  }
  *, *::before, *::after { box-sizing: inherit; }
  button, input, select, textarea { font: inherit; color: inherit; }
  button {
    cursor: pointer; border: 1px solid var(--cs-border); background: var(--cs-panel);
    border-radius: 6px; padding: 4px 10px; min-height: 30px;
  }
  button:hover:not(:disabled) { border-color: var(--cs-muted); }
  button:disabled { opacity: 0.55; cursor: default; }
  button.primary { background: var(--cs-primary); border-color: var(--cs-primary); color: #fff; }
  button.primary:hover:not(:disabled) { background: var(--cs-primary-dark); }
  button.link { border: none; background: none; color: var(--cs-focus); padding: 0 4px; min-height: 0; }
  input, select, textarea {
    border: 1px solid var(--cs-border); border-radius: 6px; padding: 5px 8px; background: #fff;
  }
  :focus-visible { outline: 2px solid var(--cs-focus); outline-offset: 1px; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  h3 { font-size: 14px; margin: 12px 0 6px; }
  .muted { color: var(--cs-muted); font-size: 12px; }
  .error { color: #b3261e; font-size: 13px; }
  .ok { color: #1e7e34; font-size: 13px; }
  .badge {
    display: inline-block; min-width: 18px; padding: 0 6px; border-radius: 9px; background: var(--cs-primary);
    color: #fff; font-size: 11px; line-height: 18px; text-align: center;
  }
  .tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #eef0f3; font-size: 12px; color: var(--cs-muted); }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .card { background: var(--cs-panel); border: 1px solid var(--cs-border); border-radius: 8px; padding: 12px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--cs-border); vertical-align: top; }
  th { font-weight: 600; color: var(--cs-muted); font-size: 12px; }
  a { color: var(--cs-focus); word-break: break-all; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
