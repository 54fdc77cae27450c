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

/** out[i] = 1 / (1 + exp(-x[i])) for i < n; out may alias x. */
export function sigmoidForward(x: usize, out: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = vexp(f32x4.neg(v128.load(x + <usize>i * 4)));
    v128.store(out + <usize>i * 4, f32x4.div(one, f32x4.add(one, e)));
  }
  for (; i < n; i++) {
    const e = vexp(f32x4.neg(f32x4.splat(load<f32>(x + <usize>i * 4))));
    store<f32>(out + <usize>i * 4, f32x4.extract_lane(f32x4.div(one, f32x4.add(one, e)), 0));
  }
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
@inline function vgrad(op: i32, y: v128, g: v128): v128 {
  if (op == 0) return v128.andnot(g, f32x4.le(y, f32x4.splat(0)));
  if (op == 1) return f32x4.mul(f32x4.mul(g, y), f32x4.sub(f32x4.splat(1), y));
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
