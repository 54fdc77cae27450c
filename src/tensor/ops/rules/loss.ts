/**
 * Registry rules of the losses: softmax cross-entropy (a fused backend kernel: a training step
 * never materialises log-probabilities as a separate node), NLL and MSE.
 */
import type { CrossEntropyTarget, LossReduction } from '../../../backend/backend.js';
import { getBackend } from '../../../backend/index.js';
import type { Tensor } from '../../tensor.js';
import { emptyFloat, f32, floatFrom } from '../kernels.js';
import type { RuleSet } from '../rule.js';

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Parameters of crossEntropy over [n, c] logits: the target's kind (input 1: int32 labels [n] or
 * float probabilities [n, c]), smoothing, the reduction with its divisor (kept rows), the output
 * shape, and the node name PyTorch's composite cross_entropy ends with.
 */
export interface CrossEntropyParams {
  n: number; c: number;
  kind: 'labels' | 'probs';
  ignoreIndex: number;
  smoothing: number;
  r: LossReduction;
  outShape: readonly number[];
  name: string;
}

/** Parameters of nllLoss over [n, c] log-probabilities with int32 labels (input 1). */
export interface NllParams { n: number; c: number; ignoreIndex: number; r: LossReduction; outShape: readonly number[] }

/** Parameters of mseLoss. */
export interface MseParams { reduction: Reduction }

/** The backend's description of a cross-entropy target tensor. */
function targetOf(p: CrossEntropyParams, target: Tensor): CrossEntropyTarget {
  return p.kind === 'labels'
    ? { kind: 'labels', labels: target.data as Int32Array, ignoreIndex: p.ignoreIndex, smoothing: p.smoothing }
    : { kind: 'probs', probs: f32(target), smoothing: p.smoothing };
}

/** Per-row losses (double precision) as the reduced output. */
function reduced(losses: Float64Array, r: LossReduction, shape: readonly number[]): Tensor {
  if (r.reduction === 'none') return floatFrom(losses, shape);
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i]!;
  // PyTorch gives NaN for a mean over zero (all ignored) samples; so do we, deliberately.
  return floatFrom([r.reduction === 'mean' ? s / r.count : s], []);
}

/** Per-row upstream gradient for each reduction. */
function gradScale(g: Tensor, r: LossReduction): (i: number) => number {
  const gd = f32(g);
  if (r.reduction === 'none') return (i) => gd[i]!;
  const s = r.reduction === 'mean' ? gd[0]! / r.count : gd[0]!;
  return () => s;
}

/** The loss primitives. */
export const lossRules: RuleSet<'crossEntropy' | 'nllLoss' | 'mseLoss'> = {
  crossEntropy: {
    name: (p) => p.name,
    // The target's values are read by the backward; the logits' are not (the softmax is kept).
    saves: () => [1],
    forward: ([x, target], p) => {
      const soft = emptyFloat([p.n, p.c]), out = emptyFloat(p.outShape);
      getBackend().crossEntropyForward(f32(x!), p.n, p.c, targetOf(p, target!), p.r, soft.data as Float32Array, out.data as Float32Array);
      return { out, extras: [soft] };
    },
    backward: (g, s, p) => {
      const dx = emptyFloat(s.shapes[0]!);
      getBackend().crossEntropyBackward(s.extras[0]!.data as Float32Array, p.n, p.c, targetOf(p, s.inputs[1]!), p.r,
        f32(g), dx.data as Float32Array);
      return [dx, null];
    },
  },
  // NLL and MSE read and write values directly (not kernels yet; neither is on the zoo's training path).
  nllLoss: {
    name: 'NllLossBackward0',
    saves: () => [1],
    forward: ([x, target], p) => {
      const xd = f32(x!), labels = target!.data as Int32Array;
      const losses = new Float64Array(p.n);
      for (let i = 0; i < p.n; i++) if (labels[i] !== p.ignoreIndex) losses[i] = -xd[i * p.c + labels[i]!]!;
      return reduced(losses, p.r, p.outShape);
    },
    backward: (g, s, p) => {
      const scale = gradScale(g, p.r), labels = s.inputs[1]!.data as Int32Array;
      const out = emptyFloat(s.shapes[0]!), d = out.data as Float32Array;
      for (let i = 0; i < p.n; i++) if (labels[i] !== p.ignoreIndex) d[i * p.c + labels[i]!] = -scale(i);
      return [out, null];
    },
  },
  mseLoss: {
    name: 'MseLossBackward0',
    forward: ([x, t], p) => {
      const a = f32(x!), b = f32(t!);
      const losses = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; losses[i] = d * d; }
      return reduced(losses, { reduction: p.reduction, count: a.length }, x!.shape);
    },
    backward: (g, s, p) => {
      const a = f32(s.inputs[0]!), b = f32(s.inputs[1]!);
      const scale = gradScale(g, { reduction: p.reduction, count: a.length });
      const gi = emptyFloat(s.shapes[0]!), d = gi.data as Float32Array;
      for (let i = 0; i < a.length; i++) d[i] = 2 * Math.fround(a[i]! - b[i]!) * scale(i);
      let gt: Tensor | null = null;
      if (s.needs[1]) {
        gt = emptyFloat(s.shapes[1]!);
        const e = gt.data as Float32Array;
        for (let i = 0; i < a.length; i++) e[i] = -d[i]!;
      }
      return [s.needs[0] ? gi : null, gt];
    },
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface LossRuleParams { crossEntropy: CrossEntropyParams; nllLoss: NllParams; mseLoss: MseParams }
