// Flat int32 helpers for the index (retrieve.ts): a growable list that ends as one typed array, a binary
// search in a sorted run, and the top entries by votes. Millions of small arrays would cost more in headers
// than in data at 100k entries.

/** A growable list of int32 that ends as one typed array: millions of small arrays would cost more in headers than in data. */
export class IntList {
  private data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}


export function has(sorted: Int32Array, from: number, to: number, id: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The `cap` entries with the most votes, best first (a bounded min-heap: touched lists run to tens of thousands). */
export function topByVotes(touched: Int32Array, votes: Float64Array, cap: number): number[] {
  if (touched.length <= cap) return [...touched].sort((a, b) => votes[b]! - votes[a]!);
  const heap: number[] = [];
  const less = (a: number, b: number) => votes[a]! < votes[b]! || (votes[a] === votes[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const e of touched) {
    if (heap.length < cap) {
      heap.push(e);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!less(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (less(heap[0]!, e)) {
      heap[0] = e;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => votes[b]! - votes[a]!);
}
