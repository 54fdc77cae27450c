/** Reference elementwise kernels: unary maps, broadcasting binary and ternary (where) ops, strided copies. */
import type { ActivationOp, BinaryOp, UnaryOp } from '../backend.js';
import { shapesEqual, sizeOf, stridesOf } from '../../shape/index.js';

const unaryFns: Record<UnaryOp, (v: number) => number> = {
  neg: (v) => -v,
  exp: Math.exp,
  log: Math.log,
  abs: Math.abs,
  sqrt: Math.sqrt,
  // NaN stays NaN (PyTorch's relu propagates it; `v > 0 ? v : 0` would hide it).
  relu: (v) => (v > 0 || v !== v ? v : 0),
  // Split by sign so exp never overflows.
  sigmoid: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
  tanh: Math.tanh,
  // sign(NaN) and sign(-0) are 0 in PyTorch (so abs' gradient at NaN is 0, not NaN).
  sign: (v) => (v > 0 ? 1 : v < 0 ? -1 : 0),
  square: (v) => v * v,
  reciprocal: (v) => 1 / v,
};

/** out[i] = op(x[i]). */
export function unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
  const f = unaryFns[op];
  const n = x.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 || v !== v ? v : 0; }
    return;
  }
  for (let i = 0; i < n; i++) out[i] = f(x[i]!);
}

/** dx = g · op'(x) from y = op(x); see Backend.activationBackward. */
export function activationBackward(op: ActivationOp, y: Float32Array, g: Float32Array, dx: Float32Array): void {
  const n = y.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) dx[i] = y[i]! <= 0 ? 0 : g[i]!;
  } else if (op === 'sigmoid') {
    for (let i = 0; i < n; i++) { const v = y[i]!; dx[i] = g[i]! * v * (1 - v); }
  } else {
    for (let i = 0; i < n; i++) { const v = y[i]!; dx[i] = g[i]! * (1 - v * v); }
  }
}

const binaryFns: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // C's pow (and PyTorch) give 1 for 1^y and (-1)^±inf, even for y = NaN; Math.pow gives NaN.
  pow: (a, b) => (a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b)),
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** Strides of `shape` aligned to `outShape` (broadcast dims get stride 0). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  const r = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) r[i + off] = shape[i] === 1 ? 0 : st[i]!;
  return r;
}

/** out = op(a, b) with NumPy broadcasting. */
export function binary(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array,
                       bShape: readonly number[], outShape: readonly number[], out: Float32Array): void {
  const f = binaryFns[op];
  const n = sizeOf(outShape);
  if (shapesEqual(aShape, outShape) && shapesEqual(bShape, outShape)) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!; return;
      default: for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!); return;
    }
  }
  if (b.length === 1 && shapesEqual(aShape, outShape)) {
    const s = b[0]!;
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i]! + s; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i]! * s; return;
      default: for (let i = 0; i < n; i++) out[i] = f(a[i]!, s); return;
    }
  }
  if (a.length === 1 && shapesEqual(bShape, outShape)) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = f(s, b[i]!);
    return;
  }
  // General case: walk the output in row-major order, keeping an odometer over the last dim.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1]!;
  const ia = sa[rank - 1]!, ib = sb[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let offA = 0, offB = 0;
  for (let o = 0; o < n; o += inner) {
    let pa = offA, pb = offB;
    for (let j = 0; j < inner; j++) {
      out[o + j] = f(a[pa]!, b[pb]!);
      pa += ia; pb += ib;
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      offA += sa[d]!; offB += sb[d]!;
      if (idx[d]! < outShape[d]!) break;
      offA -= sa[d]! * idx[d]!; offB -= sb[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Visit every index of `outShape` in row-major order, calling f(o, offsets) with the flat output
 * index and each operand's flat offset (operands given by broadcast strides aligned to outShape).
 */
function walk(outShape: readonly number[], strides: readonly (readonly number[])[], offsets: number[],
              f: (o: number, offs: readonly number[]) => void): void {
  const rank = outShape.length, n = sizeOf(outShape), k = strides.length;
  const base = offsets.slice();
  if (n === 0) return;
  if (rank === 0) { f(0, base); return; }
  const idx = new Array<number>(rank).fill(0);
  const cur = base.slice();
  for (let o = 0; o < n; o++) {
    f(o, cur);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let j = 0; j < k; j++) cur[j]! += strides[j]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let j = 0; j < k; j++) cur[j]! -= strides[j]![d]! * idx[d]!;
      idx[d] = 0;
    }
  }
}

/** out = cond ≠ 0 ? a : b, broadcasting all three to outShape. */
export function where(cond: Float32Array, condShape: readonly number[], a: Float32Array, aShape: readonly number[],
                      b: Float32Array, bShape: readonly number[], outShape: readonly number[], out: Float32Array): void {
  const st = [broadcastStrides(condShape, outShape), broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)];
  walk(outShape, st, [0, 0, 0], (o, [pc, pa, pb]) => { out[o] = cond[pc!] !== 0 ? a[pa!]! : b[pb!]!; });
}

/** dst[dstOffset + Σ i·dstStrides] = src[srcOffset + Σ i·srcStrides] over every index i of `shape`. */
export function copy(src: Float32Array, srcOffset: number, srcStrides: readonly number[], dst: Float32Array, dstOffset: number,
                     dstStrides: readonly number[], shape: readonly number[]): void {
  if (sizeOf(shape) === 0) return;
  // Merge dims that are contiguous in both layouts (and drop size-1 dims): most copies become a
  // few long runs (cat, slicing) or a fill (one source element).
  const sh: number[] = [], ss: number[] = [], ds: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && ss[k] === srcStrides[d]! * shape[d]! && ds[k] === dstStrides[d]! * shape[d]!) {
      sh[k] = sh[k]! * shape[d]!; ss[k] = srcStrides[d]!; ds[k] = dstStrides[d]!;
    } else {
      sh.push(shape[d]!); ss.push(srcStrides[d]!); ds.push(dstStrides[d]!);
    }
  }
  const rank = sh.length;
  if (rank === 0) { dst[dstOffset] = src[srcOffset]!; return; }
  const inner = sh[rank - 1]!, si = ss[rank - 1]!, di = ds[rank - 1]!;
  // Long contiguous runs as one block copy; short ones (a bias row) as a loop, cheaper than a subarray view.
  const block = si === 1 && di === 1 && inner >= 16;
  const outer = rank - 1, idx = new Array<number>(outer).fill(0);
  const rows = sizeOf(sh) / inner;
  let ps = srcOffset, pd = dstOffset;
  for (let r = 0; r < rows; r++) {
    if (block) dst.set(src.subarray(ps, ps + inner), pd);
    else if (si === 0 && di === 1) dst.fill(src[ps]!, pd, pd + inner);
    else for (let j = 0, s = ps, d = pd; j < inner; j++, s += si, d += di) dst[d] = src[s]!;
    // Odometer over the outer dims.
    for (let k = outer - 1; k >= 0; k--) {
      ps += ss[k]!; pd += ds[k]!;
      if (++idx[k]! < sh[k]!) break;
      ps -= ss[k]! * sh[k]!; pd -= ds[k]! * sh[k]!;
      idx[k] = 0;
    }
  }
}
