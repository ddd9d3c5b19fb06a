// The real service exactly as `npm start` runs it (bot/server/main.ts, configured by the environment), plus
// the live bench's memory probe on the IPC channel. Started by live-bench.ts with `--import tsx --expose-gc`.
import { installMemoryProbe } from './memory-probe.ts';

installMemoryProbe();
await import('../../bot/server/main.ts');
