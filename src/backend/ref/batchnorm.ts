/** Reference batch-norm kernels over [n, c, s] (s = spatial size): per-channel statistics and coefficients, affine map, backward. */
import type { RunningStats } from '../backend.js';

/** Per-channel mean and biased variance (two passes, double-precision sums). */
export function channelStats(x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void {
  const plane = c * s, count = n * s;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const o = i * plane + ch * s;
      for (let k = 0; k < s; k++) sum += x[o + k]!;
    }
    const m = sum / count;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const o = i * plane + ch * s;
      for (let k = 0; k < s; k++) { const d = x[o + k]! - m; sq += d * d; }
    }
    mean[ch] = m;
    variance[ch] = sq / count;
  }
}

/** See Backend.batchNormCoefficients: invstd, scale and shift per channel, after the running-statistics update. */
export function batchNormCoefficients(c: number, mean: Float32Array, variance: Float32Array, weight: Float32Array | null,
                                      bias: Float32Array | null, eps: number, invstd: Float32Array, scale: Float32Array,
                                      shift: Float32Array, running: RunningStats | null): void {
  if (running !== null) {
    const m = running.momentum;
    for (let ch = 0; ch < c; ch++) {
      running.mean[ch] = (1 - m) * running.mean[ch]! + m * mean[ch]!;
      running.variance[ch] = (1 - m) * running.variance[ch]! + m * (variance[ch]! * running.count / (running.count - 1));
    }
  }
  for (let ch = 0; ch < c; ch++) invstd[ch] = 1 / Math.sqrt(variance[ch]! + eps);
  // y = x·(w·invstd) + (b − mean·w·invstd): one multiply-add per element, as PyTorch's CPU kernel.
  for (let ch = 0; ch < c; ch++) {
    scale[ch] = (weight ? weight[ch]! : 1) * invstd[ch]!;
    shift[ch] = (bias ? bias[ch]! : 0) - mean[ch]! * scale[ch]!;
  }
}

/** y = x·scale[ch] + shift[ch]. */
export function channelAffine(x: Float32Array, n: number, c: number, s: number, scale: Float32Array, shift: Float32Array, y: Float32Array): void {
  const plane = c * s;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = i * plane + ch * s, a = scale[ch]!, b = shift[ch]!;
      for (let k = 0; k < s; k++) y[o + k] = x[o + k]! * a + b;
    }
  }
}

/** Σg, Σg·x̂ per channel and (optionally) dx; see Backend.batchNormBackward. */
export function batchNormBackward(g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float32Array,
                                  invstd: Float32Array, scale: Float32Array, training: boolean,
                                  sumG: Float32Array, sumGX: Float32Array, dx: Float32Array | null): void {
  const plane = c * s, count = n * s;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch]!, istd = invstd[ch]!;
    let sg = 0, sgx = 0;
    for (let i = 0; i < n; i++) {
      const o = i * plane + ch * s;
      for (let k = 0; k < s; k++) { const gv = g[o + k]!; sg += gv; sgx += gv * (x[o + k]! - m) * istd; }
    }
    sumG[ch] = sg;
    sumGX[ch] = sgx;
    if (dx === null) continue;
    const a = scale[ch]!;
    if (training) {
      const mg = sg / count, mgx = sgx / count;
      for (let i = 0; i < n; i++) {
        const o = i * plane + ch * s;
        for (let k = 0; k < s; k++) dx[o + k] = a * (g[o + k]! - mg - (x[o + k]! - m) * istd * mgx);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const o = i * plane + ch * s;
        for (let k = 0; k < s; k++) dx[o + k] = a * g[o + k]!;
      }
    }
  }
}
