/** Elementwise ops with broadcasting, each with its gradient beside it. */
import type { ActivationOp, BinaryOp, UnaryOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/index.js';
import { allocStorage, promoteTypes, type DType } from '../dtype.js';
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asTensor, f32, fromF32, needsGrad, record } from './record.js';
import { sum } from './reduce.js';

/** For record(): the backward reads none of the inputs' values (in-place changes to them are fine). */
const NONE: readonly number[] = [];

/** Sum `g` down to `shape` (undoing broadcasting) for a gradient. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = axes.length > 0 ? sum(g, axes, true) : g;
  return r.viewStorage(shape);
}

/** Raw broadcasting binary op on float32 data; result dtype decided by the caller. */
function rawBinary(op: BinaryOp, a: Tensor, b: Tensor, name: string, outDtype: DType): Tensor {
  const outShape = broadcastShapes(a.shape, b.shape, name);
  const out = new Float32Array(sizeOf(outShape));
  getBackend().binary(op, f32(a), a.shape, f32(b), b.shape, outShape, out);
  if (outDtype === 'float32') return fromF32(out, outShape);
  const s = allocStorage(outDtype, out.length);
  if (outDtype === 'bool') for (let i = 0; i < out.length; i++) s[i] = out[i] !== 0 ? 1 : 0;
  else s.set(out);
  return new Tensor(s, outShape, outDtype);
}

/** Result dtype of add/mul/pow/maximum/minimum: bool op bool stays bool (logical or/and), like PyTorch. */
function arithDtype(a: Tensor, b: Tensor): DType {
  return promoteTypes(a.dtype, b.dtype);
}

/** a + alpha * b. */
export function add(a: Tensor, bIn: TensorLike, alpha = 1): Tensor {
  const b0 = asTensor(bIn, a);
  const b = alpha === 1 ? b0 : mul(b0, alpha);
  const out = rawBinary('add', a, b, 'add', arithDtype(a, b));
  return record(out, 'AddBackward0', [a, b0], (g) => [
    sumToShape(g, a.shape), sumToShape(alpha === 1 ? g : mul(g, alpha), b0.shape)], false, NONE);
}

/** a - alpha * b. */
export function sub(a: Tensor, bIn: TensorLike, alpha = 1): Tensor {
  const b0 = asTensor(bIn, a);
  if (a.dtype === 'bool' && b0.dtype === 'bool') {
    throw new Error(`sub: subtracting two bool tensors (shapes ${formatShape(a.shape)} and ${formatShape(b0.shape)}) is not supported; use .ne() for exclusive or`);
  }
  const b = alpha === 1 ? b0 : mul(b0, alpha);
  const out = rawBinary('sub', a, b, 'sub', arithDtype(a, b));
  return record(out, 'SubBackward0', [a, b0], (g) => [
    sumToShape(g, a.shape), sumToShape(mul(g, -alpha), b0.shape)], false, NONE);
}

/** a * b. */
export function mul(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  const out = rawBinary('mul', a, b, 'mul', arithDtype(a, b));
  return record(out, 'MulBackward0', [a, b], (g) => [
    a.requiresGrad ? sumToShape(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(mul(g, a), b.shape) : null]);
}

/** a / b (always floating point, like PyTorch's true division). */
export function div(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  const out = rawBinary('div', a, b, 'div', 'float32');
  return record(out, 'DivBackward0', [a, b], (g) => [
    a.requiresGrad ? sumToShape(div(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(neg(div(mul(g, out), b)), b.shape) : null], true, [1]);
}

/** a ** b. */
export function pow(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  if (a.dtype !== 'float32' && b.dtype !== 'float32' && f32(b).some((v) => v < 0)) {
    throw new Error(`pow: integers to negative integer powers are not allowed (base dtype ${a.dtype}, shape [${a.shape.join(', ')}]); call .float() first`);
  }
  const out = rawBinary('pow', a, b, 'pow', arithDtype(a, b));
  return record(out, 'PowBackward0', [a, b], (g) => [
    // PyTorch zeroes d/da where b == 0 (else 0 * 0^-1 = NaN at a = 0) and d/db where a == 0 and
    // b >= 0 (else 0 * log 0 = NaN).
    a.requiresGrad ? sumToShape(mul(g, zeroWhere(mul(b, pow(a, sub(b, 1))), compare('eq', b, 0))), a.shape) : null,
    b.requiresGrad ? sumToShape(mul(g, zeroWhere(mul(out, log(a)), mask2(compare('eq', a, 0), compare('ge', b, 0)))), b.shape) : null],
  true);
}

/** `x` with zeros where the (broadcastable) bool `mask` is set; NaN/Inf under the mask are dropped too. */
function zeroWhere(x: Tensor, mask: Tensor): Tensor {
  const outShape = broadcastShapes(x.shape, mask.shape, 'zeroWhere');
  const xs = new Float32Array(sizeOf(outShape)), ms = new Float32Array(xs.length);
  getBackend().binary('add', f32(x), x.shape, new Float32Array(1), [], outShape, xs);
  getBackend().binary('add', f32(mask), mask.shape, new Float32Array(1), [], outShape, ms);
  for (let i = 0; i < xs.length; i++) if (ms[i] !== 0) xs[i] = 0;
  return fromF32(xs, outShape);
}

/** Logical and of two bool masks (broadcast). */
function mask2(p: Tensor, q: Tensor): Tensor {
  return rawBinary('mul', p, q, 'and', 'bool');
}

/** Elementwise max; where the inputs tie, the gradient is split evenly (PyTorch's rule). */
export function maximum(a: Tensor, bIn: TensorLike): Tensor {
  return extremum('maximum', a, asTensor(bIn, a));
}
/** Elementwise min. */
export function minimum(a: Tensor, bIn: TensorLike): Tensor {
  return extremum('minimum', a, asTensor(bIn, a));
}
function extremum(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  const out = rawBinary(op, a, b, op, arithDtype(a, b));
  return record(out, op === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0', [a, b], (g) => {
    // PyTorch's rule: half each on ties, zero for the loser, and the full gradient to both sides
    // when a NaN makes every comparison false.
    const aLoses = rawBinary(op === 'maximum' ? 'lt' : 'gt', a, b, op, 'float32');
    const bLoses = rawBinary(op === 'maximum' ? 'gt' : 'lt', a, b, op, 'float32');
    const halfTie = mul(rawBinary('eq', a, b, op, 'float32'), 0.5);
    const weight = (loses: Tensor): Tensor => add(neg(add(loses, halfTie)), 1);  // 1 - loses - tie/2
    return [a.requiresGrad ? sumToShape(mul(g, weight(aLoses)), a.shape) : null,
            b.requiresGrad ? sumToShape(mul(g, weight(bLoses)), b.shape) : null];
  });
}

/** Comparison → bool mask (no gradient). */
export function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Tensor, bIn: TensorLike): Tensor {
  return rawBinary(op, a, asTensor(bIn, a), op, 'bool');
}

/** The gradient of an activation from its output `out` (the backend's activationBackward); exported for the fused layers. */
export function activationGrad(op: ActivationOp, out: Tensor, g: Tensor): Tensor {
  const d = new Float32Array(out.numel());
  getBackend().activationBackward(op, out.data as Float32Array, f32(g), d);
  return fromF32(d, out.shape);
}

function rawUnary(op: UnaryOp, a: Tensor): Tensor {
  const out = new Float32Array(a.numel());
  getBackend().unary(op, f32(a), out);
  return fromF32(out, a.shape);
}

/** abs/square/relu of an int tensor stay int, as in PyTorch (bool is an error there too). */
function intUnary(op: 'abs' | 'square' | 'relu', a: Tensor): Tensor {
  if (a.dtype === 'bool') throw new Error(`${op}: not supported for bool tensors (shape ${formatShape(a.shape)}); call .int() or .float() first`);
  return cast(rawUnary(op, a), a.dtype);
}

/** -a. */
export function neg(a: Tensor): Tensor {
  if (a.dtype === 'bool') throw new Error(`neg: negation of a bool tensor (shape [${a.shape.join(', ')}]) is not supported; use .eq(false) to invert a mask`);
  if (a.dtype !== 'float32') return mul(a, -1);
  return record(rawUnary('neg', a), 'NegBackward0', [a], (g) => [neg(g)], false, NONE);
}
/** e ** a. */
export function exp(a: Tensor): Tensor {
  const out = rawUnary('exp', a);
  return record(out, 'ExpBackward0', [a], (g) => [mul(g, out)], true, NONE);
}
/** Natural log. */
export function log(a: Tensor): Tensor {
  return record(rawUnary('log', a), 'LogBackward0', [a], (g) => [div(g, a)]);
}
/** |a| (gradient 0 at 0, like PyTorch). */
export function abs(a: Tensor): Tensor {
  if (a.dtype !== 'float32') return intUnary('abs', a);
  return record(rawUnary('abs', a), 'AbsBackward0', [a], (g) => [mul(g, rawUnary('sign', a))]);
}
/** Square root. */
export function sqrt(a: Tensor): Tensor {
  const out = rawUnary('sqrt', a);
  return record(out, 'SqrtBackward0', [a], (g) => [div(g, mul(out, 2))], true, NONE);
}
/** a * a. */
export function square(a: Tensor): Tensor {
  if (a.dtype !== 'float32') return intUnary('square', a);
  return record(rawUnary('square', a), 'PowBackward0', [a], (g) => [mul(g, mul(a, 2))]);
}
/** max(a, 0). */
export function relu(a: Tensor): Tensor {
  if (a.dtype !== 'float32') return intUnary('relu', a);
  const out = rawUnary('relu', a);
  return record(out, 'ReluBackward0', [a], (g) => [activationGrad('relu', out, g)], true, NONE);
}
/** 1 / (1 + e^-a). */
export function sigmoid(a: Tensor): Tensor {
  const out = rawUnary('sigmoid', a);
  return record(out, 'SigmoidBackward0', [a], (g) => [activationGrad('sigmoid', out, g)], true, NONE);
}
/** Hyperbolic tangent. */
export function tanh(a: Tensor): Tensor {
  const out = rawUnary('tanh', a);
  return record(out, 'TanhBackward0', [a], (g) => [activationGrad('tanh', out, g)], true, NONE);
}
/** Clamp into [min, max] (either bound optional); gradient passes where not clamped. */
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  const src = f32(a);
  const out = new Float32Array(src.length);
  const lo = min ?? -Infinity, hi = max ?? Infinity;
  // min(max(v, lo), hi): with lo > hi every element becomes hi, as in PyTorch; NaN stays NaN.
  for (let i = 0; i < src.length; i++) { const v = src[i]!; out[i] = v !== v ? v : Math.min(Math.max(v, lo), hi); }
  return record(fromF32(out, a.shape), 'ClampBackward1', [a], (g) => {
    const d = new Float32Array(src.length), gd = f32(g);
    for (let i = 0; i < d.length; i++) d[i] = src[i]! >= lo && src[i]! <= hi ? gd[i]! : 0;
    return [fromF32(d, a.shape)];
  });
}

/** Convert dtype (float → int truncates toward zero, like PyTorch). */
export function cast(a: Tensor, dtype: DType): Tensor {
  if (dtype === a.dtype) return a;
  const s = allocStorage(dtype, a.numel());
  if (dtype === 'bool') for (let i = 0; i < s.length; i++) s[i] = a.data[i] !== 0 ? 1 : 0;
  else if (dtype === 'int32') for (let i = 0; i < s.length; i++) s[i] = Math.trunc(a.data[i]!);
  else s.set(a.data);
  return new Tensor(s, a.shape, dtype);
}

/** A copy that gradients flow through. */
export function clone(a: Tensor): Tensor {
  const s = allocStorage(a.dtype, a.numel());
  s.set(a.data);
  return record(new Tensor(s, a.shape, a.dtype), 'CloneBackward0', [a], (g) => [g], false, NONE);
}

/**
 * In-place `a op= alpha * b` (a keeps its shape; b broadcasts to it). Refuses leaves that require
 * grad while recording. When recording and a or b requires grad (d2l's ResNet does `Y += X`), the
 * op is recorded like PyTorch's in-place ops: `a` takes over a new node whose input is a's old history.
 */
export function inplace<T extends Tensor>(a: T, op: 'add' | 'mul' | 'div', bIn: TensorLike, alpha: number): T {
  a.checkInplace(`${op}_`);
  const b = asTensor(bIn, a);
  const outShape = broadcastShapes(a.shape, b.shape, `${op}_`);
  if (!shapesEqual(outShape, a.shape)) {
    throw new Error(`${op}_: output with shape [${a.shape.join(', ')}] doesn't match the broadcast shape [${outShape.join(', ')}]`);
  }
  if (a.dtype !== 'float32' && (op === 'div' || b.dtype === 'float32' || !Number.isInteger(alpha))) {
    throw new Error(`${op}_: result type float32 can't be cast to the desired output type ${a.dtype} (shape [${a.shape.join(', ')}])`);
  }
  const recording = needsGrad(a, b);
  const old = recording ? a.detachHistory() : null;
  // mul_ needs a's old values for b's gradient; they are about to be overwritten.
  const oldValues = recording && op === 'mul' && b.requiresGrad ? fromF32(Float32Array.from(f32(a)), a.shape) : null;
  const bd = alpha === 1 ? f32(b) : f32(b).map((v) => v * alpha);
  if (a.data instanceof Float32Array) {
    getBackend().binary(op, a.data, a.shape, bd, b.shape, a.shape, a.data);
  } else {
    const tmp = new Float32Array(a.numel());
    getBackend().binary(op, f32(a), a.shape, bd, b.shape, a.shape, tmp);
    const isBool = a.dtype === 'bool';
    for (let i = 0; i < tmp.length; i++) a.data[i] = isBool ? (tmp[i] !== 0 ? 1 : 0) : tmp[i]!;
  }
  a.bumpVersion();
  if (old === null) return a;
  const after = op === 'div' && b.requiresGrad ? fromF32(Float32Array.from(f32(a)), a.shape) : null;
  const name = op === 'add' ? (alpha < 0 ? 'SubBackward0' : 'AddBackward0') : op === 'mul' ? 'MulBackward0' : 'DivBackward0';
  record(a, name, [old, b], (g) => {
    if (op === 'add') return [g, b.requiresGrad ? sumToShape(alpha === 1 ? g : mul(g, alpha), b.shape) : null];
    if (op === 'mul') return [mul(g, b), oldValues === null ? null : sumToShape(mul(g, oldValues), b.shape)];
    return [div(g, b), after === null ? null : sumToShape(neg(div(mul(g, after), b)), b.shape)];
  }, false, op === 'add' ? NONE : [1]);  // a's old values, where needed, were copied above
  return a;
}
