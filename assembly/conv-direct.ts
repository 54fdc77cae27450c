// Direct (im2col-free) convolution kernels for layers with few channels, stride 1, dilation 1 and
// one group, where im2col + GEMM spends about as long building the column matrix as multiplying it:
// directForward (forward, and the input gradient as a convolution) and directBackwardWeight (the
// weight gradient of one-channel inputs, LeNet's and VGG's first layers on Fashion-MNIST, where
// the GEMM would have only kh·kw columns). Both keep 8 vector accumulators busy with a zero-padded
// copy of each image; see each kernel for its blocking.
import { CONV_C, CONV_FLIP, CONV_H, CONV_KH, CONV_KW, CONV_O, CONV_OH, CONV_OW, CONV_PH, CONV_PW, CONV_W } from '../src/backend/wasm/abi';
import { madd } from './gemm';
import { align64, gi } from './conv';
import { activationForward, vgrad } from './elementwise';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Direct forward convolution (LeNet's conv1 and conv2). Four output channels × 8 (or 4) pixels of one output row sit in 8 (4) accumulators; each
// tap loads two input vectors from a zero-padded copy of the image and broadcasts four weights
// (packed tap-major, 4 channels per block, zero-filled past the last channel). The input gradient
// of such a layer is the same kind of convolution (of dy, padded by k - 1 - p, with the kernel
// rotated 180° and transposed: `flip`), so it runs here too.
// Parameter block: the convolution block at gp (abi.ts), CONV_C/CONV_O the channels read and
// written, CONV_FLIP set for an input gradient.

// @ts-ignore: decorator
@inline function directPW(ow: i32, kw: i32): i32 { return ((ow + 7) & ~7) + kw - 1; }

// Output channels per block: 3 when that divides co and 4 does not (6 in LeNet), else 4 (the
// last block zero-filled).
// @ts-ignore: decorator
@inline function directRows(co: i32): i32 { return co % 4 != 0 && co % 3 == 0 ? 3 : 4; }

/** Scratch bytes directForward needs per thread for parameter block `gp`. */
export function directForwardScratchBytes(gp: usize): i32 {
  const ci = gi(gp, CONV_C), h = gi(gp, CONV_H), co = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW), ow = gi(gp, CONV_OW), ph = gi(gp, CONV_PH);
  const ob = (co + 3) >> 2;
  return (ob * 4 * ci * kh * kw + ob * 4 + ci * (h + 2 * ph) * directPW(ow, kw) + 32) * 4 + 256;
}

// tile[r*8 + j] (r < 4, j < 8) = bias[r] + Σ_taps w[tap*4 + r] · x[tap's offset + j], over ci planes
// `ps` bytes apart, kh rows `rs` bytes apart and kw columns; pixels 4-7 are read `v2` bytes after
// pixels 0-3: 16 for 8 pixels of one row, a row (rs) for the last 4 pixels of two rows. Eight
// independent accumulators hide the FMA latency; 4 pixels alone (4 chains) ran at half the rate.
function direct4x8(x: usize, v2: usize, ps: usize, rs: usize, ci: i32, kh: i32, k0: i32, k1: i32, kw: i32, w: usize, bias: usize, tile: usize): void {
  let a00 = v128.load32_splat(bias), a01 = a00;
  let a10 = v128.load32_splat(bias, 4), a11 = a10;
  let a20 = v128.load32_splat(bias, 8), a21 = a20;
  let a30 = v128.load32_splat(bias, 12), a31 = a30;
  const cstride = <usize>(kh * kw * 4) * 4, kskip = <usize>(k0 * kw * 4) * 4;
  for (let c = 0; c < ci; c++) {
    let xr = x + <usize>c * ps + <usize>k0 * rs;
    let wp = w + <usize>c * cstride + kskip;
    for (let ki = k0; ki < k1; ki++) {
      let xp = xr;
      for (let kj = 0; kj < kw; kj++) {
        const x0 = v128.load(xp), x1 = v128.load(xp + v2);
        let s = v128.load32_splat(wp);
        a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
        s = v128.load32_splat(wp, 4);
        a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
        s = v128.load32_splat(wp, 8);
        a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
        s = v128.load32_splat(wp, 12);
        a30 = madd(s, x0, a30); a31 = madd(s, x1, a31);
        wp += 16;
        xp += 4;
      }
      xr += rs;
    }
  }
  v128.store(tile, a00); v128.store(tile, a01, 16);
  v128.store(tile, a10, 32); v128.store(tile, a11, 48);
  v128.store(tile, a20, 64); v128.store(tile, a21, 80);
  v128.store(tile, a30, 96); v128.store(tile, a31, 112);
}

// direct4x8 for blocks of 3 output channels (weights packed 3 per tap).
function direct3x8(x: usize, v2: usize, ps: usize, rs: usize, ci: i32, kh: i32, k0: i32, k1: i32, kw: i32, w: usize, bias: usize, tile: usize): void {
  let a00 = v128.load32_splat(bias), a01 = a00;
  let a10 = v128.load32_splat(bias, 4), a11 = a10;
  let a20 = v128.load32_splat(bias, 8), a21 = a20;
  const cstride = <usize>(kh * kw * 3) * 4, kskip = <usize>(k0 * kw * 3) * 4;
  for (let c = 0; c < ci; c++) {
    let xr = x + <usize>c * ps + <usize>k0 * rs;
    let wp = w + <usize>c * cstride + kskip;
    for (let ki = k0; ki < k1; ki++) {
      let xp = xr;
      for (let kj = 0; kj < kw; kj++) {
        const x0 = v128.load(xp), x1 = v128.load(xp + v2);
        let s = v128.load32_splat(wp);
        a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
        s = v128.load32_splat(wp, 4);
        a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
        s = v128.load32_splat(wp, 8);
        a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
        wp += 12;
        xp += 4;
      }
      xr += rs;
    }
  }
  v128.store(tile, a00); v128.store(tile, a01, 16);
  v128.store(tile, a10, 32); v128.store(tile, a11, 48);
  v128.store(tile, a20, 64); v128.store(tile, a21, 80);
}

// Copies `cnt` (<= 4) floats.
// @ts-ignore: decorator
@inline function put4(d: usize, s: usize, cnt: i32): void {
  if (cnt == 4) { v128.store(d, v128.load(s)); return; }
  for (let j = 0; j < cnt; j++) store<f32>(d + <usize>j * 4, load<f32>(s + <usize>j * 4));
}

/**
 * y[b] = act(conv(x[b], w) (+ bias)) for images b in [b0, b1) with parameter block `gp` (see above);
 * x [n, ci, h, w], y [n, co, oh, ow]; w is [co, ci, kh, kw], or with `flip` the forward weight
 * [ci, co, kh, kw] of the layer whose input gradient this is (read rotated by 180°); bias may be 0.
 */
export function directForward(gp: usize, b0: i32, b1: i32, x: usize, w: usize, bias: usize, y: usize, scratch: usize, act: i32): void {
  const ci = gi(gp, CONV_C), h = gi(gp, CONV_H), wd = gi(gp, CONV_W), co = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW);
  const oh = gi(gp, CONV_OH), ow = gi(gp, CONV_OW), ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), flip = gi(gp, CONV_FLIP);
  const kk = kh * kw, R = directRows(co), ob = (co + R - 1) / R;
  const PW = directPW(ow, kw), PH = h + 2 * ph;
  const wp = align64(scratch);
  const bp = wp + <usize>(ob * R * ci * kk) * 4;
  const plane = align64(bp + <usize>(ob * 4) * 4);
  const tile = align64(plane + <usize>(ci * PH * PW) * 4);
  // Pack the weights: wp[blk][c][ki][kj][r] = weight of output channel R·blk + r (0 past co).
  for (let blk = 0; blk < ob; blk++) {
    for (let c = 0; c < ci; c++) for (let t = 0; t < kk; t++) for (let r = 0; r < R; r++) {
      const o = blk * R + r;
      let v: f32 = 0;
      if (o < co) {
        v = flip != 0 ? load<f32>(w + <usize>((c * co + o) * kk + (kk - 1 - t)) * 4)
          : load<f32>(w + <usize>((o * ci + c) * kk + t) * 4);
      }
      store<f32>(wp + <usize>(((blk * ci + c) * kk + t) * R + r) * 4, v);
    }
  }
  for (let o = 0; o < ob * R; o++) store<f32>(bp + <usize>o * 4, bias != 0 && o < co ? load<f32>(bias + <usize>o * 4) : 0);
  const ps = <usize>(PH * PW) * 4, rs = <usize>PW * 4, wblk = <usize>(ci * kk * R) * 4;
  const planeOut = <usize>(oh * ow);
  // Row tails of 1-4 pixels go two rows at a time (the second vector one row down).
  const tail = ow & ~7, tcnt = ow - tail, pairTail = tcnt > 0 && tcnt <= 4;
  const full = pairTail ? tail : ow;
  memory.fill(plane, 0, <usize>(ci * PH * PW) * 4);
  for (let b = b0; b < b1; b++) {
    // Zero-padded planes; the padding borders stay zero from the fill above.
    for (let c = 0; c < ci; c++) {
      const src = x + <usize>((b * ci + c) * h * wd) * 4, dst = plane + <usize>c * ps + <usize>(ph * PW + pw) * 4;
      for (let r = 0; r < h; r++) memory.copy(dst + <usize>r * rs, src + <usize>(r * wd) * 4, <usize>wd * 4);
    }
    const yb = y + <usize>(b * co) * planeOut * 4;
    for (let blk = 0; blk < ob; blk++) {
      const wb = wp + <usize>blk * wblk, bb = bp + <usize>(blk * R * 4);
      const rows = min(R, co - blk * R);
      for (let oy = 0; oy < oh; oy++) {
        const xrow = plane + <usize>oy * rs;
        // Kernel rows over the zero padding rows contribute nothing: only rows ph..ph+h-1 are read.
        const k0 = max(0, ph - oy), k1 = min(kh, ph + h - oy);
        for (let ox = 0; ox < full; ox += 8) {
          const cnt = min(8, ow - ox);
          if (R == 3) direct3x8(xrow + <usize>ox * 4, 16, ps, rs, ci, kh, k0, k1, kw, wb, bb, tile);
          else direct4x8(xrow + <usize>ox * 4, 16, ps, rs, ci, kh, k0, k1, kw, wb, bb, tile);
          for (let r = 0; r < rows; r++) {
            const d = yb + (<usize>(blk * R + r) * planeOut + <usize>(oy * ow + ox)) * 4, s = tile + <usize>(r * 32);
            put4(d, s, min(4, cnt));
            if (cnt > 4) put4(d + 16, s + 16, cnt - 4);
          }
        }
        if (!pairTail || (oy & 1) == 1) continue;
        // The tails of rows oy and oy + 1 (when there is one; else its half is discarded).
        const two = oy + 1 < oh, t0 = max(0, ph - oy - 1);
        if (R == 3) direct3x8(xrow + <usize>tail * 4, two ? rs : 16, ps, rs, ci, kh, t0, k1, kw, wb, bb, tile);
        else direct4x8(xrow + <usize>tail * 4, two ? rs : 16, ps, rs, ci, kh, t0, k1, kw, wb, bb, tile);
        for (let r = 0; r < rows; r++) {
          const d = yb + (<usize>(blk * R + r) * planeOut + <usize>(oy * ow + tail)) * 4, s = tile + <usize>(r * 32);
          put4(d, s, tcnt);
          if (two) put4(d + <usize>ow * 4, s + 16, tcnt);
        }
      }
    }
    if (act >= 0) activationForward(act, yb, yb, co * oh * ow);
  }
}

// Direct weight gradient (stride 1, dilation 1, one group):
// dw[o, c, ki, kj] = Σ over images and output pixels of dy[o, p] · x[c, p shifted by (ki, kj)].
// dy is staged with the zero-padded input's row stride PW (zeros in columns ow..PW-1), so output
// pixel q = oy·PW + ox meets input element q + ki·PW + kj of the padded plane: the pixel loop is
// one run of oh·PW/4 vectors, not oh short rows (LeNet's conv2 has 10-pixel rows). Two output
// channels × four taps of one kernel row sit in eight vector accumulators: per vector two dy loads
// and four input loads (one base address, immediate offsets) feed eight multiply-adds.
// The padding columns' products are zeros (dy is 0 there) but still computed: PW/ow of the work
// (1.4 on LeNet's conv2). Partial sums stay 4 lanes wide in `vacc` across images; the horizontal
// sums happen once per call. Geometry: the convolution block (abi.ts).

// Floats of one staged dy channel: oh·PW rounded up to whole vectors.
// @ts-ignore: decorator
@inline function dyLen(oh: i32, PW: i32): i32 { return (oh * PW + 3) & ~3; }

// Output-channel pairs × taps: vacc[(op·taps + t)][2][4] floats.
// @ts-ignore: decorator
@inline function vaccFloats(o: i32, taps: i32): i32 { return ((o + 1) >> 1) * taps * 8; }

/** Scratch bytes directBackwardWeight needs per thread for geometry `gp`. */
export function directWeightScratchBytes(gp: usize): i32 {
  const c = gi(gp, CONV_C), h = gi(gp, CONV_H), w = gi(gp, CONV_W), o = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW), oh = gi(gp, CONV_OH);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW);
  const PW = w + 2 * pw, PH = h + 2 * ph;
  // The padded planes, then kw + 4 zeros that the last plane's padding-column products read.
  return (c * PH * PW + kw + 8 + ((o + 1) & ~1) * dyLen(oh, PW) + vaccFloats(o, c * kh * kw)) * 4 + 256;
}

/**
 * dw[o, c, kh, kw] += Σ_b dy[b] ⋆ x[b] for images b in [b0, b1) (stride 1, dilation 1, groups 1).
 * With `act` >= 0 (activationBackward's codes) dy is the gradient of y = act(conv output), taken
 * through the activation as it is staged; with db != 0, db[o] += the sum of (that) dy over images
 * and pixels: the bias gradient.
 */
export function directBackwardWeight(gp: usize, b0: i32, b1: i32, x: usize, dy: usize, dw: usize, scratch: usize,
                                     y: usize, act: i32, db: usize): void {
  const c = gi(gp, CONV_C), h = gi(gp, CONV_H), wd = gi(gp, CONV_W), o = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW), oh = gi(gp, CONV_OH), ow = gi(gp, CONV_OW);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW);
  const kk = kh * kw, taps = c * kk, PW = wd + 2 * pw, PH = h + 2 * ph, o2 = (o + 1) & ~1, L = dyLen(oh, PW);
  const planes = align64(scratch);
  const planeBytes = <usize>(PH * PW) * 4;
  const dyp = align64(planes + <usize>c * planeBytes + <usize>(kw + 8) * 4);
  const vacc = align64(dyp + <usize>(o2 * L) * 4);
  const nv = L >> 2;
  memory.fill(vacc, 0, <usize>vaccFloats(o, taps) * 4);
  // Zero padding around the planes (and the slack after them), zero dy columns past ow (and a
  // zero channel when o is odd): written once, never overwritten below.
  memory.fill(planes, 0, <usize>c * planeBytes + <usize>(kw + 8) * 4);
  memory.fill(dyp, 0, <usize>(o2 * L) * 4);
  for (let b = b0; b < b1; b++) {
    for (let ci = 0; ci < c; ci++) {
      const src = x + <usize>((b * c + ci) * h * wd) * 4, dst = planes + <usize>ci * planeBytes + <usize>(ph * PW + pw) * 4;
      for (let r = 0; r < h; r++) memory.copy(dst + <usize>(r * PW) * 4, src + <usize>(r * wd) * 4, <usize>wd * 4);
    }
    for (let oc = 0; oc < o; oc++) {
      let sum = f32x4.splat(0);
      for (let oy = 0; oy < oh; oy++) {
        const off = <usize>(((b * o + oc) * oh + oy) * ow) * 4, d = dyp + <usize>(oc * L + oy * PW) * 4;
        if (act < 0 && db == 0) { memory.copy(d, dy + off, <usize>ow * 4); continue; }
        let j = 0;
        for (; j + 4 <= ow; j += 4) {
          let v = v128.load(dy + off + <usize>j * 4);
          if (act >= 0) v = vgrad(act, v128.load(y + off + <usize>j * 4), v);
          v128.store(d + <usize>j * 4, v);
          sum = f32x4.add(sum, v);
        }
        for (; j < ow; j++) {
          let v = f32x4.splat(load<f32>(dy + off + <usize>j * 4));
          if (act >= 0) v = vgrad(act, f32x4.splat(load<f32>(y + off + <usize>j * 4)), v);
          store<f32>(d + <usize>j * 4, f32x4.extract_lane(v, 0));
          sum = f32x4.replace_lane(sum, 0, f32x4.extract_lane(sum, 0) + f32x4.extract_lane(v, 0));
        }
      }
      if (db != 0) store<f32>(db + <usize>oc * 4, load<f32>(db + <usize>oc * 4) + hsum(sum));
    }
    for (let op = 0; op < o2; op += 2) {
      const d0p = dyp + <usize>(op * L) * 4, d1p = d0p + <usize>L * 4;
      for (let ci = 0; ci < c; ci++) for (let ki = 0; ki < kh; ki++) {
        // The taps of one kernel row share a base address: their loads differ by immediate offsets.
        const xr = planes + <usize>ci * planeBytes + <usize>(ki * PW) * 4;
        const accp = vacc + <usize>(((op >> 1) * taps) + (ci * kh + ki) * kw) * 32;
        let kj = 0;
        for (; kj + 4 <= kw; kj += 4) {
          const x0 = xr + <usize>kj * 4;
          let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00;
          let a10 = a00, a11 = a00, a12 = a00, a13 = a00;
          for (let i = 0; i < nv; i++) {
            const q = <usize>i * 16;
            const d0 = v128.load(d0p + q), d1 = v128.load(d1p + q);
            const xq = x0 + q;
            let xv = v128.load(xq);
            a00 = madd(d0, xv, a00); a10 = madd(d1, xv, a10);
            xv = v128.load(xq, 4);
            a01 = madd(d0, xv, a01); a11 = madd(d1, xv, a11);
            xv = v128.load(xq, 8);
            a02 = madd(d0, xv, a02); a12 = madd(d1, xv, a12);
            xv = v128.load(xq, 12);
            a03 = madd(d0, xv, a03); a13 = madd(d1, xv, a13);
          }
          const a = accp + <usize>kj * 32;
          v128.store(a, f32x4.add(v128.load(a), a00)); v128.store(a, f32x4.add(v128.load(a, 16), a10), 16);
          v128.store(a, f32x4.add(v128.load(a, 32), a01), 32); v128.store(a, f32x4.add(v128.load(a, 48), a11), 48);
          v128.store(a, f32x4.add(v128.load(a, 64), a02), 64); v128.store(a, f32x4.add(v128.load(a, 80), a12), 80);
          v128.store(a, f32x4.add(v128.load(a, 96), a03), 96); v128.store(a, f32x4.add(v128.load(a, 112), a13), 112);
        }
        for (; kj < kw; kj++) {
          // One tap: two vectors per step keep four accumulators busy.
          const x0 = xr + <usize>kj * 4;
          let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00;
          let i = 0;
          for (; i + 2 <= nv; i += 2) {
            const q = <usize>i * 16;
            const xa = v128.load(x0 + q), xb = v128.load(x0 + q, 16);
            a00 = madd(v128.load(d0p + q), xa, a00); a10 = madd(v128.load(d1p + q), xa, a10);
            a01 = madd(v128.load(d0p + q, 16), xb, a01); a11 = madd(v128.load(d1p + q, 16), xb, a11);
          }
          if (i < nv) {
            const q = <usize>i * 16, xa = v128.load(x0 + q);
            a00 = madd(v128.load(d0p + q), xa, a00); a10 = madd(v128.load(d1p + q), xa, a10);
          }
          const a = accp + <usize>kj * 32;
          v128.store(a, f32x4.add(v128.load(a), f32x4.add(a00, a01)));
          v128.store(a, f32x4.add(v128.load(a, 16), f32x4.add(a10, a11)), 16);
        }
      }
    }
  }
  // dw[o, t] += the lanes of vacc[o / 2][t][o % 2].
  for (let oc = 0; oc < o; oc++) {
    for (let t = 0; t < taps; t++) {
      const q = dw + <usize>(oc * taps + t) * 4;
      store<f32>(q, load<f32>(q) + hsum(v128.load(vacc + <usize>(((oc >> 1) * taps + t) * 2 + (oc & 1)) * 16)));
    }
  }
}
