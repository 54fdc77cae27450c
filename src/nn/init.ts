/** `nn.init`: in-place initialisers with PyTorch's names, fan rules and gains. */
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape } from '../shape/index.js';
import { normalSample, uniform } from '../tensor/rng.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/** Recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const a = param ?? 0.01; return Math.sqrt(2 / (1 + a * a)); }
    default: return 1;
  }
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field size (dims 2+). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new Error(`init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${formatShape(t.shape)})`);
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fill(t: Tensor, sample: () => number): Tensor {
  noGrad(() => {
    const d = t.data;
    for (let i = 0; i < d.length; i++) d[i] = sample();
    t.bumpVersion();
  });
  return t;
}

/** U(a, b) in place. */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor { return fill(t, () => a + (b - a) * uniform()); }
/** N(mean, std) in place. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor { return fill(t, () => mean + std * normalSample()); }
/** Fill with `v` in place. */
export function constant_(t: Tensor, v: number): Tensor { return fill(t, () => v); }
/** Zeros in place. */
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
/** Ones in place. */
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

/** Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -a, a);
}
/** Glorot normal: N(0, gain * sqrt(2 / (fanIn + fanOut))). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)));
}

export interface KaimingOptions { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: Nonlinearity }

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fi, fo] = calculateFanInAndFanOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fi : fo;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}
/** He uniform: U(-b, b), b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -b, b);
}
/** He normal: N(0, gain / sqrt(fan)). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o));
}

/**
 * PyTorch's default for Conv*d and Linear: kaiming_uniform_(a=√5) on the weight, which is
 * U(±1/√fanIn), and U(±1/√fanIn) on the bias.
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fi] = calculateFanInAndFanOut(weight);
    const bound = fi > 0 ? 1 / Math.sqrt(fi) : 0;
    uniform_(bias, -bound, bound);
  }
}
