// 2-D max/avg pooling over NCHW planes. Work is split by plane (n*c index), so every function
// takes a plane range [q0, q1) and threads never write the same memory.
// Geometry: the pooling block at `gp` (src/backend/wasm/abi.ts: POOL_*).

import { POOL_H, POOL_INCLUDE_PAD, POOL_KH, POOL_KW, POOL_OH, POOL_OW, POOL_PH, POOL_PW, POOL_SH, POOL_SW, POOL_W } from '../src/backend/wasm/abi';

// @ts-ignore: decorator
@inline function gi(gp: usize, i: i32): i32 { return load<i32>(gp + <usize>(i * 4)); }

// One output of max pooling over the clipped window [ya, yb) x [xa, xb), scalar.
// @ts-ignore: decorator
@inline function maxWindow(xp: usize, w: i32, ya: i32, yb: i32, xa: i32, xb: i32, yo: usize, ao: usize): void {
  let best: f32 = -Infinity;
  let idx = -1;
  for (let iy = ya; iy < yb; iy++) {
    for (let ix = xa; ix < xb; ix++) {
      const v = load<f32>(xp + <usize>(iy * w + ix) * 4);
      // First in-window element always wins the empty slot; as in PyTorch a later NaN replaces an earlier one.
      const m = -(<i32>(idx < 0) | <i32>(v > best) | <i32>(v != v));
      best = reinterpret<f32>((reinterpret<i32>(v) & m) | (reinterpret<i32>(best) & ~m));
      idx = ((iy * w + ix) & m) | (idx & ~m);
    }
  }
  store<f32>(yo, best);
  store<i32>(ao, idx);
}

// Four horizontally adjacent input values at stride sw, starting at p.
// @ts-ignore: decorator
@inline function gather4(p: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(p);
  if (sw == 2) return f32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  const st = <usize>sw * 4;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + st));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * st));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * st));
}

/**
 * maxPoolForward for unpadded geometries (LeNet's 2x2/2): windows inside the row go 4 at a time in
 * SIMD lanes (a ragged end re-does the last block of 4), the rest through maxWindow. Measured
 * 2026-12-04 (kernel only, 1 thread): 0.37 vs 0.66-0.72 ms on LeNet's second 2x2/2 pooling for the
 * padded-plane version below.
 */
export function maxPoolForwardUnpadded(gp: usize, q0: i32, q1: i32, x: usize, y: usize, am: usize): void {
  const h = gi(gp, POOL_H), w = gi(gp, POOL_W), oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW), kh = gi(gp, POOL_KH), kw = gi(gp, POOL_KW);
  const sh = gi(gp, POOL_SH), sw = gi(gp, POOL_SW), ph = gi(gp, POOL_PH), pw = gi(gp, POOL_PW);
  // Outputs whose window lies fully inside the row: [oxLo, oxHi). These go 4 at a time in SIMD lanes,
  // which breaks the serial compare/select chain of one window (the scalar path's real cost).
  const oxLo = (pw + sw - 1) / sw;
  const oxHi = w - kw + pw < 0 ? 0 : min(ow, (w - kw + pw) / sw + 1);
  const laneOff = i32x4(0, sw, 2 * sw, 3 * sw);
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    let o = <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      const inside = y0 >= 0 && y0 + kh <= h;
      let ox = 0;
      while (ox < ow) {
        if (inside && ox >= oxLo && oxHi - oxLo >= 4 && ox < oxHi) {
          // A ragged end re-does the last full block of 4 (outputs are idempotent) instead of going scalar.
          if (ox + 4 > oxHi) { o -= <usize>(ox - (oxHi - 4)) * 4; ox = oxHi - 4; }
          const c0 = ox * sw - pw;
          let best = gather4(xp + <usize>(y0 * w + c0) * 4, sw);
          let idx = i32x4.add(i32x4.splat(y0 * w + c0), laneOff);
          for (let ki = 0; ki < kh; ki++) {
            for (let kj = 0; kj < kw; kj++) {
              const pos = (y0 + ki) * w + c0 + kj;
              const v = gather4(xp + <usize>pos * 4, sw);
              const m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              best = v128.bitselect(v, best, m);
              idx = v128.bitselect(i32x4.add(i32x4.splat(pos), laneOff), idx, m);
            }
          }
          v128.store(y + o, best);
          v128.store(am + o, idx);
          o += 16;
          ox += 4;
          continue;
        }
        const x0 = ox * sw - pw;
        maxWindow(xp, w, ya, yb, max(x0, 0), min(x0 + kw, w), y + o, am + o);
        o += 4;
        ox++;
      }
    }
  }
}

// Padded plane for max pooling: every window of every 4-output group (tail lanes included) lies
// inside it, so loads need no bounds checks. Padding holds -inf, which never beats a real value.
// @ts-ignore: decorator
@inline function maxPadH(oh: i32, kh: i32, sh: i32): i32 { return (oh - 1) * sh + kh; }
// @ts-ignore: decorator
@inline function maxPadW(ow: i32, kw: i32, sw: i32): i32 { return (((ow + 3) & ~3) - 1) * sw + kw + 4; }

/** Scratch bytes maxPoolForward needs per thread for the geometry at gp. */
export function maxPoolScratchBytes(gp: usize): i32 {
  const oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW), kh = gi(gp, POOL_KH), kw = gi(gp, POOL_KW), sh = gi(gp, POOL_SH), sw = gi(gp, POOL_SW);
  return max(maxPadH(oh, kh, sh), gi(gp, POOL_H) + gi(gp, POOL_PH)) * max(maxPadW(ow, kw, sw), gi(gp, POOL_W) + gi(gp, POOL_PW)) * 4 + 64;
}

/**
 * y/argmax [planes, oh, ow] from x [planes, h, w]; argmax is the flat h*w index, -1 for an all-padding
 * window. Each plane is first copied into a -inf-padded buffer; then outputs go 4 at a time in SIMD
 * lanes (which breaks the serial compare/select chain of one window). A group whose windows are all
 * inside the input starts from its first tap; a group touching padding or the row's end starts empty
 * and masks the padding taps, so the first in-window element still wins the empty slot as in PyTorch.
 */
export function maxPoolForward(gp: usize, q0: i32, q1: i32, x: usize, y: usize, am: usize, scratch: usize): void {
  const h = gi(gp, POOL_H), w = gi(gp, POOL_W), oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW), kh = gi(gp, POOL_KH), kw = gi(gp, POOL_KW);
  const sh = gi(gp, POOL_SH), sw = gi(gp, POOL_SW), ph = gi(gp, POOL_PH), pw = gi(gp, POOL_PW);
  // (The backend sends unpadded geometries to maxPoolForwardUnpadded, a separate export: inlined
  // here, the combined function ran the same code ~1.7x slower. This one is correct for them too.)
  const PH = max(maxPadH(oh, kh, sh), h + ph), PW = max(maxPadW(ow, kw, sw), w + pw);
  const plane = (scratch + 63) & ~(<usize>63);
  const laneOff = i32x4(0, sw, 2 * sw, 3 * sw);
  const lanes = i32x4(0, 1, 2, 3);
  const ninf = f32x4.splat(-Infinity);
  // Output columns [oxLo, oxHi) have windows entirely inside the input's columns.
  const oxLo = (pw + sw - 1) / sw;
  const oxHi = w - kw + pw < 0 ? 0 : min(ow, (w - kw + pw) / sw + 1);
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    // Copy into the padded plane: -inf border, input at (ph, pw).
    for (let r = 0; r < PH; r++) {
      const d = plane + <usize>(r * PW) * 4;
      const iy = r - ph;
      if (iy < 0 || iy >= h) { for (let c = 0; c < PW; c += 4) v128.store(d + <usize>c * 4, ninf); continue; }
      for (let c = 0; c < pw; c++) store<f32>(d + <usize>c * 4, -Infinity);
      const src = xp + <usize>(iy * w) * 4, dst = d + <usize>pw * 4;
      let c = 0;
      for (; c + 4 <= w; c += 4) v128.store(dst + <usize>c * 4, v128.load(src + <usize>c * 4));
      for (; c < w; c++) store<f32>(dst + <usize>c * 4, load<f32>(src + <usize>c * 4));
      for (let c2 = pw + w; c2 < PW; c2++) store<f32>(d + <usize>c2 * 4, -Infinity);
    }
    let o = <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      // Window rows that hold input rows; padding rows can never win, so they are skipped.
      const kiLo = max(0, -y0), kiHi = min(kh, h - y0);
      const rowsInside = kiLo == 0 && kiHi == kh;
      let ox = 0;
      // Two inside groups at once: each group's taps form one serial compare/select chain
      // (~8 cycles a tap), so interleaving two independent chains nearly halves the time.
      while (ox < ow) {
        // A ragged end whose last 4 windows are all inside re-does that block (outputs are
        // idempotent) instead of taking the masked path.
        if (rowsInside && ox + 4 > ow && oxHi - oxLo >= 4 && ox >= oxLo && ow <= oxHi) {
          o -= <usize>(ox - (ow - 4)) * 4;
          ox = ow - 4;
        }
        const n = min(4, ow - ox);
        const c0 = ox * sw - pw; // input column of lane 0's first tap
        let best: v128, idx: v128;
        if (rowsInside && ox >= oxLo && ox + 7 < oxHi) {
          const p0 = (y0 + ph) * PW + c0 + pw;
          const s4 = 4 * sw;
          best = gather4(plane + <usize>p0 * 4, sw);
          let best2 = gather4(plane + <usize>(p0 + s4) * 4, sw);
          idx = i32x4.add(i32x4.splat(y0 * w + c0), laneOff);
          let idx2 = i32x4.add(idx, i32x4.splat(s4));
          for (let ki = 0; ki < kh; ki++) {
            const prow = plane + <usize>((y0 + ph + ki) * PW + c0 + pw) * 4;
            const irow = (y0 + ki) * w + c0;
            for (let kj = 0; kj < kw; kj++) {
              const v = gather4(prow + <usize>kj * 4, sw);
              const v2 = gather4(prow + <usize>(kj + s4) * 4, sw);
              const m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              const m2 = v128.or(f32x4.gt(v2, best2), f32x4.ne(v2, v2));
              const pv = i32x4.add(i32x4.splat(irow + kj), laneOff);
              best = v128.bitselect(v, best, m);
              best2 = v128.bitselect(v2, best2, m2);
              idx = v128.bitselect(pv, idx, m);
              idx2 = v128.bitselect(i32x4.add(pv, i32x4.splat(s4)), idx2, m2);
            }
          }
          v128.store(y + o, best); v128.store(am + o, idx);
          v128.store(y + o, best2, 16); v128.store(am + o, idx2, 16);
          o += 32;
          ox += 8;
          continue;
        }
        if (kiLo >= kiHi) {
          best = ninf; idx = i32x4.splat(-1);
        } else if (rowsInside && n == 4 && ox >= oxLo && ox + 3 < oxHi) {
          // Every tap of every lane is a real element: start from the first one.
          const p0 = (y0 + ph) * PW + c0 + pw;
          best = gather4(plane + <usize>p0 * 4, sw);
          idx = i32x4.add(i32x4.splat(y0 * w + c0), laneOff);
          for (let ki = 0; ki < kh; ki++) {
            const prow = plane + <usize>((y0 + ph + ki) * PW + c0 + pw) * 4;
            const irow = (y0 + ki) * w + c0;
            for (let kj = 0; kj < kw; kj++) {
              const v = gather4(prow + <usize>kj * 4, sw);
              const m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
              best = v128.bitselect(v, best, m);
              idx = v128.bitselect(i32x4.add(i32x4.splat(irow + kj), laneOff), idx, m);
            }
          }
        } else {
          // Edge group: start empty; a tap counts only on real columns of live lanes.
          best = ninf; idx = i32x4.splat(-1);
          const live = i32x4.lt_s(lanes, i32x4.splat(n));
          for (let ki = kiLo; ki < kiHi; ki++) {
            const prow = plane + <usize>((y0 + ph + ki) * PW + c0 + pw) * 4;
            const irow = (y0 + ki) * w + c0;
            for (let kj = 0; kj < kw; kj++) {
              const col = i32x4.add(i32x4.splat(c0 + kj), laneOff);
              const real = v128.and(live, v128.and(i32x4.ge_s(col, i32x4.splat(0)), i32x4.lt_s(col, i32x4.splat(w))));
              const v = gather4(prow + <usize>kj * 4, sw);
              const win = v128.or(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), i32x4.lt_s(idx, i32x4.splat(0)));
              const m = v128.and(real, win);
              best = v128.bitselect(v, best, m);
              idx = v128.bitselect(i32x4.add(i32x4.splat(irow + kj), laneOff), idx, m);
            }
          }
        }
        if (n == 4) {
          v128.store(y + o, best);
          v128.store(am + o, idx);
        } else {
          // AssemblyScript needs constant lane indices.
          store<f32>(y + o, f32x4.extract_lane(best, 0)); store<i32>(am + o, i32x4.extract_lane(idx, 0));
          if (n > 1) { store<f32>(y + o, f32x4.extract_lane(best, 1), 4); store<i32>(am + o, i32x4.extract_lane(idx, 1), 4); }
          if (n > 2) { store<f32>(y + o, f32x4.extract_lane(best, 2), 8); store<i32>(am + o, i32x4.extract_lane(idx, 2), 8); }
        }
        o += <usize>n * 4;
        ox += 4;
      }
    }
  }
}

/** dx [planes, h, w] = scatter of dy [planes, oh, ow] onto argmax positions; dx is overwritten. */
export function maxPoolBackward(gp: usize, q0: i32, q1: i32, dy: usize, am: usize, dx: usize): void {
  const h = gi(gp, POOL_H), w = gi(gp, POOL_W), oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW);
  const hw = h * w, ohw = oh * ow;
  for (let q = q0; q < q1; q++) {
    const dxp = dx + <usize>q * <usize>hw * 4;
    memory.fill(dxp, 0, <usize>hw * 4);
    const base = <usize>q * <usize>ohw * 4;
    for (let i = 0; i < ohw; i++) {
      const off = base + <usize>i * 4;
      const idx = load<i32>(am + off);
      if (idx >= 0) {
        const p = dxp + <usize>idx * 4;
        store<f32>(p, load<f32>(p) + load<f32>(dy + off));
      }
    }
  }
}

// PyTorch's divisor: the window clipped to the padded extent (countIncludePad) or to the input.
// @ts-ignore: decorator
@inline function divisor(y0: i32, x0: i32, kh: i32, kw: i32, h: i32, w: i32, ph: i32, pw: i32, incl: i32): f32 {
  if (incl) {
    return <f32>((min(y0 + kh, h + ph) - y0) * (min(x0 + kw, w + pw) - x0));
  }
  return <f32>((min(y0 + kh, h) - max(y0, 0)) * (min(x0 + kw, w) - max(x0, 0)));
}

// Four 2x2 window means from the row pair at r0 / r0 + rs (8 inputs per row, starting at r0),
// summed in the general path's order ((x00 + x01) + x10) + x11, so both paths agree bitwise.
// @ts-ignore: decorator
@inline function avg2x2Block(r0: usize, rs: usize, quarter: v128): v128 {
  const a = v128.load(r0), b = v128.load(r0, 16);
  const c = v128.load(r0 + rs), d = v128.load(r0 + rs, 16);
  let acc = f32x4.add(f32x4.shuffle(a, b, 0, 2, 4, 6), f32x4.shuffle(a, b, 1, 3, 5, 7));
  acc = f32x4.add(acc, f32x4.shuffle(c, d, 0, 2, 4, 6));
  acc = f32x4.add(acc, f32x4.shuffle(c, d, 1, 3, 5, 7));
  return f32x4.mul(acc, quarter);
}

// 2x2 windows at stride 2, unpadded, all inside the input (LeNet's pooling): contiguous row pairs
// read 8 inputs wide and de-interleaved by shuffles instead of four stride-2 gathers per block.
function avgPool2x2(h: i32, w: i32, oh: i32, ow: i32, q0: i32, q1: i32, x: usize, y: usize): void {
  const quarter = f32x4.splat(0.25);
  const rs = <usize>w * 4;
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    const yp = y + <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = xp + <usize>(2 * oy) * rs;
      const o = yp + <usize>(oy * ow) * 4;
      let ox = 0;
      if (ow >= 4) {
        for (; ox + 4 <= ow; ox += 4) v128.store(o + <usize>ox * 4, avg2x2Block(r0 + <usize>ox * 8, rs, quarter));
        // A ragged end re-does the row's last 4 outputs (same values) instead of going scalar.
        if (ox < ow) v128.store(o + <usize>(ow - 4) * 4, avg2x2Block(r0 + <usize>(ow - 4) * 8, rs, quarter));
        continue;
      }
      for (; ox < ow; ox++) {
        const p = r0 + <usize>ox * 8;
        const s = ((load<f32>(p) + load<f32>(p, 4)) + load<f32>(p + rs)) + load<f32>(p + rs, 4);
        store<f32>(o + <usize>ox * 4, s * 0.25);
      }
    }
  }
}

/** y [planes, oh, ow] = window means of x [planes, h, w]. */
export function avgPoolForward(gp: usize, q0: i32, q1: i32, x: usize, y: usize): void {
  const h = gi(gp, POOL_H), w = gi(gp, POOL_W), oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW), kh = gi(gp, POOL_KH), kw = gi(gp, POOL_KW);
  const sh = gi(gp, POOL_SH), sw = gi(gp, POOL_SW), ph = gi(gp, POOL_PH), pw = gi(gp, POOL_PW), incl = gi(gp, POOL_INCLUDE_PAD);
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && oh * 2 <= h && ow * 2 <= w) {
    avgPool2x2(h, w, oh, ow, q0, q1, x, y);
    return;
  }
  // Interior windows (no clipping, divisor kh*kw in both modes) go 4 outputs per SIMD vector, as in max pooling.
  const oxLo = (pw + sw - 1) / sw;
  const oxHi = w - kw + pw < 0 ? 0 : min(ow, (w - kw + pw) / sw + 1);
  const inv = f32x4.splat(<f32>1 / <f32>(kh * kw));
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    let o = y + <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      const inside = y0 >= 0 && y0 + kh <= h;
      let ox = 0;
      while (ox < ow) {
        if (inside && ox >= oxLo && oxHi - oxLo >= 4 && ox < oxHi) {
          if (ox + 4 > oxHi) { o -= <usize>(ox - (oxHi - 4)) * 4; ox = oxHi - 4; }
          const c0 = ox * sw - pw;
          let acc = f32x4.splat(0);
          for (let ki = 0; ki < kh; ki++) {
            for (let kj = 0; kj < kw; kj++) acc = f32x4.add(acc, gather4(xp + <usize>((y0 + ki) * w + c0 + kj) * 4, sw));
          }
          v128.store(o, f32x4.mul(acc, inv));
          o += 16;
          ox += 4;
          continue;
        }
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, w);
        let s: f32 = 0;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) s += load<f32>(xp + <usize>(iy * w + ix) * 4);
        }
        const d = divisor(y0, x0, kh, kw, h, w, ph, pw, incl);
        store<f32>(o, d > 0 ? s / d : 0);
        o += 4;
        ox++;
      }
    }
  }
}

// Non-overlapping, unpadded windows that all lie inside the input (stride == kernel; LeNet's 2x2/2):
// each input pixel gets at most one window's dy/(kh*kw), so dx is written row by row as a gather, with a SIMD lane-duplicating
// path for kw == 2, instead of a zero fill plus scattered read-modify-writes.
function tiledAvgBackward(h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, q0: i32, q1: i32, dy: usize, dx: usize): void {
  const invs: f32 = <f32>1 / <f32>(kh * kw);
  const inv = f32x4.splat(invs);
  for (let q = q0; q < q1; q++) {
    const dyp = dy + <usize>q * <usize>(oh * ow) * 4;
    let d = dx + <usize>q * <usize>(h * w) * 4;
    for (let iy = 0; iy < h; iy++) {
      const oy = iy / kh;
      let ix = 0;
      if (oy < oh) {
        const g = dyp + <usize>(oy * ow) * 4;
        if (kw == 2) {
          for (; ix + 8 <= ow * 2; ix += 8) {
            const v = f32x4.mul(v128.load(g + <usize>(ix >> 1) * 4), inv);
            v128.store(d + <usize>ix * 4, f32x4.shuffle(v, v, 0, 0, 1, 1));
            v128.store(d + <usize>ix * 4, f32x4.shuffle(v, v, 2, 2, 3, 3), 16);
          }
        }
        for (; ix < ow * kw; ix++) store<f32>(d + <usize>ix * 4, load<f32>(g + <usize>(ix / kw) * 4) * invs);
      }
      for (; ix < w; ix++) store<f32>(d + <usize>ix * 4, 0);
      d += <usize>w * 4;
    }
  }
}

// Four dy/4 values of the 2x2/2 tiling, each duplicated into two adjacent dx columns, on two rows.
// @ts-ignore: decorator
@inline function avg2x2BackBlock(g: usize, r0: usize, rs: usize, quarter: v128): void {
  const v = f32x4.mul(v128.load(g), quarter);
  const lo = f32x4.shuffle(v, v, 0, 0, 1, 1), hi = f32x4.shuffle(v, v, 2, 2, 3, 3);
  v128.store(r0, lo);
  v128.store(r0, hi, 16);
  v128.store(r0 + rs, lo);
  v128.store(r0 + rs, hi, 16);
}

// tiledAvgBackward for 2x2 windows at stride 2: each dy row is scaled once and written to both dx
// rows it covers; a ragged end re-writes the row's last 4 windows instead of going scalar.
function avgBackward2x2(h: i32, w: i32, oh: i32, ow: i32, q0: i32, q1: i32, dy: usize, dx: usize): void {
  const quarter = f32x4.splat(0.25);
  const rs = <usize>w * 4;
  for (let q = q0; q < q1; q++) {
    const dyp = dy + <usize>q * <usize>(oh * ow) * 4;
    const d = dx + <usize>q * <usize>(h * w) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const g = dyp + <usize>(oy * ow) * 4;
      const r0 = d + <usize>(2 * oy) * rs;
      let ox = 0;
      if (ow >= 4) {
        for (; ox + 4 <= ow; ox += 4) avg2x2BackBlock(g + <usize>ox * 4, r0 + <usize>ox * 8, rs, quarter);
        if (ox < ow) avg2x2BackBlock(g + <usize>(ow - 4) * 4, r0 + <usize>(ow - 4) * 8, rs, quarter);
      } else {
        for (; ox < ow; ox++) {
          const v = load<f32>(g + <usize>ox * 4) * 0.25;
          const p = r0 + <usize>ox * 8;
          store<f32>(p, v); store<f32>(p, v, 4); store<f32>(p + rs, v); store<f32>(p + rs, v, 4);
        }
      }
      // Columns no window covers (odd w).
      for (let ix = 2 * ow; ix < w; ix++) { store<f32>(r0 + <usize>ix * 4, 0); store<f32>(r0 + rs + <usize>ix * 4, 0); }
    }
    // Rows no window covers (odd h).
    if (2 * oh < h) memory.fill(d + <usize>(2 * oh) * rs, 0, <usize>(h - 2 * oh) * rs);
  }
}

/** dx [planes, h, w] = adjoint of avgPoolForward applied to dy; dx is overwritten. */
export function avgPoolBackward(gp: usize, q0: i32, q1: i32, dy: usize, dx: usize): void {
  const h = gi(gp, POOL_H), w = gi(gp, POOL_W), oh = gi(gp, POOL_OH), ow = gi(gp, POOL_OW), kh = gi(gp, POOL_KH), kw = gi(gp, POOL_KW);
  const sh = gi(gp, POOL_SH), sw = gi(gp, POOL_SW), ph = gi(gp, POOL_PH), pw = gi(gp, POOL_PW), incl = gi(gp, POOL_INCLUDE_PAD);
  // ceil_mode can add a last, clipped window (divisor < kh*kw, past the input's edge): not tiled.
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && oh * 2 <= h && ow * 2 <= w) {
    avgBackward2x2(h, w, oh, ow, q0, q1, dy, dx);
    return;
  }
  if (sh == kh && sw == kw && ph == 0 && pw == 0 && oh * kh <= h && ow * kw <= w) { tiledAvgBackward(h, w, oh, ow, kh, kw, q0, q1, dy, dx); return; }
  for (let q = q0; q < q1; q++) {
    const dxp = dx + <usize>q * <usize>(h * w) * 4;
    memory.fill(dxp, 0, <usize>(h * w) * 4);
    let o = dy + <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, w);
        const d = divisor(y0, x0, kh, kw, h, w, ph, pw, incl);
        const g: f32 = d > 0 ? load<f32>(o) / d : 0;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const p = dxp + <usize>(iy * w + ix) * 4;
            store<f32>(p, load<f32>(p) + g);
          }
        }
        o += 4;
      }
    }
  }
}
