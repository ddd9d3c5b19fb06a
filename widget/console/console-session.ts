// Signing in and out: the session check at start, what a signed-in agent loads, and the reset when the session
// ends (signed out, expired, ended elsewhere). Apart from the element so the whole sign-in flow reads in one place.
import { ApiError, type Agent } from './console-api.ts';
import type { ConsoleAlert } from './console-alert.ts';
import type { ConsoleConnection } from './console-connection.ts';
import type { ConsoleHost } from './console-host.ts';
import type { ConsoleLive } from './console-live.ts';

export interface ConsoleSessionParts {
  connection: ConsoleConnection;
  live: ConsoleLive;
  alert: ConsoleAlert;
}

export class ConsoleSession {
  constructor(
    private readonly host: ConsoleHost,
    private readonly parts: ConsoleSessionParts,
  ) {}

  /** Whether the session still holds (the connection asks after its stream failed for good). */
  async stillSignedIn(): Promise<boolean> {
    try {
      await this.host.api.me();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
  }

  /** At start: a session cookie still valid signs the agent in without the form. */
  async check() {
    const host = this.host;
    try {
      const { agent } = await host.api.me();
      this.signedIn(agent);
    } catch {
      host.me = undefined;
    } finally {
      host.checking = false;
    }
  }

  signedIn(agent: Agent) {
    const host = this.host;
    host.me = agent;
    host.notice = '';
    host.names = new Map(host.names).set(agent.id, agent.displayName);
    if (agent.role === 'editor') {
      // Content work only: no live stream, presence, queue or colleagues (the server refuses them with 403).
      host.screen = 'unanswered';
      return;
    }
    this.parts.connection.start();
    void this.loadGroups();
    void this.parts.live.refreshQueue();
    void this.loadColleagues();
  }

  signedOut(notice = '') {
    const host = this.host;
    this.parts.connection.stop();
    host.me = undefined;
    host.notice = notice;
    host.chats = new Map();
    host.order = [];
    host.active = undefined;
    host.queue = [];
    host.presence = new Map();
    host.screen = 'chats';
    this.parts.alert.stopFlash();
  }

  async logout() {
    try {
      await this.host.api.logout();
    } catch {
      // Signing out never fails for the user: the cookie is gone or useless either way.
    }
    this.signedOut();
  }

  private async loadGroups() {
    try {
      const { groups, provinces } = await this.host.api.groups();
      this.host.groups = groups;
      this.host.provinces = provinces ?? [];
    } catch {
      // The transfer dialog shows no groups then.
    }
  }

  private async loadColleagues() {
    const host = this.host;
    try {
      const { colleagues } = await host.api.colleagues();
      host.colleagues = colleagues.map((c) => ({ id: c.id, displayName: c.displayName, disabled: false }));
      const names = new Map(host.names);
      const presence = new Map(host.presence);
      for (const c of colleagues) {
        names.set(c.id, c.displayName);
        // A snapshot for agents already online before this console connected; the stream keeps it current.
        if (!presence.has(c.id)) presence.set(c.id, c.status);
      }
      host.names = names;
      host.presence = presence;
    } catch {
      // The list failed: transfers to groups still work, and presence events fill the list in.
    }
  }
}
