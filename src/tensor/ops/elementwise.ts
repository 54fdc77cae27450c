/**
 * Elementwise ops with broadcasting: argument checks and dtype rules here; the differentiable
 * primitives they run are registry entries (rules/elementwise.ts, rules/inplace.ts).
 */
import type { ActivationOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/index.js';
import type { DType } from '../dtype.js';
import { broadcastShapes, formatShape, shapesEqual } from '../../shape/index.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { apply, asTensor } from './registry.js';
import { binaryOut, castOut, emptyFloat, f32, unaryOut } from './kernels.js';
import { sum } from './reduce.js';

/** A one-element tensor holding `v`, typed to match `like` (int tensor + integer stays int); a JavaScript-heap constant. */
export function scalarLike(v: number, like: Tensor): Tensor {
  return asTensor(v, like);
}

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

/** a + alpha * b. */
export function add(a: Tensor, b: TensorLike, alpha = 1): Tensor {
  return apply('add', [a, asTensor(b, a)], { alpha });
}

/** a - alpha * b. */
export function sub(a: Tensor, bIn: TensorLike, alpha = 1): Tensor {
  const b = asTensor(bIn, a);
  if (a.dtype === 'bool' && b.dtype === 'bool') {
    throw new Error(`sub: subtracting two bool tensors (shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}) is not supported; use .ne() for exclusive or`);
  }
  return apply('sub', [a, b], { alpha });
}

/** a * b. */
export function mul(a: Tensor, b: TensorLike): Tensor {
  return apply('mul', [a, asTensor(b, a)], {});
}

/** a / b (always floating point, like PyTorch's true division). */
export function div(a: Tensor, b: TensorLike): Tensor {
  return apply('div', [a, asTensor(b, a)], {});
}

/** a ** b. */
export function pow(a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  if (a.dtype !== 'float32' && b.dtype !== 'float32' && f32(b).some((v) => v < 0)) {
    throw new Error(`pow: integers to negative integer powers are not allowed (base dtype ${a.dtype}, shape [${a.shape.join(', ')}]); call .float() first`);
  }
  return apply('pow', [a, b], {});
}

/** Elementwise max; where the inputs tie, the gradient is split evenly (PyTorch's rule). */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  return apply('maximum', [a, asTensor(b, a)], {});
}
/** Elementwise min. */
export function minimum(a: Tensor, b: TensorLike): Tensor {
  return apply('minimum', [a, asTensor(b, a)], {});
}

/** Comparison → bool mask (no gradient). */
export function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Tensor, bIn: TensorLike): Tensor {
  const b = asTensor(bIn, a);
  return binaryOut(op, a, b, broadcastShapes(a.shape, b.shape, op), 'bool');
}

/** The gradient of an activation from its output `out` (the backend's activationBackward); for rules and fused ops. */
export function activationGrad(op: ActivationOp, out: Tensor, g: Tensor): Tensor {
  const d = emptyFloat(out.shape);
  getBackend().activationBackward(op, out.data as Float32Array, f32(g), d.data as Float32Array);
  return d;
}

/** abs/square/relu of an int tensor stay int, as in PyTorch (bool is an error there too). */
function intUnary(op: 'abs' | 'square' | 'relu', a: Tensor): Tensor {
  if (a.dtype === 'bool') throw new Error(`${op}: not supported for bool tensors (shape ${formatShape(a.shape)}); call .int() or .float() first`);
  return castOut(unaryOut(op, a), a.dtype);
}

/** -a. */
export function neg(a: Tensor): Tensor {
  if (a.dtype === 'bool') throw new Error(`neg: negation of a bool tensor (shape [${a.shape.join(', ')}]) is not supported; use .eq(false) to invert a mask`);
  if (a.dtype !== 'float32') return mul(a, -1);
  return apply('neg', [a], {});
}
/** e ** a. */
export function exp(a: Tensor): Tensor { return apply('exp', [a], {}); }
/** Natural log. */
export function log(a: Tensor): Tensor { return apply('log', [a], {}); }
/** |a| (gradient 0 at 0, like PyTorch). */
export function abs(a: Tensor): Tensor {
  return a.dtype !== 'float32' ? intUnary('abs', a) : apply('abs', [a], {});
}
/** Square root. */
export function sqrt(a: Tensor): Tensor { return apply('sqrt', [a], {}); }
/** a * a. */
export function square(a: Tensor): Tensor {
  return a.dtype !== 'float32' ? intUnary('square', a) : apply('square', [a], {});
}
/** max(a, 0); NaN propagates; the gradient is 0 at a ≤ 0 (PyTorch's rule at 0). */
export function relu(a: Tensor): Tensor {
  return a.dtype !== 'float32' ? intUnary('relu', a) : apply('relu', [a], {});
}
/** 1 / (1 + e^-a). */
export function sigmoid(a: Tensor): Tensor { return apply('sigmoid', [a], {}); }
/** Hyperbolic tangent. */
export function tanh(a: Tensor): Tensor { return apply('tanh', [a], {}); }
/** Clamp into [min, max] (either bound optional); gradient passes where not clamped. */
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  return apply('clamp', [a], { min: min ?? -Infinity, max: max ?? Infinity });
}
/** The elementwise activation `op` (relu, sigmoid or tanh) of `a`. */
export function activation(op: ActivationOp, a: Tensor): Tensor {
  return op === 'relu' ? relu(a) : op === 'sigmoid' ? sigmoid(a) : tanh(a);
}

/** Convert dtype (float → int truncates toward zero, like PyTorch); no gradient. */
export function cast(a: Tensor, dtype: DType): Tensor {
  return dtype === a.dtype ? a : castOut(a, dtype);
}

/** A copy that gradients flow through. */
export function clone(a: Tensor): Tensor {
  return apply('clone', [a], {});
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
  if (op === 'add') apply('add_', [a, b], { alpha });
  else apply(op === 'mul' ? 'mul_' : 'div_', [a, b], {});
  return a;
}

