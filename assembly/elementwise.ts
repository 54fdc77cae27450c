import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../src/backend/wasm/abi';
import { madd } from './gemm';

// Transcendental elementwise kernels. Memory-bound ops (relu, add, mul) stay in TypeScript:
// the copy into linear memory would cost as much as the op. exp/sigmoid are compute-bound in JS
// (Math.exp/Math.tanh are a call per element), so 4-wide polynomials pay for the copies.

// Cephes-style expf: x = n*ln2 + r, |r| <= ln2/2, degree-6 polynomial for e^r, 2^n by exponent bits.
// @ts-ignore: decorator
@inline function vexp(x: v128): v128 {
  // pmin/pmax map to single minps/maxps; wasm's min/max need a NaN/-0 fix-up sequence. With x as
  // the first operand a NaN input still comes through as NaN.
  // Clamps sit just past the f32 range: below -104 the result rounds to 0, above 88.8 it overflows to
  // +Inf, and in between the two-factor 2^n scaling yields denormals correctly.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(88.8));
  // Round-to-nearest by the 1.5*2^23 magic add: it also leaves n as an integer in the low mantissa
  // bits, replacing nearest + trunc_sat (a long fix-up sequence in V8) with an add and a subtract.
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(12582912.0));
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2^n split in two factors so n = 128 (x near 88.7) does not overflow the exponent field.
  const ni = i32x4.sub(t, i32x4.splat(0x4B400000));
  const h = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(h, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** out[i] = exp(x[i]) for i < n; out may alias x. */
export function expForward(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + <usize>i * 4, vexp(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) {
    const v = vexp(f32x4.splat(load<f32>(x + <usize>i * 4)));
    store<f32>(out + <usize>i * 4, f32x4.extract_lane(v, 0));
  }
}

// sigmoid through e = exp(-|x|) in (0, 1] (as XNNPACK's sigmoid kernels do): sigmoid(x) = 1/(1 + e)
// for x > 0 and e/(1 + e) otherwise, so exp never overflows, 2^n needs one factor and no clamps, and
// the numerator's select runs beside the 1 + e add. The loop is bound by the latency of one vector's
// dependency chain (the out-of-order window holds only a few iterations), which this shortens against
// vexp + div: no clamps, one scaling step, an Estrin-order polynomial and, with relaxed SIMD, fused
// multiply-adds (madd); measured ~2x faster. Max relative error on a dense sweep of [-100, 20]:
// 1.7e-7 in both builds (vexp + div: 1.5e-7). A degree-5 minimax polynomial (XNNPACK's p5) was ~15 %
// faster still but 2.7e-7. Below x = -87.3 the result (< 2^-126) is flushed to 0.
// @ts-ignore: decorator
@inline function vsigmoid(x: v128): v128 {
  const z = v128.or(x, i32x4.splat(0x80000000)); // -|x|
  // n = round(z·log2e) in the low mantissa bits of t; the magic constant also carries the exponent
  // bias 127, so t << 23 is 2^n as float bits (n >= -126 wherever the result is kept).
  const t = madd(z, f32x4.splat(1.44269502162933350), f32x4.splat(12583039.0));
  const s = i32x4.shl(t, 23);
  const n = f32x4.sub(t, f32x4.splat(12583039.0));
  let r = madd(n, f32x4.splat(-0.693145751953125), z);
  r = madd(n, f32x4.splat(-1.42860676533018700e-6), r);
  // vexp's polynomial, evaluated Estrin-style (depth 3 multiply-adds instead of Horner's 5).
  const r2 = f32x4.mul(r, r);
  const a = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  const b = madd(f32x4.splat(8.3334519073e-3), r, f32x4.splat(4.1665795894e-2));
  const c = madd(f32x4.splat(1.6666665459e-1), r, f32x4.splat(5.0000001201e-1));
  const p = madd(madd(a, r2, b), r2, c);
  // e = 2^n · (1 + r + r²·p), flushed to 0 below z = -87.3 (e < 2^-126, where s is garbage); a NaN
  // fails the compare and stays NaN.
  let e = madd(s, madd(r2, p, r), s);
  e = v128.andnot(e, f32x4.lt(z, f32x4.splat(-87.3365478515625)));
  const num = v128.bitselect(f32x4.splat(1), e, f32x4.gt(x, f32x4.splat(0)));
  return f32x4.div(num, f32x4.add(e, f32x4.splat(1)));
}

/** out[i] = 1 / (1 + exp(-x[i])) for i < n; out may alias x. */
export function sigmoidForward(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + <usize>i * 4, vsigmoid(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) store<f32>(out + <usize>i * 4, f32x4.extract_lane(vsigmoid(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

// tanh: a Taylor polynomial below |x| = 0.5 (where 1 - 2/(e^{2x}+1) would cancel catastrophically;
// truncation error there is ~1e-7 relative), the exp form above it, with the sign copied back.
// @ts-ignore: decorator
@inline function vtanh(v: v128): v128 {
  const one = f32x4.splat(1);
  const a = f32x4.abs(v);
  const e = vexp(f32x4.add(a, a));
  let big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  big = v128.or(big, v128.and(v, i32x4.splat(0x80000000)));
  const x2 = f32x4.mul(v, v);
  let p = f32x4.splat(3.5921280365724810e-3);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.8632355299021966e-3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.1869488536155203e-2));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-5.3968253968253968e-2));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.3333333333333333e-1));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-3.3333333333333333e-1));
  const small = f32x4.add(v, f32x4.mul(f32x4.mul(v, x2), p));
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.5)));
}

/** out[i] = tanh(x[i]) for i < n; out may alias x. */
export function tanhForward(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + <usize>i * 4, vtanh(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) {
    store<f32>(out + <usize>i * 4, f32x4.extract_lane(vtanh(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
  }
}

// relu keeps NaN (x > 0 or x != x) and maps -0 and negatives to +0, like the reference backend.
// @ts-ignore: decorator
@inline function vrelu(v: v128): v128 {
  return v128.and(v, v128.or(f32x4.gt(v, f32x4.splat(0)), f32x4.ne(v, v)));
}

/** out[i] = relu(x[i]) for i < n; out may alias x. */
export function reluForward(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + <usize>i * 4, vrelu(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) store<f32>(out + <usize>i * 4, f32x4.extract_lane(vrelu(f32x4.splat(load<f32>(x + <usize>i * 4))), 0));
}

// Activation gradient from the op's output y and the incoming gradient g; `op`: 0 relu, 1 sigmoid, 2 tanh.
// relu: 0 where y <= 0 (a NaN output passes g, PyTorch's threshold_backward); sigmoid: g·y·(1 − y); tanh: g·(1 − y²).
// @ts-ignore: decorator
@inline export function vgrad(op: i32, y: v128, g: v128): v128 {
  if (op == ACT_RELU) return v128.andnot(g, f32x4.le(y, f32x4.splat(0)));
  if (op == ACT_SIGMOID) return f32x4.mul(f32x4.mul(g, y), f32x4.sub(f32x4.splat(1), y));
  return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)));
}

/** dx[i] = g[i]·op'(·) expressed through y[i] = op(x[i]), for i < n; dx may alias g. */
export function activationBackward(op: i32, y: usize, g: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(dx + o, vgrad(op, v128.load(y + o), v128.load(g + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, f32x4.extract_lane(vgrad(op, f32x4.splat(load<f32>(y + o)), f32x4.splat(load<f32>(g + o))), 0));
  }
}

/** out[i] = op(x[i]) for i < n; `op`: 0 relu, 1 sigmoid, 2 tanh (activationBackward's codes), else a no-op copy-free pass; out may alias x. */
export function activationForward(op: i32, x: usize, out: usize, n: i32): void {
  if (op == ACT_RELU) reluForward(x, out, n);
  else if (op == ACT_SIGMOID) sigmoidForward(x, out, n);
  else if (op == ACT_TANH) tanhForward(x, out, n);
}
