// The widget's dark palette: the page's prefers-color-scheme, overridden by the embed's data-theme="light|dark|auto"
// (auto, or anything else, follows the page's preference). Only the --cw-* colours change; visitor-styles.ts uses
// nothing else. Every text colour here keeps at least 4.5:1 against the background it is shown on.
import { css } from 'lit';

const dark = css`
  color-scheme: dark;
  --cw-bg: #1b1e23;
  --cw-text: #e6e8eb;
  --cw-muted: #a3acb7;
  --cw-bot-bg: #2a2f37;
  --cw-agent-bg: #1d3149;
  --cw-agent-border: #34557c;
  --cw-read: #56d364;
  --cw-border: #3b424c;
  --cw-input-border: #6e7781;
  --cw-focus: #78aeff;
  --cw-link: #8cc2ff;
  --cw-danger: #ff9494;
  /* Text in the primary colour on the panel: the brand red is too dark on a dark panel, so it is lightened (any
     primary-color the page set, too). Where color-mix is unknown the text takes the panel's own colour. */
  --cw-accent: color-mix(in srgb, var(--cw-primary) 45%, #ffffff);
  --cw-notice-bg: #3a3000;
  --cw-notice-text: #ffe7a0;
  --cw-notice-border: #6b5a12;
  --cw-warning-bg: #3d1d0a;
  --cw-warning-text: #ffd2b0;
  --cw-warning-border: #7a3b12;
  --cw-badge-bg: #e6e8eb;
  --cw-badge-text: #1b1e23;
  --cw-star: #7d8590;
  --cw-star-on: #e3b341;
  --cw-disabled-bg: #2a2f37;
`;

export const themeStyles = css`
  @media (prefers-color-scheme: dark) {
    :host(:not([data-theme='light'])) {
      ${dark}
    }
  }
  :host([data-theme='dark']) {
    ${dark}
  }
`;
