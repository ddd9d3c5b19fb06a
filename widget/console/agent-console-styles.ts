// The console shell's layout: header, queue column, chat tabs, and the narrow-screen fallback.
// Apart from the element so its file holds behaviour and markup; the shared look is in console-styles.ts.
import { css } from 'lit';

export const agentConsoleStyles = css`
  :host { display: block; background: var(--cs-bg); }
  /* The layout lives on an inner box: a page's CSS for the agent-console element itself cannot break it. */
  .shell { display: flex; flex-direction: column; height: 100vh; height: 100dvh; }
  .screen { flex: 1; min-height: 0; overflow: auto; }
  header.top {
    position: relative; display: flex; align-items: center; gap: 12px; padding: 6px 12px; background: var(--cs-panel);
    border-bottom: 3px solid var(--cs-primary); flex-wrap: wrap;
  }
  header.top h1 { font-size: 16px; margin: 0; color: var(--cs-primary); }
  nav { display: flex; gap: 4px; flex: 1; flex-wrap: nowrap; }
  nav button { border: none; background: none; border-radius: 6px; white-space: nowrap; }
  nav button[aria-current='page'] { background: var(--cs-agent); color: var(--cs-primary-dark); font-weight: 600; }
  .menu-toggle { display: none; white-space: nowrap; }
  /* The tools (status, counters, switches, sign-out) are one unit at the end: where the row has no room for them they
     move to a row of their own, right-aligned, all together (rather than wrapping one by one under the names). */
  .tools { display: flex; align-items: center; gap: 10px; flex-wrap: nowrap; margin-left: auto; }
  .tools > * { flex: none; }
  .notify-toggle { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
  .notify-toggle svg { flex: none; }
  .banner { padding: 4px 12px; background: #fff4e5; color: #8a4b00; font-size: 13px; }
  .toast { padding: 4px 12px; background: #fdecea; color: #b3261e; font-size: 13px; display: flex; justify-content: space-between; }
  .body { flex: 1; min-height: 0; display: grid; grid-template-columns: 280px minmax(0, 1fr); }
  .body.single { grid-template-columns: minmax(0, 1fr); }
  .side { border-right: 1px solid var(--cs-border); background: var(--cs-panel); overflow-y: auto; padding: 10px; }
  .side ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  .qi { border: 1px solid var(--cs-border); border-radius: 8px; padding: 8px; display: flex; flex-direction: column; gap: 4px; }
  .qi .preview { overflow-wrap: anywhere; }
  .qi .wait { font-variant-numeric: tabular-nums; }
  .work { display: flex; flex-direction: column; min-height: 0; }
  [role='tablist'] { display: flex; gap: 2px; padding: 6px 8px 0; border-bottom: 1px solid var(--cs-border); overflow-x: auto; background: var(--cs-panel); }
  [role='tab'] { border: 1px solid var(--cs-border); border-bottom: none; border-radius: 8px 8px 0 0; white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
  [role='tab'][aria-selected='true'] { background: var(--cs-bg); font-weight: 600; border-color: var(--cs-primary); }
  /* A chat no longer held reads as closed in the list too: grey, with its label. */
  [role='tab'].ended { color: var(--cs-muted); background: #eceef1; }
  [role='tab'] .ended-tag { background: #5c636e; color: #fff; flex: none; }
  /* The title gives way (ellipsis) so the closed label and the unread badge always show. */
  [role='tab'] { display: inline-flex; align-items: center; gap: 4px; }
  [role='tab'] .tab-title { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
  [role='tab'] .badge { flex: none; }
  [role='tabpanel'] { flex: 1; min-height: 0; display: flex; flex-direction: column; }
  /* The pane fills the panel however short the transcript (a percentage height alone left it content-sized). */
  [role='tabpanel'] > console-chat-pane { flex: 1; min-height: 0; }
  .empty { padding: 32px; color: var(--cs-muted); text-align: center; }
  .me { font-size: 13px; }
  /* Below a wide screen the screens' names fold behind a menu button (rows of names pushed the work down and
     wrapped unevenly); open, they drop down as one column over the screen, every one in view. Above 1180 px
     an admin's eleven names fit one row beside the title in both languages (English needs about 1130 px; nowrap);
     the tools after them take a second row, as one unit, where they do not fit. */
  @media (max-width: 1180px) {
    .menu-toggle { display: inline-block; }
    /* The bell alone (its words stay its label and tooltip): the header keeps to one row on a tablet. */
    .notify-toggle .notify-text { display: none; }
    nav { display: none; }
    nav.open {
      display: flex; flex-direction: column; align-items: stretch; position: absolute; z-index: 20; top: 100%; left: 8px;
      min-width: 200px; max-width: calc(100vw - 16px); max-height: 70vh; overflow-y: auto; padding: 6px;
      background: var(--cs-panel); border: 1px solid var(--cs-border); border-radius: 8px; box-shadow: 0 6px 18px rgb(0 0 0 / 0.15);
    }
    nav.open button { text-align: left; padding: 8px 12px; }
  }
  .phone-views { display: none; }
  /* A phone is laid out like a messaging app: the header one row (the title, the menu, the status), the queue and the
     chats taking turns on the whole screen below a two-way switch, so an open chat's transcript gets the height. */
  @media (max-width: 720px) {
    nav button { padding: 4px 8px; }
    header.top { gap: 8px; padding: 6px 10px; }
    /* Closed, the menu keeps to one row: the title and the menu's label give way (ellipsis) rather than wrap. */
    header.top:not(.menu-open) { flex-wrap: nowrap; }
    header.top h1, .menu-toggle { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    header.top h1 { flex: 0 1 auto; }
    .menu-toggle { flex: 0 1 auto; }
    /* The status stays in the header (its word is kept for screen readers); the other tools (counters, switches,
       language, name, sign-out) show below the screens' names while the menu is open. */
    .status-word { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    header.top:not(.menu-open) .tools > :not(.status-field) { display: none; }
    header.top.menu-open nav.open { position: static; order: 2; flex-basis: 100%; max-width: none; max-height: none; box-shadow: none; }
    header.top.menu-open .tools { order: 3; flex-basis: 100%; flex-wrap: wrap; justify-content: flex-start; row-gap: 6px; }
    /* minmax(0, ...): a wide row inside (tabs, a long preview) scrolls in its box instead of widening the page. */
    .body { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto minmax(0, 1fr); }
    .phone-views { display: flex; gap: 6px; padding: 6px 8px; background: var(--cs-panel); border-bottom: 1px solid var(--cs-border); }
    .phone-views button { flex: 1; display: inline-flex; align-items: center; justify-content: center; gap: 6px; }
    .phone-views button[aria-pressed='true'] { background: var(--cs-agent); border-color: var(--cs-primary); color: var(--cs-primary-dark); font-weight: 600; }
    /* Both views share the one cell; the one not shown is out of sight and out of the tab order. The chats stay laid
       out under the queue (visibility, not display) so a transcript keeps its scroll position. */
    .side, .work { grid-row: 2; grid-column: 1; min-height: 0; }
    .side { border-right: none; }
    .body.phone-chats .side { display: none; }
    .body.phone-queue .work { visibility: hidden; }
  }
`;
