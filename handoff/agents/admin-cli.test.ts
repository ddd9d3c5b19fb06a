// The admin CLI as admins run it: a real process on a real data directory, its exit codes and output,
// and what it leaves in the database (checked through the stores, as the server would see it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../sqlite/db.ts';
import { createPasswordHasher } from '../auth/password.ts';
import { createSqliteAgentStore } from './sqlite-agent-store.ts';
import { createSqliteSessionStore } from '../auth/sqlite-session-store.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const cli = path.join(root, 'handoff', 'agents', 'admin-cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], { stdin, env = {}, viaNpm = false }: { stdin?: string; env?: Record<string, string>; viaNpm?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [command, argv] = viaNpm ? ['npm', ['run', '--silent', 'admin', '--', ...args]] : [tsx, [cli, ...args]];
    const child = spawn(command, argv, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATA_DIR: dataDir, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

let dataDir: string;
let db: Db;
const hasher = createPasswordHasher();

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'admin-cli-'));
  // Held open the whole time, like a running server.
  db = openDatabase(dataDir);
});
afterAll(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const agents = () => createSqliteAgentStore(db);
const sessions = () => createSqliteSessionStore(db);

async function passwordWorks(username: string, password: string): Promise<boolean> {
  const creds = await agents().credentials(username);
  return creds !== undefined && (await hasher.verify(creds.passwordHash, password));
}

describe('npm run admin', () => {
  it('add-agent reads the password from stdin, never prints it, and the agent can sign in', async () => {
    const secret = 'piped in secret 1';
    const r = await run(['add-agent', '--username', 'Wang', '--name', '王芳', '--role', 'admin', '--groups', 'mobile,billing', '--capacity', '4', '--password-stdin'], {
      stdin: `${secret}\n`,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^added wang \(王芳\), admin, groups mobile,billing, capacity 4, id [0-9a-f-]{36}\n$/);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(await agents().findByUsername('wang')).toMatchObject({ role: 'admin', groups: ['mobile', 'billing'], capacity: 4 });
    expect(await passwordWorks('wang', secret)).toBe(true);
    expect((await agents().credentials('wang'))!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('add-agent takes ADMIN_CLI_PASSWORD when there is no --password-stdin; defaults role agent, no groups, capacity 3', async () => {
    const r = await run(['add-agent', '--username', 'li', '--name', 'Li Lei'], { env: { ADMIN_CLI_PASSWORD: 'from the env var' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^added li \(Li Lei\), agent, groups -, capacity 3, id /);
    expect(await passwordWorks('li', 'from the env var')).toBe(true);
  });

  it('is the "admin" script of package.json', async () => {
    const r = await run(['list-agents'], { viaNpm: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^USERNAME\s+NAME\s+ROLE\s+GROUPS\s+CAPACITY\s+STATUS$/m);
  });

  it('list-agents prints a table, or JSON with --json (no password material)', async () => {
    const table = await run(['list-agents']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^li\s+Li Lei\s+agent\s+-\s+3\s+enabled$/m);
    expect(table.stdout).toMatch(/^wang\s+王芳\s+admin\s+mobile,billing\s+4\s+enabled$/m);
    const json = await run(['list-agents', '--json']);
    const list = JSON.parse(json.stdout);
    expect(list.map((a: { username: string }) => a.username)).toEqual(['li', 'wang']);
    expect(json.stdout).not.toMatch(/argon2|passwordHash/);
  });

  it('refuses without a password, and with a weak one, without echoing it', async () => {
    const none = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no password: pipe it in with --password-stdin, or set ADMIN_CLI_PASSWORD/);
    const weak = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--password-stdin'], { stdin: 'abc123\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/the password: password must be at least 10 characters/);
    expect(weak.stderr + weak.stdout).not.toContain('abc123');
    const common = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--password-stdin'], { stdin: 'password123\n' });
    expect(common.code).toBe(1);
    expect(common.stderr).toMatch(/the password: password is one of the most common passwords/);
    expect(common.stderr + common.stdout).not.toContain('password123');
    const twoLines = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--password-stdin'], { stdin: 'first line here\nsecond line\n' });
    expect(twoLines.code).toBe(1);
    expect(twoLines.stderr).toMatch(/single line/);
    expect(await agents().findByUsername('zhao')).toBeUndefined();
  });

  it('names the flag that is wrong; exit 2 for usage errors', async () => {
    const env = { ADMIN_CLI_PASSWORD: 'a long enough one' };
    const role = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--role', 'boss'], { env });
    expect(role.code).toBe(1);
    expect(role.stderr).toMatch(/^error: --role: role must be "agent", "editor" or "admin"/);
    const groups = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--groups', 'Mobile Team'], { env });
    expect(groups.code).toBe(1);
    expect(groups.stderr).toMatch(/^error: --groups: /);
    const capacity = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--capacity', 'many'], { env });
    expect(capacity.code).toBe(2);
    expect(capacity.stderr).toMatch(/--capacity must be a whole number/);
    const tooMany = await run(['add-agent', '--username', 'zhao', '--name', 'Zhao', '--capacity', '99'], { env });
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/^error: --capacity: /);
    const noName = await run(['add-agent', '--username', 'zhao'], { env });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/add-agent needs --name/);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(unknown.stderr).toMatch(/usage: npm run admin/);
    const flag = await run(['list-agents', '--verbose']);
    expect(flag.code).toBe(2);
    const bare = await run([]);
    expect(bare.code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/add-agent --username/);
  });

  it('refuses a taken username (exit 1)', async () => {
    const r = await run(['add-agent', '--username', 'LI', '--name', 'Other Li'], { env: { ADMIN_CLI_PASSWORD: 'a long enough one' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the username "li" is taken/);
  });

  it('disable-agent ends the agent\'s sessions; enable-agent lets them sign in again', async () => {
    const li = (await agents().findByUsername('li'))!;
    const created = await sessions().create({ agentId: li.id, passwordHash: (await agents().credentials('li'))!.passwordHash });
    expect(created.kind).toBe('created');
    const r = await run(['disable-agent', '--username', 'li']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('disabled li; their sessions have ended\n');
    expect((await agents().get(li.id)).disabled).toBe(true);
    expect(await sessions().listActive(li.id)).toEqual([]);
    // The server's sweeper announces it to open connections.
    expect((await sessions().sweep()).map((s) => [s.agentId, s.reason])).toEqual([[li.id, 'disabled']]);
    const enabled = await run(['enable-agent', '--username', 'li']);
    expect(enabled.code).toBe(0);
    expect((await agents().get(li.id)).disabled).toBe(false);
    const missing = await run(['disable-agent', '--username', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no agent with the username "nobody"/);
    const noUser = await run(['disable-agent']);
    expect(noUser.code).toBe(2);
  });

  it('reset-password replaces the password and ends the sessions', async () => {
    const li = (await agents().findByUsername('li'))!;
    await sessions().create({ agentId: li.id, passwordHash: (await agents().credentials('li'))!.passwordHash });
    const r = await run(['reset-password', '--username', 'li', '--password-stdin'], { stdin: 'brand new password\r\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('password of li changed; their sessions have ended\n');
    expect(await passwordWorks('li', 'brand new password')).toBe(true);
    expect(await passwordWorks('li', 'from the env var')).toBe(false);
    expect(await sessions().listActive(li.id)).toEqual([]);
    const common = await run(['reset-password', '--username', 'li', '--password-stdin'], { stdin: '1234567890\n' });
    expect(common.code).toBe(1);
    expect(common.stderr).toMatch(/password is one of the most common passwords/);
    expect(await passwordWorks('li', 'brand new password')).toBe(true);
  });

  it('add-agent --role editor makes a content editor; each change is in the audit log as "admin CLI", without the password', async () => {
    const r = await run(['add-agent', '--username', 'erin', '--name', 'Erin', '--role', 'editor', '--password-stdin'], { stdin: 'erin edits the faq\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^added erin \(Erin\), editor, /);
    const erin = (await agents().findByUsername('erin'))!;
    expect(erin.role).toBe('editor');
    expect((await run(['reset-password', '--username', 'erin', '--password-stdin'], { stdin: 'erin has a new one\n' })).code).toBe(0);
    const rows = db.prepare("SELECT actor_id, actor_name, action, target_id, details FROM audit_log WHERE target_id = ? ORDER BY id").all(erin.id) as Array<Record<string, unknown>>;
    expect(rows.map((row) => [row.actor_id, row.actor_name, row.action])).toEqual([
      [null, 'admin CLI', 'agent.created'],
      [null, 'admin CLI', 'agent.password_reset'],
    ]);
    expect(JSON.parse(rows[0]!.details as string)).toMatchObject({ username: 'erin', role: 'editor' });
    expect(JSON.stringify(rows)).not.toMatch(/erin edits|new one|argon2/);
  });

  it('will not disable the last enabled admin', async () => {
    const r = await run(['disable-agent', '--username', 'wang']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/last enabled admin/);
    expect((await agents().findByUsername('wang'))!.disabled).toBe(false);
  });
});
