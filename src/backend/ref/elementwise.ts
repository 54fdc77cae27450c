/** Reference elementwise kernels: unary maps and broadcasting binary ops. */
import type { ActivationOp, BinaryOp, UnaryOp } from '../backend.js';
import { shapesEqual, sizeOf, stridesOf } from '../../tensor/shape.js';

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
