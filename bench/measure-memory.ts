// Heap and RSS snapshots, after a forced collection when the process runs with --expose-gc.
export interface MemorySnapshot {
  /** Bytes. */
  heapUsed: number;
  rss: number;
  /** False when gc() was unavailable: figures then include garbage not yet collected. */
  collected: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function memorySnapshot(): MemorySnapshot {
  // Twice: the first pass can leave objects that only become unreachable once finalizers run.
  gc?.();
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, collected: gc !== undefined };
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
