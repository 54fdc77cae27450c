/**
 * Which layers fuse, decided once per Sequential (and used directly by the zoo's blocks): a
 * built-in Conv2d followed by a built-in ReLU / Sigmoid / Tanh runs as one conv + bias + activation
 * op, with a following MaxPool2d / AvgPool2d joining it on batched input; a built-in BatchNorm
 * followed by an activation runs as one normalise + activation op. "Built-in" means the library's
 * class with its forward not overridden: a subclass that overrides forward is run as written.
 * Fused or not, values, gradients and node names (ReluBackward0, …) are the same.
 */
import type { ActivationOp } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { activation as applyActivation } from '../tensor/ops/elementwise.js';
import { releaseTemporary } from '../tensor/lifetime.js';
import { ReLU, Sigmoid, Tanh } from './activation.js';
import { BatchNormBase, LazyBatchNorm1d, LazyBatchNorm2d } from './batchnorm.js';
import { Conv2d, LazyConv2d } from './conv.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';
import type { Module } from './module.js';

/** The activation `m` computes, when it is a built-in ReLU / Sigmoid / Tanh. */
export function builtinActivation(m: Module | undefined): ActivationOp | null {
  const f = m?.forward;
  return f === undefined ? null : f === ReLU.prototype.forward ? 'relu' : f === Sigmoid.prototype.forward ? 'sigmoid'
    : f === Tanh.prototype.forward ? 'tanh' : null;
}

/** `m` as a built-in MaxPool2d / AvgPool2d, else null. */
export function builtinPool(m: Module | undefined): MaxPool2d | AvgPool2d | null {
  if (m instanceof MaxPool2d && m.forward === MaxPool2d.prototype.forward) return m;
  if (m instanceof AvgPool2d && m.forward === AvgPool2d.prototype.forward) return m;
  return null;
}

/** `m` as a built-in Conv2d (or LazyConv2d), else null. */
export function builtinConv2d(m: Module | undefined): Conv2d | null {
  return m instanceof Conv2d && (m.forward === Conv2d.prototype.forward || m.forward === LazyConv2d.prototype.forward) ? m : null;
}

/** `m` as a built-in BatchNorm1d/2d (or a lazy one), else null. */
export function builtinBatchNorm(m: Module | undefined): BatchNormBase | null {
  if (!(m instanceof BatchNormBase)) return null;
  const f = m.forward;
  return f === BatchNormBase.prototype.forward || f === LazyBatchNorm1d.prototype.forward || f === LazyBatchNorm2d.prototype.forward ? m : null;
}

/** One step of a fusion plan: a module run as is, or a fused group covering `span` children. */
export type FusedStep =
  | { kind: 'module'; m: Module; span: 1 }
  | { kind: 'conv'; conv: Conv2d; act: ActivationOp; pool: MaxPool2d | AvgPool2d | null; span: number; mods: Module[] }
  | { kind: 'batchNorm'; bn: BatchNormBase; act: ActivationOp; span: 2; mods: Module[] };

/** Group `mods` (a Sequential's children in order) into fused steps. */
export function planFusion(mods: readonly Module[]): FusedStep[] {
  const plan: FusedStep[] = [];
  for (let i = 0; i < mods.length;) {
    const m = mods[i]!;
    const act = builtinActivation(mods[i + 1]);
    const conv = builtinConv2d(m), bn = builtinBatchNorm(m);
    if (act !== null && conv !== null) {
      const pool = builtinPool(mods[i + 2]);
      const span = pool ? 3 : 2;
      plan.push({ kind: 'conv', conv, act, pool, span, mods: mods.slice(i, i + span) });
      i += span;
    } else if (act !== null && bn !== null) {
      plan.push({ kind: 'batchNorm', bn, act, span: 2, mods: mods.slice(i, i + 2) });
      i += 2;
    } else {
      plan.push({ kind: 'module', m, span: 1 });
      i += 1;
    }
  }
  return plan;
}

/** Do the modules of a fused step still qualify (nobody replaced a forward since planning)? */
export function stillFusable(step: FusedStep): boolean {
  if (step.kind === 'module') return true;
  const [first, second, third] = step.mods;
  if (builtinActivation(second) !== step.act) return false;
  if (step.kind === 'batchNorm') return builtinBatchNorm(first) !== null;
  return builtinConv2d(first) !== null && (third === undefined || builtinPool(third) !== null);
}

/** Run one step on x. */
export function runStep(step: FusedStep, x: Tensor): Tensor {
  switch (step.kind) {
    case 'module': return step.m.call(x);
    case 'batchNorm': return step.bn.forwardActivated(x, step.act);
    case 'conv': {
      const pool = step.pool;
      if (pool && x.ndim === 4) return step.conv.forwardActivated(x, step.act, (shape) => pool.fusedPool(shape));
      const y = step.conv.forwardActivated(x, step.act);
      if (!pool) return y;
      const out = pool.call(y);
      if (out !== y) releaseTemporary(y, 'an intermediate of Sequential.forward');
      return out;
    }
  }
}

/**
 * activation(m(x)) as one fused op when `m` is a built-in Conv2d or BatchNorm, else the module
 * then the activation: how the zoo's blocks (Residual, Inception) write `relu(conv(x))`.
 */
export function callActivated(m: Module, x: Tensor, act: ActivationOp): Tensor {
  const conv = builtinConv2d(m);
  if (conv !== null) return conv.forwardActivated(x, act);
  const bn = builtinBatchNorm(m);
  if (bn !== null) return bn.forwardActivated(x, act);
  const y = m.call(x);
  const out = applyActivation(act, y);
  if (y !== x) releaseTemporary(y, `an intermediate of ${m.constructor.name} followed by ${act}`);
  return out;
}
