/**
 * How work is cut into tasks. Every cut here is a function of the problem's shape and the
 * backend's options only — never of the thread count or of timing — so the same element always
 * goes through the same kernel path and partial sums are always formed and reduced the same way:
 * same inputs, same bits, on 1 thread or 16.
 */

/** A half-open range [start, end). */
export type Range = readonly [number, number];

/** Splits [0, total) into `parts` contiguous ranges of near-equal size (the first ones larger), starts multiples of `align`. */
export function splitRange(total: number, parts: number, align = 1): Range[] {
  const units = Math.ceil(total / align);
  const p = Math.max(1, Math.min(Math.floor(parts), units));
  const out: Range[] = [];
  for (let i = 0; i < p; i++) {
    const s = Math.floor((units * i) / p) * align;
    const e = Math.min(total, Math.floor((units * (i + 1)) / p) * align);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/** Most tasks one pass is cut into (enough to balance 16 threads; each task has a fixed cost). */
export const MAX_CHUNKS = 16;

/**
 * Tasks for `work` units of work (multiply-adds, or elements for memory-bound kernels) over
 * `items` independent items: about one per `grain`, at most MAX_CHUNKS and `items`, at least 2
 * where there are 2 items and 2 grains of work (a pass never runs on one thread only because its
 * items are big). grain 0 cuts as fine as allowed (tests use it to exercise every split).
 */
export function chunkCount(work: number, items: number, grain: number): number {
  const byWork = grain > 0 ? Math.floor(work / grain) : Infinity;
  return Math.max(1, Math.min(MAX_CHUNKS, items, byWork));
}

/** The largest power of two <= x (x >= 1). */
export function pow2Floor(x: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, x)));
}
