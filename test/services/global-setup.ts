// Once per `npm test`: the PostgreSQL and Redis the multi-node tests use. TEST_DATABASE_URL and TEST_REDIS_URL
// (set by .ci/run, or by a developer) name running servers; otherwise, where Debian's binaries are installed,
// throwaway servers are started here and stopped at the end. Without either, the multi-node tests skip with a
// message, except under CI, where they must run (test/services/services.ts fails them).
import type { TestProject } from 'vitest/node';
import { buildServerIfStale } from '../../bot/cli/build-server.ts';
import { postgresAvailable, redisAvailable, startPostgres, startRedis, type LocalService } from './local-services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of a PostgreSQL the tests may create databases in; '' when there is none. */
    testDatabaseUrl: string;
    /** A Redis the tests may use under their own key prefixes; '' when there is none. */
    testRedisUrl: string;
    /** Why the services are missing, for the skip message. */
    servicesMissing: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The multi-node tests run the compiled server, as `npm start` does (bot/cli/build-server.ts; seconds when stale).
  await buildServerIfStale();
  const started: LocalService[] = [];
  const missing: string[] = [];
  let pgUrl = process.env.TEST_DATABASE_URL ?? '';
  let redisUrl = process.env.TEST_REDIS_URL ?? '';
  if (!pgUrl) {
    if (postgresAvailable()) {
      const pg = await startPostgres();
      started.push(pg);
      pgUrl = pg.url;
    } else missing.push('PostgreSQL 15 (apt-get install -y postgresql, or TEST_DATABASE_URL)');
  }
  if (!redisUrl) {
    if (redisAvailable()) {
      const redis = await startRedis();
      started.push(redis);
      redisUrl = redis.url;
    } else missing.push('Redis (apt-get install -y redis-server, or TEST_REDIS_URL)');
  }
  project.provide('testDatabaseUrl', pgUrl);
  project.provide('testRedisUrl', redisUrl);
  project.provide('servicesMissing', missing.join('; '));
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
