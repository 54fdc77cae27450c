/** Registry rules of the reductions: sum, amax/amin (max/min over dims) and log-softmax. */
import { getBackend } from '../../../backend/index.js';
import { castOut, emptyFloat, f32, reduceOut } from '../kernels.js';
import { OUTPUT, SAVES_NONE, type Rule, type RuleSet } from '../rule.js';
import { div, exp, mul, sub } from '../elementwise.js';
import { sum } from '../reduce.js';
import { expand } from '../shape.js';

/** Parameters of sum/amax/amin: sorted unique axes, keepdim, and whether all dims are reduced (no dim given). */
export interface ReduceParams { axes: readonly number[]; keepdim: boolean; all: boolean }
/** Parameters of logSoftmax. */
export interface LogSoftmaxParams { axis: number }

/** `shape` with the reduced axes removed (or kept as 1). */
export function keptShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** max/min over axes: the gradient goes to every element equal to the extreme, split evenly (amax's rule). */
function extremumRule<P extends 'amax' | 'amin'>(op: 'max' | 'min'): Rule<P> {
  return {
    // Full reductions are PyTorch's max()/min(); with a dim they behave (and are named) like amax/amin.
    name: (p) => (p.all ? (op === 'max' ? 'MaxBackward1' : 'MinBackward1') : (op === 'max' ? 'AmaxBackward0' : 'AminBackward0')),
    saves: () => [0],
    savesOutput: OUTPUT,
    forward: ([a], p) => {
      const out = reduceOut(op, a!, p.axes, keptShape(a!.shape, p.axes, p.keepdim));
      return a!.dtype === 'float32' ? out : castOut(out, a!.dtype);
    },
    backward: (g, s, p) => {
      const a = s.inputs[0]!, kShape = keptShape(a.shape, p.axes, true);
      const mask = a.eq(expand(s.output!.viewStorage(kShape), a.shape)).float();
      const count = sum(mask, p.axes.slice(), true);
      return [mul(mask, expand(div(g.viewStorage(kShape), count), a.shape))];
    },
  };
}

/** The reduction primitives. */
export const reduceRules: RuleSet<'sum' | 'amax' | 'amin' | 'logSoftmax'> = {
  sum: {
    name: (p) => (p.all ? 'SumBackward0' : 'SumBackward1'),
    saves: SAVES_NONE,
    forward: ([a], p) => {
      const out = reduceOut('sum', a!, p.axes, keptShape(a!.shape, p.axes, p.keepdim));
      // Integer/bool inputs sum to int32 like PyTorch's int64.
      return a!.dtype === 'float32' ? out : castOut(out, 'int32');
    },
    backward: (g, s, p) => [expand(g.viewStorage(keptShape(s.shapes[0]!, p.axes, true)), s.shapes[0]!)],
  },
  amax: extremumRule('max'),
  amin: extremumRule('min'),
  logSoftmax: {
    name: 'LogSoftmaxBackward0',
    saves: SAVES_NONE,
    savesOutput: OUTPUT,
    forward: ([a], p) => {
      const out = emptyFloat(a!.shape);
      let outer = 1, inner = 1;
      for (let i = 0; i < p.axis; i++) outer *= a!.shape[i]!;
      for (let i = p.axis + 1; i < a!.ndim; i++) inner *= a!.shape[i]!;
      getBackend().logSoftmax(f32(a!), outer, a!.shape[p.axis] ?? 1, inner, out.data as Float32Array);
      return out;
    },
    // d/dx = g − softmax · Σg
    backward: (g, s, p) => [sub(g, mul(exp(s.output!), sum(g, p.axis, true)))],
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface ReduceRuleParams { sum: ReduceParams; amax: ReduceParams; amin: ReduceParams; logSoftmax: LogSoftmaxParams }

