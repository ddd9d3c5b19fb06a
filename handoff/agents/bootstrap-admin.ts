// The first admin, from ADMIN_USERNAME + ADMIN_PASSWORD, on a database with no enabled admin. There is
// never a built-in account or default password: without both variables no admin is made.
import { DEFAULT_CAPACITY, parseNewAgent } from './agent-input.ts';
import { AgentLogEvent, silentAgentLog, type AgentLog } from './agent-log.ts';
import type { AgentRecord, AgentStore } from './agent-store.ts';
import { ValidationError } from '../platform/errors.ts';
import { checkNewPassword, type PasswordHasher } from '../auth/password.ts';

export type BootstrapResult =
  | { kind: 'created'; agent: AgentRecord }
  /** An enabled admin exists: nothing was done (the variables are then ignored, even if they differ). */
  | { kind: 'admin_exists' }
  /** No admin and no ADMIN_USERNAME/ADMIN_PASSWORD: the admin API is unusable until one is made. */
  | { kind: 'not_configured' }
  /** No admin, but ADMIN_USERNAME is an existing agent's: nothing was done (no silent promotion). */
  | { kind: 'username_taken' };

/** A bad ADMIN_USERNAME or ADMIN_PASSWORD; the message names the variable, never the value of the password. */
export class BootstrapAdminError extends Error {
  override readonly name = 'BootstrapAdminError';
  constructor(
    readonly variable: 'ADMIN_USERNAME' | 'ADMIN_PASSWORD',
    message: string,
  ) {
    super(`${variable} ${message}`);
  }
}

export interface BootstrapAdminDeps {
  agents: AgentStore;
  passwords: PasswordHasher;
  /** From ADMIN_USERNAME and ADMIN_PASSWORD (config.admin); undefined when not set. */
  admin: { username: string; password: string; displayName?: string } | undefined;
  log?: AgentLog;
}

/** The first admin's name for visitors when ADMIN_DISPLAY_NAME is not set (changeable on the admin screen). */
export const DEFAULT_ADMIN_DISPLAY_NAME = '值班经理';

/** Call once at start-up, before serving. Throws BootstrapAdminError when the variables are unusable. */
export async function bootstrapAdmin({ agents, passwords, admin, log = silentAgentLog }: BootstrapAdminDeps): Promise<BootstrapResult> {
  if (await agents.hasEnabledAdmin()) return { kind: 'admin_exists' };
  if (!admin) {
    log.warn(
      { event: AgentLogEvent.noAdmin },
      'no admin account: set ADMIN_USERNAME and ADMIN_PASSWORD, or run `npm run admin -- add-agent --role admin ...`',
    );
    return { kind: 'not_configured' };
  }

  let username: string;
  try {
    ({ username } = parseNewAgent({ username: admin.username, displayName: admin.username, password: '' }));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new BootstrapAdminError('ADMIN_USERNAME', 'must be 1-64 letters or digits (also . _ @ -)');
  }
  try {
    checkNewPassword(admin.password, passwords.options, { field: 'ADMIN_PASSWORD', username });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // The same rule as every other password: the first admin is the account most worth guessing, and a
    // weak one taken "for now" tends to stay. The message states the rule, never the password.
    throw new BootstrapAdminError('ADMIN_PASSWORD', `${err.message.replace(/^ADMIN_PASSWORD /, '')} (no admin was created)`);
  }

  const result = await agents.createFirstAdmin({
    username,
    // What visitors see ("客服 值班经理 正在为您服务"): never the sign-in name, which is half of a credential.
    displayName: admin.displayName?.trim() || DEFAULT_ADMIN_DISPLAY_NAME,
    role: 'admin',
    groups: [],
    capacity: DEFAULT_CAPACITY,
    passwordHash: await passwords.hash(admin.password),
  });
  if (result.kind === 'created') {
    log.info({ event: AgentLogEvent.adminBootstrapped, agentId: result.agent.id }, 'first admin created from ADMIN_USERNAME');
  } else if (result.kind === 'username_taken') {
    log.warn(
      { event: AgentLogEvent.bootstrapSkipped, reason: 'username_taken' },
      'no admin was created: ADMIN_USERNAME belongs to an existing agent; choose another name or promote that agent with the admin CLI',
    );
  }
  return result;
}
