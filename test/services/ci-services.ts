// `.ci/run`'s PostgreSQL and Redis for `npm test`: started the way the test setup starts them (local-services.ts),
// each unless its TEST_* variable already names one, and left running when this script ends. It prints shell
// assignments that .ci/run evaluates: the URLs (TEST_DATABASE_URL, TEST_REDIS_URL), and the PIDs and data folder
// it stops and removes at exit.
import { startPostgres, startRedis, type LocalService } from './local-services.ts';

const started: LocalService[] = [];
const lines: string[] = [];
const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
try {
  if (!process.env.TEST_DATABASE_URL) {
    const pg = await startPostgres();
    started.push(pg);
    lines.push(`TEST_DATABASE_URL=${quote(pg.url)}`);
  }
  if (!process.env.TEST_REDIS_URL) {
    const redis = await startRedis();
    started.push(redis);
    lines.push(`TEST_REDIS_URL=${quote(redis.url)}`);
  }
} catch (err) {
  // Nothing half-started is left behind for .ci/run, which never learns these PIDs.
  await Promise.all(started.map((s) => s.stop()));
  throw err;
}
lines.push(`CI_SERVICE_PIDS=${quote(started.map((s) => s.pid).join(' '))}`);
lines.push(`CI_SERVICE_DIRS=${quote(started.flatMap((s) => (s.dir ? [s.dir] : [])).join(' '))}`);
process.stdout.write(`${lines.join('\n')}\n`);
// The servers were started unref'd with their output ignored: nothing keeps this process, and they outlive it.
