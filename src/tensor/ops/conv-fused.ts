/**
 * The composed defaults of the fused convolution kernels: conv2d + activation (+ pooling), forward
 * and all gradients, built from a backend's primitives. A backend that implements `conv2dFused` /
 * `conv2dBackward` runs its own kernel; every other backend (the reference one included) runs
 * these, so the fused op gives the same values everywhere.
 */
import type { ActivationOp, Backend, Conv2dGeometry, Conv2dGrads, FusedActivation, FusedPool } from '../../backend/backend.js';

/** conv2d, activation in place, then the pooling into pool.y (and pool.argmax), on backend `be`. */
export function conv2dFusedComposed(be: Backend, g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null,
                                    y: Float32Array, activation: ActivationOp, pool?: FusedPool): void {
  be.conv2d(g, x, w, bias, y);
  be.unary(activation, y, y);
  if (pool === undefined) return;
  if (pool.kind === 'avg') be.avgPool2d(pool.g, y, pool.y);
  else be.maxPool2d(pool.g, y, pool.y, pool.argmax!);
}

/** Backend.conv2dBackward by composition: back through the pooling and the activation, then each requested conv gradient. */
export function conv2dBackwardComposed(be: Backend, g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array,
                                       grads: Conv2dGrads, activation?: FusedActivation, pool?: FusedPool): void {
  const n = g.n * g.o * g.oh * g.ow;
  const temps: Float32Array[] = [];
  let d = dy;
  if (pool !== undefined) {
    const t = be.allocFloat32(n);
    temps.push(t);
    if (pool.kind === 'avg') be.avgPool2dBackward(pool.g, d, t);
    else be.maxPool2dBackward(pool.g, d, pool.argmax!, t);
    d = t;
  }
  if (activation !== undefined) {
    // In place on our own temporary; a fresh one when d is still the caller's dy.
    const t = d === dy ? be.allocFloat32(n) : d;
    if (t !== d) temps.push(t);
    be.activationBackward(activation.op, activation.y, d, t);
    d = t;
  }
  if (grads.dx) be.conv2dBackwardInput(g, d, w, grads.dx);
  if (grads.dw) be.conv2dBackwardWeight(g, x, d, grads.dw, grads.db);
  else if (grads.db) biasGradient(be, g, d, grads.db);
  for (const t of temps) be.freeFloat32(t);
}

/** db[o] = dy summed over images and output pixels (the backend's reduction over axes 0, 2 of [n, o, oh·ow]). */
function biasGradient(be: Backend, g: Conv2dGeometry, dy: Float32Array, db: Float32Array): void {
  be.reduce('sum', dy, [g.n, g.o, g.oh * g.ow], [0, 2], db);
}

/** The fused forward on `be`: its own kernel when it has one, else the composition. */
export function conv2dFused(be: Backend, g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null,
                            y: Float32Array, activation: ActivationOp, pool?: FusedPool): void {
  if (be.conv2dFused) be.conv2dFused(g, x, w, bias, y, activation, pool);
  else conv2dFusedComposed(be, g, x, w, bias, y, activation, pool);
}

/** All gradients of a conv (+ activation (+ pooling)) node on `be`: its own kernel when it has one, else the composition. */
export function conv2dBackward(be: Backend, g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array,
                               grads: Conv2dGrads, activation?: FusedActivation, pool?: FusedPool): void {
  if (be.conv2dBackward) be.conv2dBackward(g, x, w, dy, grads, activation, pool);
  else conv2dBackwardComposed(be, g, x, w, dy, grads, activation, pool);
}
