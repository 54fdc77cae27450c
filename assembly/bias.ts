// Bias gradient of convolution (and any per-channel sum over NCHW-like data): out[ch] = sum over
// images i < n and k < s of x[(i*c + ch)*s + k]. Work is split by channel range [c0, c1), so
// threads never write the same output.

/** out[ch] for ch in [c0, c1): float32 SIMD sums within each plane, float64 across planes. */
export function channelSum(x: usize, n: i32, c: i32, s: i32, c0: i32, c1: i32, out: usize): void {
  const plane = <usize>s * 4;
  for (let ch = c0; ch < c1; ch++) {
    let total: f64 = 0;
    let p = x + <usize>ch * plane;
    for (let i = 0; i < n; i++) {
      // Two accumulators (8 lanes) keep the add latency hidden; planes are short enough (one
      // feature map) that float32 partials lose nothing visible next to the float64 total.
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      let k = 0;
      for (; k + 8 <= s; k += 8) {
        a0 = f32x4.add(a0, v128.load(p + <usize>k * 4));
        a1 = f32x4.add(a1, v128.load(p + <usize>k * 4, 16));
      }
      if (k + 4 <= s) { a0 = f32x4.add(a0, v128.load(p + <usize>k * 4)); k += 4; }
      a0 = f32x4.add(a0, a1);
      let t: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; k < s; k++) t += load<f32>(p + <usize>k * 4);
      total += <f64>t;
      p += <usize>c * plane;
    }
    store<f32>(out + <usize>ch * 4, <f32>total);
  }
}

/** Zeroes floats [i0, i1) of the buffer at p (a weight-gradient partial before its chunk accumulates into it). */
export function zeroFloats(p: usize, i0: i32, i1: i32): void {
  if (i1 > i0) memory.fill(p + <usize>i0 * 4, 0, <usize>(i1 - i0) * 4);
}
