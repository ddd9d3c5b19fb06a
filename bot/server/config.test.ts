import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { defaultEngineOptions } from '../engine/engine-options.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('data'),
      redisPrefix: 'tc:',
      knowledgeDir: path.resolve('knowledge'),
      logLevel: 'info',
      logFormat: 'auto',
      requestLogEvery: 20,
      explain: false,
      engine: defaultEngineOptions,
      maxBodyBytes: 16384,
      maxAttachmentBytes: 5_242_880,
      widgetOrigins: [],
      maxMessageChars: 1000,
      reloadDebounceMs: 200,
      rateLimits: true,
      trustedProxies: [],
      trustProxy: expect.any(Function),
      ipv6PrefixLength: 64,
      maxVisitorStreamsPerAddress: 20,
      requestTimeoutSeconds: 30,
      businessHours: 'default',
      retentionDays: 0,
      agents: {
        sessionIdleMinutes: 30,
        sessionMaxHours: 12,
        allowedOrigins: [],
        cookieSecure: 'auto',
        presenceGraceSeconds: 30,
        idleCloseMinutes: 10,
        queueSecondsPerChat: 120,
        liveHeartbeatMs: 15000,
      },
    });
  });

  it('reads the agent and handoff settings', () => {
    const config = loadConfig({
      AGENT_SESSION_IDLE_MINUTES: '5',
      AGENT_SESSION_MAX_HOURS: '8',
      AGENT_ALLOWED_ORIGINS: 'https://cs.example.com, https://hall.example.com',
      AGENT_COOKIE_SECURE: 'always',
      PRESENCE_GRACE_SECONDS: '0',
      IDLE_CLOSE_MINUTES: '60',
      QUEUE_SECONDS_PER_CHAT: '90',
      LIVE_HEARTBEAT_MS: '5000',
    });
    expect(config.agents).toEqual({
      sessionIdleMinutes: 5,
      sessionMaxHours: 8,
      allowedOrigins: ['https://cs.example.com', 'https://hall.example.com'],
      cookieSecure: 'always',
      presenceGraceSeconds: 0,
      idleCloseMinutes: 60,
      queueSecondsPerChat: 90,
      liveHeartbeatMs: 5000,
    });
    expect(() => loadConfig({ PRESENCE_GRACE_SECONDS: '301' })).toThrow(/PRESENCE_GRACE_SECONDS must be an integer from 0 to 300/);
    expect(() => loadConfig({ AGENT_COOKIE_SECURE: 'sometimes' })).toThrow(/AGENT_COOKIE_SECURE/);
  });

  it('normalizes AGENT_ALLOWED_ORIGINS and refuses an entry that is not an origin, naming the variable', () => {
    expect(loadConfig({ AGENT_ALLOWED_ORIGINS: 'https://CS.example.com:443/, http://10.0.0.5:3000' }).agents.allowedOrigins).toEqual([
      'https://cs.example.com',
      'http://10.0.0.5:3000',
    ]);
    for (const bad of ['https://cs.example.com/console', 'ftp://cs.example.com', 'cs.example.com', 'https://ok.example.com, javascript:alert(1)']) {
      let thrown: unknown;
      try {
        loadConfig({ AGENT_ALLOWED_ORIGINS: bad });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, bad).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).variable).toBe('AGENT_ALLOWED_ORIGINS');
      expect((thrown as ConfigError).message).toMatch(/^config: AGENT_ALLOWED_ORIGINS must list http\(s\) origins without a path/);
      expect((thrown as ConfigError).message).toContain('is not an origin');
    }
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/tmp/x',
      KNOWLEDGE_DIR: 'kb',
      LOG_LEVEL: 'debug',
      EXPLAIN: 'ON',
      ANSWER_THRESHOLD: '0.6',
      CLARIFY_THRESHOLD: '0.2',
      MIN_MARGIN: '0.1',
      HANDOFF_AFTER_FALLBACKS: '0',
      MAX_BODY_BYTES: '2048',
      MAX_ATTACHMENT_BYTES: '65536',
      MAX_MESSAGE_CHARS: '200',
      RELOAD_DEBOUNCE_MS: '50',
      RATE_LIMITS: 'off',
      BUSINESS_HOURS: 'always',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 's3cret',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/tmp/x',
      knowledgeDir: path.resolve('kb'),
      logLevel: 'debug',
      explain: true,
      maxBodyBytes: 2048,
      maxAttachmentBytes: 65536,
      maxMessageChars: 200,
      reloadDebounceMs: 50,
      rateLimits: false,
      businessHours: 'always',
      admin: { username: 'admin', password: 's3cret' },
    });
    expect(config.engine).toEqual({
      ...defaultEngineOptions,
      answerThreshold: 0.6,
      clarifyThreshold: 0.2,
      minMargin: 0.1,
      handoffAfterFallbacks: 0,
      explain: true,
    });
  });

  it('reads the client keying, stream cap and request timeout', () => {
    expect(loadConfig({ IPV6_PREFIX_LENGTH: '48', MAX_VISITOR_STREAMS_PER_ADDRESS: '5', REQUEST_TIMEOUT_SECONDS: '10' })).toMatchObject({
      ipv6PrefixLength: 48,
      maxVisitorStreamsPerAddress: 5,
      requestTimeoutSeconds: 10,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', EXPLAIN: '' })).toMatchObject({ port: 3000, explain: false });
  });

  it.each([
    ['PORT', '70000', /PORT must be an integer from 0 to 65535 \(got "70000"\)/],
    ['PORT', 'abc', /PORT must be an integer/],
    ['PORT', '80.5', /PORT must be an integer/],
    ['ANSWER_THRESHOLD', '0.95', /ANSWER_THRESHOLD must be a number from 0.3 to 0.9/],
    ['CLARIFY_THRESHOLD', '0.1', /CLARIFY_THRESHOLD must be a number from 0.15 to 0.6/],
    ['MIN_MARGIN', '1', /MIN_MARGIN must be a number from 0.05 to 0.5/],
    ['HANDOFF_AFTER_FALLBACKS', '6', /HANDOFF_AFTER_FALLBACKS must be an integer from 0 to 5/],
    ['HANDOFF_AFTER_FALLBACKS', '1.5', /HANDOFF_AFTER_FALLBACKS must be an integer/],
    ['MAX_BODY_BYTES', '10', /MAX_BODY_BYTES must be an integer from 1024/],
    ['MAX_MESSAGE_CHARS', '0', /MAX_MESSAGE_CHARS must be an integer from 1/],
    ['RELOAD_DEBOUNCE_MS', '5000', /RELOAD_DEBOUNCE_MS must be an integer from 0 to 1500/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of fatal, error/],
    ['EXPLAIN', 'yes', /EXPLAIN must be on or off/],
    ['RATE_LIMITS', 'maybe', /RATE_LIMITS must be on or off/],
    ['BUSINESS_HOURS', '9-17', /BUSINESS_HOURS must be always or default/],
    ['IPV6_PREFIX_LENGTH', '16', /IPV6_PREFIX_LENGTH must be an integer from 32 to 128/],
    ['IPV6_PREFIX_LENGTH', '129', /IPV6_PREFIX_LENGTH must be an integer from 32 to 128/],
    ['MAX_VISITOR_STREAMS_PER_ADDRESS', '0', /MAX_VISITOR_STREAMS_PER_ADDRESS must be an integer from 1 to 10000/],
    ['REQUEST_TIMEOUT_SECONDS', '0', /REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 300/],
    ['REQUEST_TIMEOUT_SECONDS', '301', /REQUEST_TIMEOUT_SECONDS must be an integer from 1 to 300/],
  ])('rejects %s=%s naming the variable', (variable, value, message) => {
    const attempt = () => loadConfig({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (err) {
      expect((err as ConfigError).variable).toBe(variable);
    }
  });

  it('keeps the clarify threshold at or below the answer threshold', () => {
    expect(() => loadConfig({ ANSWER_THRESHOLD: '0.4', CLARIFY_THRESHOLD: '0.5' })).toThrow(
      /CLARIFY_THRESHOLD must not exceed ANSWER_THRESHOLD/,
    );
  });

  it('wants both admin variables or neither, and never prints the password', () => {
    expect(() => loadConfig({ ADMIN_USERNAME: 'admin' })).toThrow(/ADMIN_PASSWORD must be set together/);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'hunter2' })).toThrow(/ADMIN_USERNAME must be set together/);
    expect(loadConfig({}).admin).toBeUndefined();
  });

  describe('TRUSTED_PROXIES', () => {
    it('trusts nobody by default: every hop, even loopback, is the client', () => {
      const { trustedProxies, trustProxy } = loadConfig({});
      expect(trustedProxies).toEqual([]);
      expect(trustProxy('127.0.0.1', 0)).toBe(false);
      expect(trustProxy('10.0.0.1', 0)).toBe(false);
    });

    it('reads addresses, CIDR ranges and the named ranges, comma-separated', () => {
      const { trustedProxies, trustProxy } = loadConfig({ TRUSTED_PROXIES: ' loopback , 10.1.0.0/16,2001:db8::1 ,linklocal' });
      expect(trustedProxies).toEqual(['loopback', '10.1.0.0/16', '2001:db8::1', 'linklocal']);
      expect(trustProxy('127.0.0.1', 0)).toBe(true);
      expect(trustProxy('::1', 0)).toBe(true);
      expect(trustProxy('10.1.200.3', 1)).toBe(true);
      expect(trustProxy('2001:db8::1', 0)).toBe(true);
      expect(trustProxy('169.254.1.1', 0)).toBe(true);
      // Outside every listed range (uniquelocal, fd00::/8 and 10/8, was not listed).
      expect(trustProxy('10.2.0.1', 0)).toBe(false);
      expect(trustProxy('192.0.2.7', 0)).toBe(false);
      expect(trustProxy('fd00::5', 0)).toBe(false);
    });

    it('treats an empty value as not set', () => {
      expect(loadConfig({ TRUSTED_PROXIES: ' , ' }).trustedProxies).toEqual([]);
    });

    it('stops start-up on a value that is not an address, range or name, naming the variable', () => {
      for (const bad of ['localhost', '10.0.0.0/33', '300.1.1.1', 'loopback,proxy.example.com', '10.0.0.1/abc']) {
        expect(() => loadConfig({ TRUSTED_PROXIES: bad }), bad).toThrow(ConfigError);
        expect(() => loadConfig({ TRUSTED_PROXIES: bad }), bad).toThrow(/^config: TRUSTED_PROXIES must list IP addresses/);
      }
    });
  });
  it('takes DATABASE_URL and REDIS_URL for several nodes, wants the database with Redis, and never prints either URL', () => {
    const both = loadConfig({ DATABASE_URL: 'postgres://chat:pw@db.internal/chat', REDIS_URL: 'redis://:pw@cache:6379', REDIS_PREFIX: 'hall1:' });
    expect(both).toMatchObject({ databaseUrl: 'postgres://chat:pw@db.internal/chat', redisUrl: 'redis://:pw@cache:6379', redisPrefix: 'hall1:' });
    // PostgreSQL alone is a valid single node; Redis alone would leave each node its own SQLite file.
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/chat' }).redisUrl).toBeUndefined();
    expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(/^config: REDIS_URL needs DATABASE_URL/);
    for (const [name, bad] of [['DATABASE_URL', 'mysql://u:secret-pw@h/db'], ['REDIS_URL', 'http://u:secret-pw@h']] as const) {
      const attempt = () => loadConfig({ DATABASE_URL: 'postgres://h/db', [name]: bad });
      expect(attempt).toThrow(new RegExp(`^config: ${name} must be a`));
      expect(attempt).not.toThrow(/secret-pw/);
    }
    expect(() => loadConfig({ REDIS_PREFIX: 'has space' })).toThrow(/^config: REDIS_PREFIX/);
  });

  it('takes SMTP_URL with SMTP_FROM for e-mailing answers to left messages, never printing the URL', () => {
    expect(loadConfig({}).smtp).toBeUndefined();
    expect(loadConfig({ SMTP_URL: 'smtps://hall:pw@mail.example.com:465', SMTP_FROM: 'Online hall <noreply@example.com>' }).smtp).toEqual({
      url: 'smtps://hall:pw@mail.example.com:465',
      from: 'Online hall <noreply@example.com>',
    });
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail:25' })).toThrow(/^config: SMTP_FROM must be set together with SMTP_URL/);
    expect(() => loadConfig({ SMTP_FROM: 'noreply@example.com' })).toThrow(/^config: SMTP_URL must be set together with SMTP_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail:25', SMTP_FROM: 'nobody' })).toThrow(/^config: SMTP_FROM must be an e-mail address/);
    const bad = () => loadConfig({ SMTP_URL: 'http://u:secret-pw@mail', SMTP_FROM: 'noreply@example.com' });
    expect(bad).toThrow(/^config: SMTP_URL must be an smtp/);
    expect(bad).not.toThrow(/secret-pw/);
  });
});
