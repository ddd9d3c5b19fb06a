// What a multi-node test asks for: a fresh PostgreSQL database of its own and a Redis key prefix of its own,
// on the servers of global-setup.ts. `describeWithServices` skips (with the reason) where the machine has
// neither, except under CI, where a missing service fails the run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';

export const servicesMissing = (): string => inject('servicesMissing');

export function servicesReady(): boolean {
  return inject('testDatabaseUrl') !== '' && inject('testRedisUrl') !== '';
}

/** describe() when PostgreSQL and Redis are there; otherwise skipped with the reason (CI: fails). */
export function describeWithServices(name: string, body: () => void): void {
  if (servicesReady()) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      throw new Error(`CI must run the multi-node tests, but ${servicesMissing()} is missing`);
    });
    return;
  }
  console.warn(`skipping "${name}": ${servicesMissing()} not found`);
  describe.skip(name, body);
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database (the migrations have not run) on the test PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = inject('testDatabaseUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function testRedisUrl(): string {
  return inject('testRedisUrl');
}

/** A key prefix no other test uses. */
export function testRedisPrefix(): string {
  return `t${randomBytes(5).toString('hex')}:`;
}
