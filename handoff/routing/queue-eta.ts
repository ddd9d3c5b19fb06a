// How long a visitor at a given place in the queue will wait, from how long agents recently took per chat.

export interface QueueEtaOptions {
  /** Seconds per chat until enough closes are measured. Range 30-600; default 120. */
  defaultSecondsPerChat: number;
  /** Most recent closes the median is taken over. Range 5-1000; default 50. */
  samples: number;
  /** Fewer closes than this in a group: all groups' closes are used, then the default. Range 1-100; default 5. */
  minSamples: number;
  /** Only closes this recent count (last week's pace, not last year's). Range 1 h-30 d in ms; default 7 d. */
  windowMs: number;
}

export const defaultQueueEtaOptions: QueueEtaOptions = {
  defaultSecondsPerChat: 120,
  samples: 50,
  minSamples: 5,
  windowMs: 7 * 24 * 3600 * 1000,
};

/** The median (robust against the one chat that stayed open all afternoon); undefined for no values. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Seconds until the visitor at `position` is served: each chat ahead (and their own turn) takes one
 * handling time, spread over the group's free-or-freeing slots (online agents' capacity, at least one).
 */
export function estimateWaitSeconds(position: number, secondsPerChat: number, slots: number): number {
  return Math.max(0, Math.round((position * secondsPerChat) / Math.max(1, slots)));
}
