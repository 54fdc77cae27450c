/** Registry rules of batch normalisation (optionally fused with an activation) and dropout. */
import type { ActivationOp } from '../../../backend/backend.js';
import { getBackend } from '../../../backend/index.js';
import type { Tensor } from '../../tensor.js';
import { uniform } from '../../rng.js';
import { binaryOut, copyOf, emptyFloat, f32 } from '../kernels.js';
import { SAVES_NONE, type RuleSet } from '../rule.js';
import { activationGrad, mul } from '../elementwise.js';

/**
 * Parameters of batchNorm: the running statistics (state, updated in place while training; not
 * graph inputs), the mode and hyperparameters, which of weight and bias are inputs, and an
 * activation fused onto the output (BatchNorm → ReLU in ResNet and DenseNet).
 */
export interface BatchNormParams {
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  training: boolean;
  momentum: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
  activation?: ActivationOp;
}

/** Parameters of dropout. */
export interface DropoutParams { p: number }

/** [n, c, s] of a [N, C, *] input. */
function ncs(x: Tensor): [number, number, number] {
  let s = 1;
  for (let i = 2; i < x.ndim; i++) s *= x.shape[i]!;
  return [x.shape[0]!, x.shape[1]!, s];
}

const ACTIVATION_NODE: Record<ActivationOp, string> = { relu: 'ReluBackward0', sigmoid: 'SigmoidBackward0', tanh: 'TanhBackward0' };

/** The normalisation primitives. */
export const normRules: RuleSet<'batchNorm' | 'dropout'> = {
  batchNorm: {
    name: (p) => (p.activation === undefined ? 'NativeBatchNormBackward0' : ACTIVATION_NODE[p.activation]),
    savesOutput: (p) => p.activation !== undefined,
    // Like PyTorch, the forward keeps only the per-channel mean, 1/std and scale (x̂ is recomputed in the backward).
    forward: (inputs, p) => {
      const x = inputs[0]!, [n, c, s] = ncs(x);
      const weight = p.hasWeight ? inputs[1]! : null, bias = p.hasBias ? inputs[p.hasWeight ? 2 : 1]! : null;
      const be = getBackend(), xd = f32(x);
      const invstd = emptyFloat([c]), scale = emptyFloat([c]), shift = emptyFloat([c]);
      let mean: Tensor;
      const coeffs = (m: Tensor, v: Float32Array, running: Parameters<typeof be.batchNormCoefficients>[9]): void =>
        be.batchNormCoefficients(c, m.data as Float32Array, v, weight && f32(weight), bias && f32(bias), p.eps,
          invstd.data as Float32Array, scale.data as Float32Array, shift.data as Float32Array, running);
      if (p.training) {
        mean = emptyFloat([c]);
        const variance = emptyFloat([c]);
        be.channelStats(xd, n, c, s, mean.data as Float32Array, variance.data as Float32Array);
        const rm = p.runningMean, rv = p.runningVar;
        // The running buffers are state, not graph values: updated in place without recording.
        coeffs(mean, variance.data as Float32Array, rm && rv
          ? { mean: rm.data as Float32Array, variance: rv.data as Float32Array, momentum: p.momentum, count: n * s } : null);
        if (rm && rv) { rm.bumpVersion(); rv.bumpVersion(); }
      } else {
        // A copy: the backward must see these statistics even if training later moves the buffers.
        mean = copyOf(p.runningMean!);
        coeffs(mean, f32(p.runningVar!), null);
      }
      // y = x·scale + shift: one multiply-add per element, as PyTorch's CPU kernel.
      const y = emptyFloat(x.shape), yd = y.data as Float32Array;
      be.channelAffine(xd, n, c, s, scale.data as Float32Array, shift.data as Float32Array, yd);
      if (p.activation !== undefined) be.unary(p.activation, yd, yd);
      return { out: y, extras: [mean, invstd, scale] };
    },
    backward: (g, s, p) => {
      const x = s.inputs[0]!, [n, c, sp] = ncs(x);
      const [mean, invstd, scale] = s.extras as [Tensor, Tensor, Tensor];
      const gd = p.activation === undefined ? g : activationGrad(p.activation, s.output!, g);
      const dx = s.needs[0] ? emptyFloat(x.shape) : null;
      const dw = emptyFloat([c]), db = emptyFloat([c]);
      getBackend().batchNormBackward(f32(gd), f32(x), n, c, sp, mean.data as Float32Array, invstd.data as Float32Array,
        scale.data as Float32Array, p.training, db.data as Float32Array, dw.data as Float32Array, dx && dx.data as Float32Array);
      const grads: (Tensor | null)[] = [dx];
      if (p.hasWeight) grads.push(s.needs[1] ? dw : null);
      if (p.hasBias) grads.push(s.needs[p.hasWeight ? 2 : 1] ? db : null);
      return grads;
    },
  },
  dropout: {
    name: 'MulBackward0',
    saves: SAVES_NONE,
    // Inverted dropout: one factor per element (0 or 1/(1 − p)) serves both passes; p = 1 zeroes everything.
    forward: ([x], p) => {
      const scale = p.p === 1 ? 0 : 1 / (1 - p.p), keep = 1 - p.p;
      // The mask comes from the global seeded generator, so a seed fixes it on every backend.
      const mask = emptyFloat(x!.shape), md = mask.data as Float32Array;
      for (let i = 0; i < md.length; i++) md[i] = uniform() < keep ? scale : 0;
      return { out: binaryOut('mul', x!, mask, x!.shape), extras: [mask] };
    },
    backward: (g, s) => [mul(g, s.extras[0]!)],
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface NormRuleParams { batchNorm: BatchNormParams; dropout: DropoutParams }
