// The admins' CLI, `npm run admin -- <add-agent|list-agents|disable-agent|enable-agent|reset-password>`,
// working on the service's SQLite file directly (the server may be running: WAL and busy_timeout allow it).
// Its changes go to the audit log like the admin API's, under the actor "admin CLI".
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAgentAccounts, type AgentAccounts } from './agent-accounts.ts';
import { auditAgentCreated, auditAgentUpdated } from './agent-audit.ts';
import { parseNewAgent } from './agent-input.ts';
import type { AgentRecord } from './agent-store.ts';
import { CLI_ACTOR } from '../supervision/audit-log.ts';
import { createSqliteAuditLog } from '../supervision/sqlite-audit-log.ts';
import { openDatabase } from '../sqlite/db.ts';
import { AppError, ValidationError } from '../platform/errors.ts';
import { createPasswordHasher } from '../auth/password.ts';
import { createSqliteAgentStore } from './sqlite-agent-store.ts';
import { createSqliteSessionStore } from '../auth/sqlite-session-store.ts';

const USAGE = `usage: npm run admin -- <command> [options]
  add-agent --username <u> --name <display name> [--role agent|editor|admin] [--groups mobile,billing] [--capacity 3] [--password-stdin]
                                   (editor: content work only, the unanswered inbox and FAQ drafts; never routed chats)
  list-agents [--json]
  disable-agent --username <u>     (ends the agent's sessions)
  enable-agent --username <u>
  reset-password --username <u> [--password-stdin]   (ends the agent's sessions)
options:
  --data-dir <dir>   the service's data directory (default: $DATA_DIR or ./data)
  --password-stdin   read the password from standard input (a prompt that does not echo, on a terminal);
                     without it the password comes from the ADMIN_CLI_PASSWORD variable. It is never printed.`;

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Wrong command line: usage is printed, exit code 2. */
class UsageError extends Error {}
/** The password input or the named agent is not usable: the message, exit code 1. */
class CliError extends Error {}

/** The command-line flag each input field comes from, to name it in errors. */
const FLAG_OF: Record<string, string> = {
  username: '--username',
  displayName: '--name',
  role: '--role',
  groups: '--groups',
  capacity: '--capacity',
  password: 'the password',
};

export async function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        groups: { type: 'string' },
        capacity: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (positionals.length > 1) {
    io.stderr.write(`error: unexpected argument ${JSON.stringify(positionals[1])}\n${USAGE}\n`);
    return 2;
  }

  const dataDir = path.resolve(values['data-dir'] ?? (io.env.DATA_DIR || './data'));
  const db = openDatabase(dataDir);
  try {
    const passwords = createPasswordHasher();
    // No hub in this process: the server's session sweeper announces the sessions ended here.
    const accounts = createAgentAccounts({
      agents: createSqliteAgentStore(db),
      sessions: createSqliteSessionStore(db),
      passwords,
    });
    const audit = createSqliteAuditLog(db);
    const needUsername = () => {
      if (!values.username) throw new UsageError(`${command} needs --username`);
      return values.username;
    };
    const password = () => readPassword(io, values['password-stdin']);

    switch (command) {
      case 'add-agent': {
        if (values.name === undefined) throw new UsageError('add-agent needs --name "<display name>"');
        const input = parseNewAgent({
          username: needUsername(),
          displayName: values.name,
          ...(values.role !== undefined ? { role: values.role } : {}),
          ...(values.groups !== undefined ? { groups: values.groups.split(',').map((g) => g.trim()).filter(Boolean) } : {}),
          ...(values.capacity !== undefined ? { capacity: parseCapacity(values.capacity) } : {}),
          password: '',
        });
        const agent = await accounts.add({ ...input, password: await password() });
        await auditAgentCreated(audit, CLI_ACTOR, agent);
        io.stdout.write(`added ${describe(agent)}\n`);
        return 0;
      }
      case 'list-agents': {
        const agents = await accounts.agents.list();
        io.stdout.write(values.json ? `${JSON.stringify(agents, null, 2)}\n` : table(agents));
        return 0;
      }
      case 'disable-agent':
      case 'enable-agent': {
        const agent = await findAgent(accounts, needUsername());
        const disabled = command === 'disable-agent';
        const after = await accounts.update(agent.id, { disabled });
        await auditAgentUpdated(audit, CLI_ACTOR, agent, after, { disabled });
        io.stdout.write(disabled ? `disabled ${agent.username}; their sessions have ended\n` : `enabled ${agent.username}\n`);
        return 0;
      }
      case 'reset-password': {
        const agent = await findAgent(accounts, needUsername());
        const patch = { password: await password() };
        await auditAgentUpdated(audit, CLI_ACTOR, agent, await accounts.update(agent.id, patch), patch);
        io.stdout.write(`password of ${agent.username} changed; their sessions have ended\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ValidationError && err.field !== undefined && FLAG_OF[err.field]) {
      io.stderr.write(`error: ${FLAG_OF[err.field]}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof AppError || err instanceof CliError) {
      io.stderr.write(`error: ${err.message.replace(/^handoff: /, '')}\n`);
      return 1;
    }
    throw err;
  } finally {
    db.close();
  }
}

function parseCapacity(value: string): number {
  // Left to the schema for its range; here only "is it a whole number".
  if (!/^\d{1,3}$/.test(value)) throw new UsageError('--capacity must be a whole number (0-50)');
  return Number(value);
}

async function findAgent(accounts: AgentAccounts, username: string): Promise<AgentRecord> {
  const agent = await accounts.agents.findByUsername(username);
  if (!agent) throw new CliError(`no agent with the username ${JSON.stringify(username)}`);
  return agent;
}

function describe(agent: AgentRecord): string {
  const groups = agent.groups.length > 0 ? agent.groups.join(',') : '-';
  return `${agent.username} (${agent.displayName}), ${agent.role}, groups ${groups}, capacity ${agent.capacity}, id ${agent.id}`;
}

function table(agents: AgentRecord[]): string {
  if (agents.length === 0) return 'no agents\n';
  const rows = [
    ['USERNAME', 'NAME', 'ROLE', 'GROUPS', 'CAPACITY', 'STATUS'],
    ...agents.map((a) => [
      a.username,
      a.displayName,
      a.role,
      a.groups.join(',') || '-',
      String(a.capacity),
      a.disabled ? 'disabled' : 'enabled',
    ]),
  ];
  // Width in code points; East Asian wide characters make columns uneven, which a terminal forgives.
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n') + '\n';
}

async function readPassword(io: CliIo, fromStdin: boolean | undefined): Promise<string> {
  if (!fromStdin) {
    const fromEnv = io.env.ADMIN_CLI_PASSWORD;
    if (fromEnv === undefined || fromEnv === '') {
      throw new UsageError('no password: pipe it in with --password-stdin, or set ADMIN_CLI_PASSWORD');
    }
    return fromEnv;
  }
  if (io.stdin.isTTY && io.stdin.setRawMode) {
    const first = await promptHidden(io, 'Password: ');
    const again = await promptHidden(io, 'Password again: ');
    if (first !== again) throw new CliError('the two passwords differ');
    return first;
  }
  const text = await readAll(io.stdin);
  // One line; the newline `echo` adds is not part of it.
  const password = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(password)) throw new CliError('the password on standard input must be a single line');
  if (password === '') throw new CliError('standard input held no password');
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from a terminal without echoing it. */
function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  return new Promise((resolve, reject) => {
    io.stderr.write(prompt);
    let typed = '';
    const finish = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of String(data)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAdminCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
