/** Reference reductions: sum/max/min over axes, arg-extrema, log-softmax. */
import type { ReduceOp } from '../backend.js';

/**
 * View `shape` as [outer, axisLen, inner] blocks per reduced axis. Reducing one axis at a time
 * keeps the kernel simple; multi-axis reductions chain through scratch buffers.
 */
function reduceOne(op: ReduceOp, x: Float32Array, shape: readonly number[], axis: number,
                   out: Float32Array = new Float32Array(sizeOfExcept(shape, axis))): Float32Array {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const len = shape[axis]!;
  if (op === 'sum' && inner === 1) {
    // Summing contiguous rows (e.g. a conv bias gradient over each [H*W] plane): four independent
    // partial sums let the loop pipeline instead of waiting on one long add chain.
    for (let o = 0; o < outer; o++) {
      const base = o * len;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, k = 0;
      for (; k + 4 <= len; k += 4) { a0 += x[base + k]!; a1 += x[base + k + 1]!; a2 += x[base + k + 2]!; a3 += x[base + k + 3]!; }
      for (; k < len; k++) a0 += x[base + k]!;
      out[o] = (a0 + a1) + (a2 + a3);
    }
    return out;
  }
  if (op === 'sum') {
    // Column sums (a bias gradient over rows): walk x row by row into double-precision
    // accumulators, the same additions in the same order as a column-by-column loop.
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * len * inner;
      acc.fill(0);
      for (let k = 0; k < len; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) acc[i] += x[row + i]!;
      }
      for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i]!;
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let i = 0; i < inner; i++) {
      let acc = x[base + i]!;
      for (let k = 1; k < len; k++) {
        const v = x[base + k * inner + i]!;
        // NaN propagates like PyTorch's max/min.
        if (v !== v || (op === 'max' ? v > acc : v < acc)) acc = v;
        if (acc !== acc) break;
      }
      out[o * inner + i] = acc;
    }
  }
  return out;
}

/** Elements of `shape` without dim `axis`. */
function sizeOfExcept(shape: readonly number[], axis: number): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) if (i !== axis) n *= shape[i]!;
  return n;
}

/** Reduce over sorted unique `axes`; result written to `out` (size = product of kept dims). */
export function reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[],
                       out: Float32Array): void {
  if (axes.length === shape.length && op === 'sum') {
    // Whole-tensor sums accumulate in float64 (JS numbers), which keeps large sums accurate.
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc += x[i]!;
    out[0] = acc;
    return;
  }
  let cur = x;
  let curShape = shape.slice();
  for (let i = axes.length - 1; i >= 0; i--) {
    // The last pass writes straight into out.
    cur = reduceOne(op, cur, curShape, axes[i]!, i === 0 && out.length === sizeOfExcept(curShape, axes[i]!) ? out : undefined);
    curShape.splice(axes[i]!, 1);
  }
  if (cur !== out) out.set(cur.length === out.length ? cur : cur.subarray(0, out.length));
}

/** argmax/argmin along `axis` (first occurrence wins; NaN counts as the extreme, like PyTorch). */
export function argReduce(op: 'argmax' | 'argmin', x: Float32Array, shape: readonly number[], axis: number,
                          out: Int32Array): void {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const len = shape[axis]!;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = x[base]!, bi = 0;
      for (let k = 1; k < len && best === best; k++) {
        const v = x[base + k * inner]!;
        if (v !== v || (op === 'argmax' ? v > best : v < best)) { best = v; bi = k; }
      }
      out[o * inner + i] = bi;
    }
  }
}

/** log(softmax) along the middle axis of x viewed as [outer, len, inner]: x − max − log Σ exp(x − max). */
export function logSoftmax(x: Float32Array, outer: number, len: number, inner: number, out: Float32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner]! - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < len; k++) out[base + k * inner] = x[base + k * inner]! - lse;
    }
  }
}
