// The state <agent-console> holds and its controllers (session, live events, chat actions) read and change.
// Declared apart from the element so those controllers never import it: the element imports them.
import type { ReactiveControllerHost } from 'lit';
import { ApiError, type Agent, type AgentGroup, type AgentStatus, type ConsoleApi, type ProvinceOption, type QueueItem } from './console-api.ts';
import type { ChatState } from './console-chats.ts';
import type { Strings } from './console-strings.ts';

export type Screen = 'chats' | 'history' | 'tickets' | 'canned' | 'admin' | 'reports' | 'unanswered' | 'monitor' | 'drafts' | 'visitors' | 'visitor-texts';

/** The element's reactive state (what each field means is documented where <agent-console> declares it). */
export interface ConsoleHost extends ReactiveControllerHost {
  readonly api: ConsoleApi;
  readonly strings: Strings;
  me: Agent | undefined;
  checking: boolean;
  notice: string;
  screen: Screen;
  queue: QueueItem[];
  chats: Map<string, ChatState>;
  order: string[];
  active: string | undefined;
  myStatus: AgentStatus;
  presence: Map<string, AgentStatus>;
  names: Map<string, string>;
  groups: AgentGroup[];
  provinces: ProvinceOption[];
  colleagues: Array<{ id: string; displayName: string; disabled: boolean }>;
  toast: string;
  now: number;
}

/** A failed call, shown in the console's toast: the server's message when it sent one. */
export function showError(host: Pick<ConsoleHost, 'toast'>, err: unknown): void {
  host.toast = err instanceof ApiError ? err.message : String(err);
}
