/** Registry rules of the elementwise primitives: broadcasting arithmetic and the unary maps. */
import type { ActivationOp, BinaryOp, UnaryOp } from '../../../backend/backend.js';
import { promoteTypes } from '../../dtype.js';
import { broadcastShapes } from '../../../shape/index.js';
import type { Tensor } from '../../tensor.js';
import { binaryOut, copyOf, unaryOut, whereOut } from '../kernels.js';
import { OUTPUT, SAVES_NONE, type NoParams, type Rule, type RuleSet } from '../rule.js';
import { activationGrad, add, div, log, mul, neg, pow, scalarLike, sub, sumToShape } from '../elementwise.js';

/** Parameters of add/sub: a ± alpha·b. */
export interface AlphaParams { alpha: number }
/** Parameters of clamp: bounds (±Infinity when absent). */
export interface ClampParams { min: number; max: number }

/** alpha·b, computed by a kernel (no graph), keeping b's dtype for integer alpha like PyTorch. */
export function scaled(b: Tensor, alpha: number): Tensor {
  if (alpha === 1) return b;
  const s = scalarLike(alpha, b);
  return binaryOut('mul', b, s, b.shape, promoteTypes(b.dtype, s.dtype));
}

/** a op b with broadcasting; the result dtype follows PyTorch's promotion (true division is always float). */
export function arith(op: BinaryOp, a: Tensor, b: Tensor, name: string): Tensor {
  const dtype = op === 'div' ? 'float32' : promoteTypes(a.dtype, b.dtype);
  return binaryOut(op, a, b, broadcastShapes(a.shape, b.shape, name), dtype);
}

/** A 0/1 float32 mask of `op(a, b)` (no graph). */
function cmp(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  return binaryOut(op, a, b, broadcastShapes(a.shape, b.shape, op));
}

/** `x` with zeros where the (broadcastable) `mask` is set; NaN/Inf under the mask are dropped too. */
function zeroWhere(x: Tensor, mask: Tensor): Tensor {
  return whereOut(mask, scalarLike(0, x), x, broadcastShapes(x.shape, mask.shape, 'zeroWhere'));
}

/** Inputs a product-like rule reads: b for a's gradient, a for b's. */
const crossSaves = (_: unknown, needs: readonly boolean[]): number[] =>
  [...(needs[1] ? [0] : []), ...(needs[0] ? [1] : [])];

/** A unary float op whose backward is `grad(g, saved)`. */
type UnaryPrimitive = 'neg' | 'exp' | 'log' | 'abs' | 'sqrt' | 'square' | 'relu' | 'sigmoid' | 'tanh';
function unaryRule<P extends UnaryPrimitive>(op: UnaryOp, name: string, reads: 'input' | 'output' | 'none',
                                             grad: (g: Tensor, x: Tensor | null, y: Tensor | null) => Tensor): Rule<P> {
  return {
    name,
    saves: reads === 'input' ? () => [0] : SAVES_NONE,
    ...(reads === 'output' ? { savesOutput: OUTPUT } : {}),
    forward: ([a]) => unaryOut(op, a!),
    backward: (g, s) => [grad(g, s.inputs[0] ?? null, s.output)],
  };
}

/** relu / sigmoid / tanh: the gradient from the output (the backend's activationBackward). */
function activationRule<P extends 'relu' | 'sigmoid' | 'tanh'>(op: ActivationOp, name: string): Rule<P> {
  return unaryRule<P>(op, name, 'output', (g, _x, y) => activationGrad(op, y!, g));
}

/** The elementwise primitives. */
export const elementwiseRules: RuleSet<'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'neg' | 'exp' | 'log' |
  'abs' | 'sqrt' | 'square' | 'relu' | 'sigmoid' | 'tanh' | 'clamp' | 'clone'> = {
  add: {
    name: 'AddBackward0',
    saves: SAVES_NONE,
    forward: ([a, b], p) => arith('add', a!, scaled(b!, p.alpha), 'add'),
    backward: (g, s, p) => [s.needs[0] ? sumToShape(g, s.shapes[0]!) : null,
      s.needs[1] ? sumToShape(p.alpha === 1 ? g : mul(g, p.alpha), s.shapes[1]!) : null],
  },
  sub: {
    name: 'SubBackward0',
    saves: SAVES_NONE,
    forward: ([a, b], p) => arith('sub', a!, scaled(b!, p.alpha), 'sub'),
    backward: (g, s, p) => [s.needs[0] ? sumToShape(g, s.shapes[0]!) : null,
      s.needs[1] ? sumToShape(mul(g, -p.alpha), s.shapes[1]!) : null],
  },
  mul: {
    name: 'MulBackward0',
    saves: crossSaves,
    forward: ([a, b]) => arith('mul', a!, b!, 'mul'),
    backward: (g, s) => [s.needs[0] ? sumToShape(mul(g, s.inputs[1]!), s.shapes[0]!) : null,
      s.needs[1] ? sumToShape(mul(g, s.inputs[0]!), s.shapes[1]!) : null],
  },
  div: {
    name: 'DivBackward0',
    saves: () => [1],
    savesOutput: (_, needs) => needs[1]!,
    forward: ([a, b]) => arith('div', a!, b!, 'div'),
    backward: (g, s) => {
      const b = s.inputs[1]!;
      return [s.needs[0] ? sumToShape(div(g, b), s.shapes[0]!) : null,
        s.needs[1] ? sumToShape(neg(div(mul(g, s.output!), b)), s.shapes[1]!) : null];
    },
  },
  pow: {
    name: 'PowBackward0',
    savesOutput: OUTPUT,
    forward: ([a, b]) => arith('pow', a!, b!, 'pow'),
    backward: (g, s) => {
      const a = s.inputs[0]!, b = s.inputs[1]!;
      // PyTorch zeroes d/da where b == 0 (else 0 * 0^-1 = NaN at a = 0) and d/db where a == 0 and
      // b >= 0 (else 0 * log 0 = NaN).
      return [
        s.needs[0] ? sumToShape(mul(g, zeroWhere(mul(b, pow(a, sub(b, 1))), cmp('eq', b, scalarLike(0, b)))), s.shapes[0]!) : null,
        s.needs[1] ? sumToShape(mul(g, zeroWhere(mul(s.output!, log(a)),
          cmp('mul', cmp('eq', a, scalarLike(0, a)), cmp('ge', b, scalarLike(0, b))))), s.shapes[1]!) : null];
    },
  },
  maximum: extremumRule('maximum'),
  minimum: extremumRule('minimum'),
  neg: unaryRule('neg', 'NegBackward0', 'none', (g) => neg(g)),
  exp: unaryRule('exp', 'ExpBackward0', 'output', (g, _x, y) => mul(g, y!)),
  log: unaryRule('log', 'LogBackward0', 'input', (g, x) => div(g, x!)),
  abs: unaryRule('abs', 'AbsBackward0', 'input', (g, x) => mul(g, unaryOut('sign', x!))),
  sqrt: unaryRule('sqrt', 'SqrtBackward0', 'output', (g, _x, y) => div(g, mul(y!, 2))),
  square: unaryRule('square', 'PowBackward0', 'input', (g, x) => mul(g, mul(x!, 2))),
  relu: activationRule('relu', 'ReluBackward0'),
  sigmoid: activationRule('sigmoid', 'SigmoidBackward0'),
  tanh: activationRule('tanh', 'TanhBackward0'),
  clamp: {
    name: 'ClampBackward1',
    saves: () => [0],
    // min(max(x, lo), hi): with lo > hi every element becomes hi, as in PyTorch; NaN stays NaN.
    forward: ([a], p) => {
      const lo = arith('maximum', a!, scalarLike(p.min, a!), 'clamp');
      return arith('minimum', lo, scalarLike(p.max, a!), 'clamp');
    },
    backward: (g, s, p) => {
      const x = s.inputs[0]!;
      const inside = cmp('mul', cmp('ge', x, scalarLike(p.min, x)), cmp('le', x, scalarLike(p.max, x)));
      return [whereOut(inside, g, scalarLike(0, g), g.shape)];
    },
  },
  clone: {
    name: 'CloneBackward0',
    saves: SAVES_NONE,
    forward: ([a]) => copyOf(a!),
    backward: (g) => [g],
  },
};

/** maximum/minimum: PyTorch's rule splits the gradient evenly on ties. */
function extremumRule<P extends 'maximum' | 'minimum'>(op: P): Rule<P> {
  return {
    name: op === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0',
    forward: ([a, b]) => arith(op, a!, b!, op),
    backward: (g, s) => {
      const a = s.inputs[0]!, b = s.inputs[1]!;
      // Half each on ties, zero for the loser, and the full gradient to both sides when a NaN
      // makes every comparison false.
      const halfTie = mul(cmp('eq', a, b), 0.5);
      const weight = (loses: Tensor): Tensor => add(neg(add(loses, halfTie)), 1);  // 1 - loses - tie/2
      return [s.needs[0] ? sumToShape(mul(g, weight(cmp(op === 'maximum' ? 'lt' : 'gt', a, b))), s.shapes[0]!) : null,
        s.needs[1] ? sumToShape(mul(g, weight(cmp(op === 'maximum' ? 'gt' : 'lt', a, b))), s.shapes[1]!) : null];
    },
  };
}

/** Parameter types of these primitives, for the registry's OpParams. */
export interface ElementwiseParams {
  add: AlphaParams; sub: AlphaParams; mul: NoParams; div: NoParams; pow: NoParams; maximum: NoParams; minimum: NoParams;
  neg: NoParams; exp: NoParams; log: NoParams; abs: NoParams; sqrt: NoParams; square: NoParams;
  relu: NoParams; sigmoid: NoParams; tanh: NoParams; clamp: ClampParams; clone: NoParams;
}
