// The service's configuration, read from the environment once at start-up and passed down.
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { parseAllowedOrigins } from '../../handoff/index.ts';
import { defaultEngineOptions, type EngineOptions } from '../engine/engine-options.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** TCP port; 0 picks a free one (tests). Range 0-65535; default 3000. */
  port: number;
  /** Interface to listen on. Default 127.0.0.1 (not reachable from other machines). */
  host: string;
  /** Directory of the SQLite file (created if missing), absolute. Default ./data. */
  dataDir: string;
  /**
   * DATABASE_URL (postgres://…): every store in PostgreSQL instead of DATA_DIR's SQLite file, for several nodes.
   * Unset: the embedded SQLite default.
   */
  databaseUrl?: string;
  /**
   * REDIS_URL (redis://…): what the nodes share beside the database (live fan-out, presence, limits, blocks,
   * the timed jobs' leader). Needs DATABASE_URL. Unset: all of it in this process.
   */
  redisUrl?: string;
  /** REDIS_PREFIX: the prefix of every key and channel, so deployments can share one Redis. Default `tc:`. */
  redisPrefix: string;
  /** Directory of the knowledge base (faq/*.yaml, rules.yaml...), absolute. Default ./knowledge. */
  knowledgeDir: string;
  /** pino level. Default info. */
  logLevel: LogLevel;
  /** LOG_FORMAT: `json` lines, `pretty` (pino-pretty, for a person), or `auto`: pretty when stdout is a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** REQUEST_LOG_EVERY: one ordinary request line in this many (request-log.ts). Range 0-10000; default 20. */
  requestLogEvery: number;
  /** API replies carry the engine's explain trace (`reply.explain`). Default off. */
  explain: boolean;
  /** Engine tuning from ANSWER_THRESHOLD, CLARIFY_THRESHOLD, MIN_MARGIN, HANDOFF_AFTER_FALLBACKS. */
  engine: EngineOptions;
  /** Largest request body accepted. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
  /**
   * MAX_ATTACHMENT_BYTES: the largest file a visitor or agent may send into a chat (413 above it; the upload routes'
   * own limit, counted as the file streams in, instead of maxBodyBytes). Range 1024-52428800 bytes; default 5 MiB.
   */
  maxAttachmentBytes: number;
  /** Longest visitor message, in characters (code points). Range 1-10000; default 1000. */
  maxMessageChars: number;
  /** Quiet time after the last knowledge file event before reloading. Range 0-1500 ms; default 200. */
  reloadDebounceMs: number;
  /** Per-IP and per-conversation limits (never the login limit). Default on. */
  rateLimits: boolean;
  /**
   * Reverse proxies whose X-Forwarded-For is believed, from TRUSTED_PROXIES: addresses, CIDRs and the
   * names loopback, linklocal, uniquelocal. Default none: the socket address is the client, headers ignored.
   */
  trustedProxies: string[];
  /** TRUSTED_PROXIES compiled once by proxy-addr: is the hop at `addr` (the `i`-th from the socket) a trusted proxy? */
  trustProxy: (addr: string, i: number) => boolean;
  /**
   * IPV6_PREFIX_LENGTH: how many leading bits of an IPv6 address name one client for every per-address limit,
   * presence slot and stream cap, and for an agent's block by address. Range 32-128; default 64 (one subscriber's
   * network); 128 keys each address alone.
   */
  ipv6PrefixLength: number;
  /** MAX_VISITOR_STREAMS_PER_ADDRESS: open visitor conversation streams per client (off with RATE_LIMITS=off). Range 1-10000; default 20. */
  maxVisitorStreamsPerAddress: number;
  /**
   * REQUEST_TIMEOUT_SECONDS: a request whose headers and body have not all arrived this long after it began
   * gets 408 and its connection closed (Node's requestTimeout). The response is not limited: live streams stay
   * open. Range 1-300 s; default 30.
   */
  requestTimeoutSeconds: number;
  /**
   * Sites other than this service's own that embed the widget (WIDGET_ALLOWED_ORIGINS): they may load
   * widget.js and call the visitor API cross-origin (CORS). Default none. The agent API stays same-origin.
   */
  widgetOrigins: string[];
  /** `always`: every group is open round the clock; `default`: groups keep their configured hours. */
  businessHours: 'always' | 'default';
  /** Days without activity after which a conversation is erased by the daily job; 0 (the default) keeps everything. */
  retentionDays: number;
  /**
   * SMTP_URL (smtp:// or smtps://, may carry a password) and SMTP_FROM: answers to left messages are also e-mailed to
   * visitors who left an e-mail address. Unset: no mail is sent (the answer still shows in the widget).
   */
  smtp?: { url: string; from: string };
  /** The first admin, created on a database without one. Never logged. */
  admin?: { username: string; password: string; displayName?: string };
  /** Agent sign-in and human handoff. */
  agents: {
    /** A session unused this long ends. Range 1-1440 min; default 30. */
    sessionIdleMinutes: number;
    /** A session ends this long after sign-in whatever its use. Range 1-720 h; default 12. */
    sessionMaxHours: number;
    /** Origins besides the request's own allowed for cookie-authenticated changes (a TLS proxy's). Default none. */
    allowedOrigins: string[];
    /** Secure attribute of the session cookie: auto (when the request is https), always, never. */
    cookieSecure: 'auto' | 'always' | 'never';
    /** An agent without a live connection this long goes offline and their chats go back to the queue. Range 0-300 s; default 30. */
    presenceGraceSeconds: number;
    /** An assigned chat with no message this long is closed. Range 1-1440 min; default 10. */
    idleCloseMinutes: number;
    /** Queue wait per chat ahead before there are measured handling times. Range 30-600 s; default 120. */
    queueSecondsPerChat: number;
    /** Live stream heartbeat. Range 1000-60000 ms; default 15000. */
    liveHeartbeatMs: number;
  };
}

/** Thrown at start-up; the message names the variable and the accepted values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`config: ${variable} ${message}`);
  }
}

/** on/off switch; true/false and 1/0 are accepted too, in any case. */
const onOff = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'must be on or off' }))
    .transform((v) => v === 'on' || v === 'true' || v === '1');

function number(min: number, max: number, opts: { integer?: boolean } = {}) {
  const what = opts.integer ? 'an integer' : 'a number';
  return z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, { error: `must be ${what} from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      (opts.integer ? z.number().int({ error: `must be ${what} from ${min} to ${max}` }) : z.number())
        .min(min, { error: `must be ${what} from ${min} to ${max}` })
        .max(max, { error: `must be ${what} from ${min} to ${max}` }),
    );
}

const envSchema = z.object({
  PORT: number(0, 65535, { integer: true }).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().trim().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL').optional(),
  REDIS_URL: z.string().trim().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 letters, digits, colons, underscores or dashes').default('tc:'),
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' }).default('auto'),
  REQUEST_LOG_EVERY: number(0, 10_000, { integer: true }).default(20),
  EXPLAIN: onOff().default(false),
  // Ranges as documented on EngineOptions.
  ANSWER_THRESHOLD: number(0.3, 0.9).default(defaultEngineOptions.answerThreshold),
  CLARIFY_THRESHOLD: number(0.15, 0.6).default(defaultEngineOptions.clarifyThreshold),
  MIN_MARGIN: number(0.05, 0.5).default(defaultEngineOptions.minMargin),
  HANDOFF_AFTER_FALLBACKS: number(0, 5, { integer: true }).default(defaultEngineOptions.handoffAfterFallbacks),
  MAX_BODY_BYTES: number(1024, 1_048_576, { integer: true }).default(16_384),
  MAX_ATTACHMENT_BYTES: number(1024, 52_428_800, { integer: true }).default(5_242_880),
  MAX_MESSAGE_CHARS: number(1, 10_000, { integer: true }).default(1000),
  // At most 1.5 s so that an edited file is live within the promised 2 s.
  RELOAD_DEBOUNCE_MS: number(0, 1500, { integer: true }).default(200),
  RATE_LIMITS: onOff().default(true),
  TRUSTED_PROXIES: z.string().default(''),
  IPV6_PREFIX_LENGTH: number(32, 128, { integer: true }).default(64),
  MAX_VISITOR_STREAMS_PER_ADDRESS: number(1, 10_000, { integer: true }).default(20),
  REQUEST_TIMEOUT_SECONDS: number(1, 300, { integer: true }).default(30),
  BUSINESS_HOURS: z.enum(['always', 'default'], { error: 'must be always or default' }).default('default'),
  ADMIN_USERNAME: z.string().trim().min(1).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(1).optional(),
  ADMIN_DISPLAY_NAME: z.string().trim().min(1).max(64).optional(),
  AGENT_SESSION_IDLE_MINUTES: number(1, 1440, { integer: true }).default(30),
  AGENT_SESSION_MAX_HOURS: number(1, 720, { integer: true }).default(12),
  AGENT_ALLOWED_ORIGINS: z.string().default(''),
  WIDGET_ALLOWED_ORIGINS: z.string().default(''),
  AGENT_COOKIE_SECURE: z.enum(['auto', 'always', 'never'], { error: 'must be auto, always or never' }).default('auto'),
  PRESENCE_GRACE_SECONDS: number(0, 300, { integer: true }).default(30),
  // Fractions of a minute (down to 3 s) let tests of real processes see a chat closed for idleness.
  IDLE_CLOSE_MINUTES: number(0.05, 1440).default(10),
  QUEUE_SECONDS_PER_CHAT: number(30, 600, { integer: true }).default(120),
  LIVE_HEARTBEAT_MS: number(1000, 60000, { integer: true }).default(15000),
  RETENTION_DAYS: number(0, 3650, { integer: true }).default(0),
  SMTP_URL: z.string().trim().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL').optional(),
  SMTP_FROM: z.string().trim().min(3).max(320).regex(/@/, 'must be an e-mail address (Name <noreply@example.com> or noreply@example.com)').optional(),
});

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as in most shells' `${VAR:-default}`.
  const present: Env = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // Never echo secrets back, even in an error.
    // (DATABASE_URL, REDIS_URL and SMTP_URL may carry a password.)
    const shown = ['ADMIN_PASSWORD', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL'].includes(variable) ? '' : ` (got ${JSON.stringify(present[variable])})`;
    throw new ConfigError(variable, `${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (e.CLARIFY_THRESHOLD > e.ANSWER_THRESHOLD) {
    throw new ConfigError(
      'CLARIFY_THRESHOLD',
      `must not exceed ANSWER_THRESHOLD (${e.CLARIFY_THRESHOLD} > ${e.ANSWER_THRESHOLD})`,
    );
  }
  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      e.ADMIN_USERNAME === undefined ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD',
      'must be set together with ' + (e.ADMIN_USERNAME === undefined ? 'ADMIN_PASSWORD' : 'ADMIN_USERNAME'),
    );
  }

  // Mail needs both: where to send it and whom it is from.
  if ((e.SMTP_URL === undefined) !== (e.SMTP_FROM === undefined)) {
    throw new ConfigError(
      e.SMTP_URL === undefined ? 'SMTP_URL' : 'SMTP_FROM',
      'must be set together with ' + (e.SMTP_URL === undefined ? 'SMTP_FROM' : 'SMTP_URL'),
    );
  }

  // SQLite per node with shared Redis would split one deployment's chats between files: refuse it.
  if (e.REDIS_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError('REDIS_URL', 'needs DATABASE_URL: several nodes must share one PostgreSQL database');
  }

  let allowedOrigins: string[];
  try {
    allowedOrigins = parseAllowedOrigins(e.AGENT_ALLOWED_ORIGINS);
  } catch (err) {
    // An entry with a path or another scheme would never match an Origin header: refuse it rather than ignore it.
    throw new ConfigError('AGENT_ALLOWED_ORIGINS', `must list http(s) origins without a path, comma-separated: ${(err as Error).message}`);
  }

  let widgetOrigins: string[];
  try {
    widgetOrigins = parseAllowedOrigins(e.WIDGET_ALLOWED_ORIGINS);
  } catch (err) {
    throw new ConfigError('WIDGET_ALLOWED_ORIGINS', `must list http(s) origins without a path, comma-separated: ${(err as Error).message}`);
  }

  const trustedProxies = e.TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter((s) => s !== '');
  let trustProxy: Config['trustProxy'];
  try {
    trustProxy = proxyAddr.compile(trustedProxies);
  } catch (err) {
    // A typo here would silently key every limit on the proxy's address (or on a spoofable header): refuse it.
    throw new ConfigError(
      'TRUSTED_PROXIES',
      `must list IP addresses, CIDR ranges or loopback, linklocal, uniquelocal, comma-separated: ${(err as Error).message} (got ${JSON.stringify(e.TRUSTED_PROXIES)})`,
    );
  }

  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    ...(e.DATABASE_URL !== undefined ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.REDIS_URL !== undefined ? { redisUrl: e.REDIS_URL } : {}),
    redisPrefix: e.REDIS_PREFIX,
    knowledgeDir: path.resolve(e.KNOWLEDGE_DIR),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    requestLogEvery: e.REQUEST_LOG_EVERY,
    explain: e.EXPLAIN,
    engine: {
      ...defaultEngineOptions,
      answerThreshold: e.ANSWER_THRESHOLD,
      clarifyThreshold: e.CLARIFY_THRESHOLD,
      minMargin: e.MIN_MARGIN,
      handoffAfterFallbacks: e.HANDOFF_AFTER_FALLBACKS,
      explain: e.EXPLAIN,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    widgetOrigins,
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    reloadDebounceMs: e.RELOAD_DEBOUNCE_MS,
    rateLimits: e.RATE_LIMITS,
    trustedProxies,
    trustProxy,
    ipv6PrefixLength: e.IPV6_PREFIX_LENGTH,
    maxVisitorStreamsPerAddress: e.MAX_VISITOR_STREAMS_PER_ADDRESS,
    requestTimeoutSeconds: e.REQUEST_TIMEOUT_SECONDS,
    businessHours: e.BUSINESS_HOURS,
    retentionDays: e.RETENTION_DAYS,
    agents: {
      sessionIdleMinutes: e.AGENT_SESSION_IDLE_MINUTES,
      sessionMaxHours: e.AGENT_SESSION_MAX_HOURS,
      allowedOrigins,
      cookieSecure: e.AGENT_COOKIE_SECURE,
      presenceGraceSeconds: e.PRESENCE_GRACE_SECONDS,
      idleCloseMinutes: e.IDLE_CLOSE_MINUTES,
      queueSecondsPerChat: e.QUEUE_SECONDS_PER_CHAT,
      liveHeartbeatMs: e.LIVE_HEARTBEAT_MS,
    },
  };
  if (e.SMTP_URL !== undefined && e.SMTP_FROM !== undefined) config.smtp = { url: e.SMTP_URL, from: e.SMTP_FROM };
  if (e.ADMIN_USERNAME !== undefined && e.ADMIN_PASSWORD !== undefined) {
    config.admin = { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD, ...(e.ADMIN_DISPLAY_NAME ? { displayName: e.ADMIN_DISPLAY_NAME } : {}) };
  }
  return config;
}
