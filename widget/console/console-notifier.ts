// Desktop notifications for the console (the Notification API): permission asked once, on the first sign-in
// in this browser; the agent's on/off setting; one notification per chat (its tag); a click that brings the
// tab back and opens that chat. What deserves a notification is decided in console-attention.ts.
import type { Notice } from './console-attention.ts';
import { readPref, writePref } from './console-prefs.ts';

/** The answer to the one permission request ("granted", "denied", "default" when dismissed): never asked twice. */
const ASKED_KEY = 'agent-console.notify-asked';
/** The agent's switch: "off" silences notifications even where the browser allows them. */
const SETTING_KEY = 'agent-console.notify';

/**
 * on: shown; off: the agent turned them off, or has not allowed them yet; blocked: the browser denies this
 * site (only its settings can change that); unsupported: no Notification API (an in-app browser, iOS Safari).
 */
export type NotifyState = 'on' | 'off' | 'blocked' | 'unsupported';

/** Titles by kind, in the agent's language. */
export type NoticeTitles = Record<Notice['kind'], string>;

export class ConsoleNotifier {
  /** The notification each chat shows now, by tag: replaced by the next one, closed when the chat is opened. */
  private readonly shown = new Map<string, Notification>();

  constructor(private readonly onOpen: (notice: Notice) => void) {}

  private get api(): typeof Notification | undefined {
    return typeof globalThis.Notification === 'function' ? globalThis.Notification : undefined;
  }

  get state(): NotifyState {
    const api = this.api;
    if (!api) return 'unsupported';
    if (api.permission === 'denied') return 'blocked';
    if (readPref(SETTING_KEY) === 'off') return 'off';
    return api.permission === 'granted' ? 'on' : 'off';
  }

  /**
   * On sign-in: asks the browser's permission when this browser has never been asked for the console (the
   * answer is kept, so a dismissed prompt does not come back at every sign-in; the switch asks again).
   */
  async askOnce(): Promise<void> {
    const api = this.api;
    if (!api || readPref(ASKED_KEY) !== undefined || api.permission !== 'default') return;
    writePref(ASKED_KEY, 'asking');
    writePref(ASKED_KEY, await this.request(api));
  }

  /** The agent's switch: off, or on (asking the browser when it has no answer yet). Returns the new state. */
  async toggle(): Promise<NotifyState> {
    const api = this.api;
    if (!api) return 'unsupported';
    if (this.state === 'on') {
      writePref(SETTING_KEY, 'off');
      this.dismissAll();
      return 'off';
    }
    writePref(SETTING_KEY, 'on');
    if (api.permission === 'default') writePref(ASKED_KEY, await this.request(api));
    return this.state;
  }

  private async request(api: typeof Notification): Promise<NotificationPermission> {
    try {
      return await api.requestPermission();
    } catch {
      return 'default';
    }
  }

  /** Shows `notice` (replacing that chat's earlier one) when notifications are on. */
  show(notice: Notice, titles: NoticeTitles): void {
    const api = this.api;
    if (!api || this.state !== 'on') return;
    this.shown.get(notice.tag)?.close();
    let n: Notification;
    try {
      // renotify: a replacement for the same chat alerts again (a second message is news too).
      n = new api(titles[notice.kind], { body: notice.body, tag: notice.tag, renotify: true } as NotificationOptions);
    } catch {
      return; // Android Chrome allows notifications only from a service worker: the title and badge remain.
    }
    this.shown.set(notice.tag, n);
    n.onclick = () => {
      window.focus();
      n.close();
      this.onOpen(notice);
    };
    n.onclose = () => {
      if (this.shown.get(notice.tag) === n) this.shown.delete(notice.tag);
    };
  }

  /** The chat is on screen: its notification has said what it had to. */
  dismiss(tag: string): void {
    this.shown.get(tag)?.close();
    this.shown.delete(tag);
  }

  dismissAll(): void {
    for (const n of this.shown.values()) n.close();
    this.shown.clear();
  }
}
