// Structured log lines of the agent side (sign-in, sessions, accounts), with stable event codes.
// Never passwords, hashes, cookie values or the username typed into a failed sign-in.

/** What these modules need of a logger; a pino Logger fits. */
export interface AgentLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentAgentLog: AgentLog = { info() {}, warn() {}, error() {} };

/** Stable codes in the `event` field: dashboards and alerts key on these. */
export const AgentLogEvent = {
  login: 'agent.login',
  loginFailed: 'agent.login_failed',
  loginLimited: 'agent.login_limited',
  loginSlowed: 'agent.login_slowed',
  loginRefundFailed: 'agent.login_refund_failed',
  logout: 'agent.logout',
  sessionEnded: 'agent.session_ended',
  sessionsSwept: 'agent.sessions_swept',
  sweepFailed: 'agent.sweep_failed',
  passwordChanged: 'agent.password_changed',
  passwordRehashed: 'agent.password_rehashed',
  created: 'agent.created',
  updated: 'agent.updated',
  adminBootstrapped: 'agent.admin_bootstrapped',
  noAdmin: 'agent.no_admin',
  bootstrapSkipped: 'agent.admin_bootstrap_skipped',
} as const;
export type AgentLogEvent = (typeof AgentLogEvent)[keyof typeof AgentLogEvent];
