// Answers the live bench's requests over IPC in a server child process: memory after forced
// collections, and the event-loop delay and GC pauses over a window.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { ProbeLoop, ProbeMemory, ProbeReply, ProbeRequest } from './live-protocol.ts';

/** Pause between the collections and the memory reading. */
const SETTLE_MS = 1000;
/** Event-loop delay sampling interval (ms). */
const LOOP_RESOLUTION_MS = 5;

export function installMemoryProbe(): void {
  if (!process.send) return;
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let gc = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.majorCount++;
        gc.majorMaxMs = Math.max(gc.majorMaxMs, entry.duration);
      }
    }
  });
  const reply = (r: ProbeReply) => process.send?.(r);
  process.on('message', (raw: unknown) => {
    const request = raw as ProbeRequest;
    switch (request?.type) {
      case 'memory':
        void readMemory().then((memory) => reply({ type: 'memory', seq: request.seq, memory }));
        return;
      case 'loop-start':
        loop.reset();
        loop.enable();
        gc = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
        observer.observe({ entryTypes: ['gc'] });
        reply({ type: 'loop-start', seq: request.seq });
        return;
      case 'loop-read': {
        loop.disable();
        observer.disconnect();
        // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
        const delay = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
        const result: ProbeLoop = {
          delayP99: delay(loop.percentile(99)),
          delayMax: delay(loop.max),
          gcCount: gc.count,
          gcTotalMs: gc.totalMs,
          gcMaxMs: gc.maxMs,
          gcMajorCount: gc.majorCount,
          gcMajorMaxMs: gc.majorMaxMs,
        };
        reply({ type: 'loop-read', seq: request.seq, loop: result });
        return;
      }
    }
  });
  // The bench went away (crashed, killed): do not outlive it.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

async function readMemory(): Promise<ProbeMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass can leave weakly held and finalized objects for the second. Then a pause,
  // so that pages V8 and malloc give back after a collection are gone from RSS too, and once more.
  gc?.();
  gc?.();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  gc?.();
  const m = process.memoryUsage();
  const youngGeneration = getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
    .reduce((sum, space) => sum + space.physical_space_size, 0);
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    youngGeneration,
    collected: gc !== undefined,
  };
}
