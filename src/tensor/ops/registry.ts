/**
 * The op registry: every differentiable primitive, defined once. Each entry (a `Rule`, rules/*.ts)
 * says which grad_fn name PyTorch shows, which inputs (and whether the output) its backward reads,
 * how the forward runs on the backend, and the gradient rule. `OPS` lists them all and is typed
 * `{ [P in Primitive]: Rule<P> }`, so a primitive without a rule does not compile, and the test
 * suites loop over it (a gradcheck and a reference-vs-backend check per primitive).
 *
 * `apply(op, inputs, params)` is the only way an op enters the graph: it runs the forward (its
 * temporaries released on return), and when an input requires grad records one node holding its
 * own handles on the saved values. Composite ops (mean, var, softmax, view, …) are built from
 * primitives with `composite`, which gives the result the name PyTorch shows.
 */
import { isGradEnabled } from '../../autograd/grad-mode.js';
import { captureTrace, checkForward, isAnomalyEnabled } from '../../autograd/anomaly.js';
import type { GradNode, SavedValue } from '../../autograd/engine.js';
import type { DType } from '../dtype.js';
import { scoped } from '../lifetime.js';
import { Tensor, type TensorLike } from '../tensor.js';
import type { Forward, Rule, Saved } from './rule.js';
import { elementwiseRules as E, type ElementwiseParams } from './rules/elementwise.js';
import { inplaceRules as I, type InplaceParams } from './rules/inplace.js';
import { layoutRules as L, type LayoutParams } from './rules/layout.js';
import { reduceRules as R, type ReduceRuleParams } from './rules/reduce.js';
import { linalgRules as M, type LinalgParams } from './rules/linalg.js';
import { convRules as C, type ConvRuleParams } from './rules/conv.js';
import { normRules as N, type NormRuleParams } from './rules/norm.js';
import { lossRules as X, type LossRuleParams } from './rules/loss.js';

/** Every primitive's parameters (a primitive is a key of this interface). */
export interface OpParams extends ElementwiseParams, InplaceParams, LayoutParams, ReduceRuleParams, LinalgParams,
  ConvRuleParams, NormRuleParams, LossRuleParams {}

/** The name of a differentiable primitive. */
export type Primitive = keyof OpParams;

/** The registry: one rule per primitive (a missing one is a compile error; a duplicate key is one too). */
export const OPS: { readonly [P in Primitive]: Rule<P> } = {
  // elementwise (rules/elementwise.ts)
  add: E.add, sub: E.sub, mul: E.mul, div: E.div, pow: E.pow, maximum: E.maximum, minimum: E.minimum,
  neg: E.neg, exp: E.exp, log: E.log, abs: E.abs, sqrt: E.sqrt, square: E.square,
  relu: E.relu, sigmoid: E.sigmoid, tanh: E.tanh, clamp: E.clamp, clone: E.clone,
  // in place (rules/inplace.ts)
  add_: I.add_, mul_: I.mul_, div_: I.div_, copySlices: I.copySlices,
  // layout (rules/layout.ts)
  reshape: L.reshape, permute: L.permute, expand: L.expand, cat: L.cat, index: L.index,
  // reductions (rules/reduce.ts)
  sum: R.sum, amax: R.amax, amin: R.amin, logSoftmax: R.logSoftmax,
  // matrix products (rules/linalg.ts)
  matmul: M.matmul, linear: M.linear,
  // convolution and pooling (rules/conv.ts)
  conv2d: C.conv2d, convTranspose2d: C.convTranspose2d, maxPool2d: C.maxPool2d, avgPool2d: C.avgPool2d, adaptiveAvgPool2d: C.adaptiveAvgPool2d,
  // normalisation (rules/norm.ts)
  batchNorm: N.batchNorm, dropout: N.dropout,
  // losses (rules/loss.ts)
  crossEntropy: X.crossEntropy, nllLoss: X.nllLoss, mseLoss: X.mseLoss,
};

/** Every primitive, in registry order. */
export const PRIMITIVES = Object.keys(OPS) as Primitive[];

/** Would an op on these inputs be recorded? */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * A tensor from a scalar operand, typed to match `like` (int tensor + integer stays int). It is a
 * JavaScript-heap constant (kernels read any Float32Array), so it needs no release.
 */
export function asTensor(v: TensorLike, like: Tensor): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof v}`);
  const dtype: DType = like.dtype === 'float32' || !Number.isInteger(v) ? 'float32' : like.dtype === 'bool' ? 'int32' : like.dtype;
  const t = new Tensor(dtype === 'float32' ? new Float32Array([v]) : new Int32Array([v]), [], dtype);
  t.pinned = true;
  return t;
}

/** Run primitive `op` on `inputs`, recording a graph node when an input requires grad. */
export function apply<P extends Primitive>(op: P, inputs: Tensor[], p: OpParams[P]): Tensor {
  const rule = OPS[op] as Rule<P>;
  const recording = needsGrad(inputs);
  if (rule.inplace) {
    const a = inputs[0]!;
    a.checkInplace(op);
    const old = recording ? a.detachHistory() : null;
    const r = scoped(op, () => rule.forward(inputs, p, recording));
    a.bumpVersion();
    const extras = r instanceof Tensor ? [] : r.extras;
    if (old === null) { for (const e of extras) e.releaseHandle(`an unrecorded ${op}'s buffer`); return a; }
    return record(op, rule, p, inputs, [old, ...inputs.slice(1)], a, extras);
  }
  const r: Tensor | Forward = scoped(op, () => rule.forward(inputs, p, recording));
  const out = r instanceof Tensor ? r : r.out;
  const extras = r instanceof Tensor ? [] : r.extras;
  if (!recording) { for (const e of extras) e.releaseHandle(`an unrecorded ${op}'s buffer`); return out; }
  return record(op, rule, p, inputs, inputs, out, extras);
}

/** Attach the node of `rule` to `out`: its own handles on what the backward reads, and the closure. */
function record<P extends Primitive>(op: P, rule: Rule<P>, p: OpParams[P], inputs: readonly Tensor[], edges: readonly Tensor[],
                                     out: Tensor, extras: readonly Tensor[]): Tensor {
  const name = typeof rule.name === 'string' ? rule.name : rule.name(p);
  const needs = inputs.map((t) => t.requiresGrad);
  const owned: Tensor[] = [], checks: SavedValue[] = [];
  const savedInputs: (Tensor | null)[] = inputs.map(() => null);
  const idx = rule.saves ? rule.saves(p, needs) : inputs.map((_, k) => k);
  for (const k of idx) {
    const h = inputs[k]!.graphAlias();
    savedInputs[k] = h;
    owned.push(h);
    checks.push({ tensor: h, version: h.version, role: `input ${k}` });
  }
  let output: Tensor | null = null;
  if (rule.savesOutput?.(p, needs)) {
    output = out.graphAlias();
    owned.push(output);
    checks.push({ tensor: output, version: output.version, role: 'output' });
  }
  for (const e of extras) { e.owned = true; owned.push(e); }
  const saved: Saved = { inputs: savedInputs, output, extras, needs, shapes: inputs.map((t) => t.shape) };
  const anomaly = isAnomalyEnabled();
  if (anomaly) checkForward(name, out, inputs.filter((t) => !t.isDisposed));
  const trace = anomaly ? captureTrace() : undefined;
  const node: GradNode = {
    name, op, inputs: edges, versions: edges.map((t) => t.version), checks, owned,
    // Temporaries the rule makes are released when it returns; the gradients it returns are kept.
    backward: (g) => scoped(`the backward of ${name}`, () => rule.backward(g, saved, p)),
    ...(trace !== undefined ? { trace } : {}),
  };
  out.setGradFn(node);
  return out;
}

/**
 * Run a composite op built from primitives: its intermediates are released when it returns, and
 * its result's node shows PyTorch's name for the whole op (mean is div∘sum here, but prints
 * `grad_fn=<MeanBackward0>`). The name is left alone when the result is one of `inputs` (an op
 * that returned its input unchanged) or was not recorded.
 */
export function composite(name: string, inputs: readonly Tensor[], body: () => Tensor): Tensor {
  return renameGradFn(scoped(name, body), name, inputs);
}

/** Give the node that produced `out` the name `name` (see composite). */
export function renameGradFn(out: Tensor, name: string, inputs: readonly Tensor[]): Tensor {
  const node = out.gradFn;
  if (node === null || inputs.includes(out) || inputs.some((t) => t.gradFn === node)) return out;
  out.setGradFn({ ...node, name });
  return out;
}
