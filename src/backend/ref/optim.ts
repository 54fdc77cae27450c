/** Reference optimiser steps: SGD (momentum, dampening, Nesterov, weight decay) and Adam/AdamW, in place. */
import type { AdamStep, SgdStep } from '../backend.js';

/** See Backend.sgdStep. */
export function sgdStep(w: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdStep): void {
  const n = w.length, lr = h.lr, wd = h.weightDecay, mom = h.momentum, sign = h.maximize ? -1 : 1;
  if (buf === null) {
    for (let i = 0; i < n; i++) w[i] = w[i]! - lr * (sign * grad[i]! + wd * w[i]!);
    return;
  }
  const damp = 1 - h.dampening;
  for (let i = 0; i < n; i++) {
    const d = sign * grad[i]! + wd * w[i]!;
    const b = h.first ? d : mom * buf[i]! + damp * d;
    buf[i] = b;
    w[i] = w[i]! - lr * (h.nesterov ? d + mom * b : b);
  }
}

/** See Backend.adamStep: AdamW first decays w by 1 − lr·wd; Adam adds wd·w to the gradient. */
export function adamStep(w: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null,
                         h: AdamStep): void {
  const n = w.length, b1 = h.beta1, b2 = h.beta2, { lr, eps } = h;
  const wd = h.decoupled ? 0 : h.weightDecay;
  if (h.decoupled && h.weightDecay !== 0) {
    const f = 1 - lr * h.weightDecay;
    for (let i = 0; i < n; i++) w[i] = w[i]! * f;
  }
  const bc1 = 1 - b1 ** h.step;
  const bc2Sqrt = Math.sqrt(1 - b2 ** h.step);
  const stepSize = lr / bc1;
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const gi = sign * grad[i]! + wd * w[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vd = vi;
    if (vmax !== null) { if (vi > vmax[i]!) vmax[i] = vi; vd = vmax[i]!; }
    w[i] = w[i]! - stepSize * m[i]! / (Math.sqrt(vd) / bc2Sqrt + eps);
  }
}
