// Batch-norm kernels over x viewed as [n, c, s]: per-channel statistics, the per-channel affine map,
// and the backward. Statistics and gradient sums accumulate in f64x2 (PyTorch-level accuracy over
// 10^5-10^6 elements per channel); the elementwise work is f32x4. Work splits by channel range
// (stats, backward) or by plane range (affine), so every function takes [lo, hi).

// Sum of a chunk of `len` floats into two f64x2 accumulators (returned as one f64).
// @ts-ignore: decorator
@inline function sumF64(p: usize, len: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const v = v128.load(p + <usize>k * 4);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
  }
  let t: f64 = 0;
  for (; k < len; k++) t += <f64>load<f32>(p + <usize>k * 4);
  a0 = f64x2.add(a0, a1);
  return f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1) + t;
}

// Σ (x − m)² over a chunk, differences in f32, squares summed in f64.
// @ts-ignore: decorator
@inline function sqDevF64(p: usize, len: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const d = f32x4.sub(v128.load(p + <usize>k * 4), mv);
    const lo = f64x2.promote_low_f32x4(d), hi = f64x2.promote_low_f32x4(v128.shuffle<i32>(d, d, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let t: f64 = 0;
  for (; k < len; k++) { const d = <f64>(load<f32>(p + <usize>k * 4) - m); t += d * d; }
  a0 = f64x2.add(a0, a1);
  return f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1) + t;
}

/** mean[ch], variance[ch] (biased) for ch in [c0, c1): two passes, like the reference backend. */
export function channelStats(x: usize, n: i32, c: i32, s: i32, c0: i32, c1: i32, mean: usize, variance: usize): void {
  const count = <f64>n * <f64>s;
  const plane = <usize>c * <usize>s * 4;
  for (let ch = c0; ch < c1; ch++) {
    const base = x + <usize>ch * <usize>s * 4;
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += sumF64(base + <usize>i * plane, s);
    const m = <f32>(sum / count);
    let sq: f64 = 0;
    for (let i = 0; i < n; i++) sq += sqDevF64(base + <usize>i * plane, s, m);
    store<f32>(mean + <usize>ch * 4, m);
    store<f32>(variance + <usize>ch * 4, <f32>(sq / count));
  }
}

/** y = x·scale[ch] + shift[ch] for planes q in [q0, q1) of [n·c, s] (ch = q mod c); y may alias x. */
export function channelAffine(x: usize, c: i32, s: i32, q0: i32, q1: i32, scale: usize, shift: usize, y: usize): void {
  for (let q = q0; q < q1; q++) {
    const ch = q % c;
    const a = load<f32>(scale + <usize>ch * 4), b = load<f32>(shift + <usize>ch * 4);
    const av = f32x4.splat(a), bv = f32x4.splat(b);
    const xp = x + <usize>q * <usize>s * 4, yp = y + <usize>q * <usize>s * 4;
    let k = 0;
    for (; k + 4 <= s; k += 4) v128.store(yp + <usize>k * 4, f32x4.add(f32x4.mul(v128.load(xp + <usize>k * 4), av), bv));
    for (; k < s; k++) store<f32>(yp + <usize>k * 4, load<f32>(xp + <usize>k * 4) * a + b);
  }
}

/**
 * For ch in [c0, c1): sumG[ch] = Σg, sumGX[ch] = Σg·x̂ with x̂ = (x − mean)·invstd; then, if dx != 0,
 * dx = scale·(g − Σg/count − x̂·Σg·x̂/count) when training, else scale·g.
 */
export function batchNormBackward(g: usize, x: usize, n: i32, c: i32, s: i32, c0: i32, c1: i32, mean: usize, invstd: usize,
                                  scale: usize, training: i32, sumG: usize, sumGX: usize, dx: usize): void {
  const count = <f64>n * <f64>s;
  const plane = <usize>c * <usize>s * 4;
  for (let ch = c0; ch < c1; ch++) {
    const off = <usize>ch * <usize>s * 4;
    const m = load<f32>(mean + <usize>ch * 4), istd = load<f32>(invstd + <usize>ch * 4);
    const mv = f32x4.splat(m);
    let sg: f64 = 0, sgd: f64 = 0;
    for (let i = 0; i < n; i++) {
      const gp = g + off + <usize>i * plane, xp = x + off + <usize>i * plane;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const gv = v128.load(gp + <usize>k * 4);
        const gd = f32x4.mul(gv, f32x4.sub(v128.load(xp + <usize>k * 4), mv));
        a0 = f64x2.add(a0, f64x2.promote_low_f32x4(gv));
        a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(gv, gv, 2, 3, 0, 1)));
        b0 = f64x2.add(b0, f64x2.promote_low_f32x4(gd));
        b1 = f64x2.add(b1, f64x2.promote_low_f32x4(v128.shuffle<i32>(gd, gd, 2, 3, 0, 1)));
      }
      a0 = f64x2.add(a0, a1);
      b0 = f64x2.add(b0, b1);
      sg += f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
      sgd += f64x2.extract_lane(b0, 0) + f64x2.extract_lane(b0, 1);
      for (; k < s; k++) {
        const gk = load<f32>(gp + <usize>k * 4);
        sg += <f64>gk;
        sgd += <f64>(gk * (load<f32>(xp + <usize>k * 4) - m));
      }
    }
    const sgx = sgd * <f64>istd;
    store<f32>(sumG + <usize>ch * 4, <f32>sg);
    store<f32>(sumGX + <usize>ch * 4, <f32>sgx);
    if (dx == 0) continue;
    const a = load<f32>(scale + <usize>ch * 4);
    // dx = a·g − a·mg − (a·mgx·istd)·(x − m); x − m first, so a large mean does not cancel.
    const mg = training ? <f32>(sg / count) : 0, mgx = training ? <f32>(sgx / count) : 0;
    const kx = a * mgx * istd, k0 = -a * mg;
    const av = f32x4.splat(a), kxv = f32x4.splat(kx), k0v = f32x4.splat(k0);
    for (let i = 0; i < n; i++) {
      const gp = g + off + <usize>i * plane, xp = x + off + <usize>i * plane, dp = dx + off + <usize>i * plane;
      let k = 0;
      for (; k + 4 <= s; k += 4) {
        const t = f32x4.add(f32x4.mul(v128.load(gp + <usize>k * 4), av), k0v);
        v128.store(dp + <usize>k * 4, f32x4.sub(t, f32x4.mul(f32x4.sub(v128.load(xp + <usize>k * 4), mv), kxv)));
      }
      for (; k < s; k++) store<f32>(dp + <usize>k * 4, load<f32>(gp + <usize>k * 4) * a + k0 - (load<f32>(xp + <usize>k * 4) - m) * kx);
    }
  }
}
