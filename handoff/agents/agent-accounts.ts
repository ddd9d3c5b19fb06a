// Agent account changes with their consequences, shared by the admin API, the CLI and the bootstrap:
// passwords hashed and checked, and a disable or password change ends sessions and says so on the hub.
import type { AgentPatchInput, NewAgentInput } from './agent-input.ts';
import { AgentLogEvent, silentAgentLog, type AgentLog } from './agent-log.ts';
import type { AgentPatch, AgentRecord, AgentStore } from './agent-store.ts';
import { ConflictError, ValidationError } from '../platform/errors.ts';
import type { Hub } from '../platform/hub.ts';
import { checkNewPassword, type PasswordHasher } from '../auth/password.ts';
import type { EndedSession, SessionStore } from '../auth/session-store.ts';

export interface AgentAccountsDeps {
  agents: AgentStore;
  sessions: SessionStore;
  passwords: PasswordHasher;
  /**
   * Where ended sessions are announced (`session_ended` on `agent:<id>`). The CLI runs without one:
   * its ends reach open connections through the server's session sweeper.
   */
  hub?: Hub;
  /** The group ids routing knows; when given, an agent cannot be put in any other (400). */
  knownGroups?: () => Promise<readonly string[]>;
  log?: AgentLog;
}

export interface ChangeOptions {
  /** The admin making the change: cannot disable or demote themselves (409), and is logged. */
  actorId?: string;
  /** A session that survives a password change (an admin changing their own password stays signed in here). */
  keepSessionId?: string;
}

export interface AgentAccounts {
  readonly agents: AgentStore;
  /** ConflictError when the username is taken; ValidationError for a weak password or an unknown group. */
  add(input: NewAgentInput, options?: ChangeOptions): Promise<AgentRecord>;
  /** Disabling or a new password ends the agent's sessions (all but `keepSessionId`) and announces it. */
  update(id: string, patch: AgentPatchInput, options?: ChangeOptions): Promise<AgentRecord>;
  /**
   * The signed-in agent's own change: `current` must be right (ValidationError `wrong_password` on
   * `current` otherwise); every other session of the agent ends.
   */
  changeOwnPassword(agentId: string, sessionId: string, current: string, next: string): Promise<void>;
  /** Announces ended sessions on the hub (one event each, with its session id). */
  announce(ended: readonly EndedSession[]): void;
}

export function createAgentAccounts({ agents, sessions, passwords, hub, knownGroups, log = silentAgentLog }: AgentAccountsDeps): AgentAccounts {
  const announce = (ended: readonly EndedSession[]) => {
    for (const { id, agentId } of ended) hub?.publish(`agent:${agentId}`, { type: 'session_ended', agentId, sessionId: id });
  };

  /** Every session of the agent ended: one event without a session id closes all its connections. */
  const announceAll = (agentId: string) => hub?.publish(`agent:${agentId}`, { type: 'session_ended', agentId });

  const checkGroups = async (groups: readonly string[] | undefined) => {
    if (!groups || !knownGroups) return;
    const known = new Set(await knownGroups());
    const unknown = groups.find((g) => !known.has(g));
    if (unknown !== undefined) {
      throw new ValidationError('unknown_group', `groups: there is no group ${JSON.stringify(unknown)}`, 'groups');
    }
  };

  return {
    agents,
    announce,

    async add(input, { actorId } = {}) {
      checkNewPassword(input.password, passwords.options, { field: 'password', username: input.username });
      await checkGroups(input.groups);
      const agent = await agents.create({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        groups: input.groups,
        capacity: input.capacity,
        passwordHash: await passwords.hash(input.password),
      });
      log.info({ event: AgentLogEvent.created, agentId: agent.id, role: agent.role, by: actorId }, 'agent created');
      return agent;
    },

    async update(id, patch, { actorId, keepSessionId } = {}) {
      const before = await agents.get(id);
      if (actorId === id && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin' && before.role === 'admin'))) {
        throw new ConflictError('admins cannot disable or demote their own account; ask another admin');
      }
      if (patch.password !== undefined) {
        checkNewPassword(patch.password, passwords.options, { field: 'password', username: before.username });
      }
      await checkGroups(patch.groups);
      const { password, ...rest } = patch;
      const change: AgentPatch = { ...rest };
      if (password !== undefined) change.passwordHash = await passwords.hash(password);
      const agent = await agents.update(id, change);

      if (patch.disabled === true) {
        const ended = await sessions.endAllOf(id, 'disabled');
        announceAll(id);
        log.info({ event: AgentLogEvent.sessionEnded, agentId: id, reason: 'disabled', count: ended.length }, 'sessions ended');
      } else if (patch.role !== undefined && patch.role !== before.role) {
        // What a session may do was decided at sign-in and by its open live stream's subscriptions (queue,
        // held chats, supervisor events): a new role signs in again rather than keep the old role's stream.
        const ended = await sessions.endAllOf(id, 'role_changed');
        announceAll(id);
        log.info({ event: AgentLogEvent.sessionEnded, agentId: id, reason: 'role_changed', count: ended.length }, 'sessions ended');
      } else if (password !== undefined) {
        const ended = await sessions.endAllOf(id, 'password_changed', keepSessionId ? { except: keepSessionId } : {});
        if (keepSessionId) announce(ended);
        else announceAll(id);
        log.info({ event: AgentLogEvent.passwordChanged, agentId: id, by: actorId, endedSessions: ended.length }, 'password changed');
      }
      log.info(
        { event: AgentLogEvent.updated, agentId: id, by: actorId, fields: Object.keys(patch).sort() },
        'agent updated',
      );
      return agent;
    },

    async changeOwnPassword(agentId, sessionId, current, next) {
      const { agent, passwordHash } = await agents.credentialsById(agentId);
      if (!(await passwords.verify(passwordHash, current))) {
        throw new ValidationError('wrong_password', 'current: that is not your current password', 'current');
      }
      if (next.normalize('NFC') === current.normalize('NFC')) {
        throw new ValidationError('password_unchanged', 'next must differ from the current password', 'next');
      }
      checkNewPassword(next, passwords.options, { field: 'next', username: agent.username });
      await agents.update(agentId, { passwordHash: await passwords.hash(next) });
      const ended = await sessions.endAllOf(agentId, 'password_changed', { except: sessionId });
      announce(ended);
      log.info({ event: AgentLogEvent.passwordChanged, agentId, by: agentId, endedSessions: ended.length }, 'password changed');
    },
  };
}
