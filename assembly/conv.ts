// Convolution (NCHW input, OIHW weight) as im2col + SGEMM over a few images at a time, so the column
// buffer stays cache-sized and threads can split the batch.
// Geometry is the convolution block at `gp` (src/backend/wasm/abi.ts: CONV_*), with CONV_NB:
// how many images share one GEMM (small feature maps make per-image GEMMs too narrow to run well).
import { CONV_C, CONV_DH, CONV_DW, CONV_GROUPS, CONV_H, CONV_KH, CONV_KW, CONV_NB, CONV_O, CONV_OH, CONV_OW, CONV_PH, CONV_PW, CONV_SH, CONV_SW, CONV_W } from '../src/backend/wasm/abi';
import { sgemm } from './gemm';
import { activationForward } from './elementwise';

// @ts-ignore: decorator
@inline export function gi(gp: usize, i: i32): i32 { return load<i32>(gp + <usize>(i * 4)); }

// True when im2col would be the identity (1x1, stride 1, no padding): the input plane is already the column matrix.
function isPointwise(gp: usize): bool {
  return gi(gp, CONV_KH) == 1 && gi(gp, CONV_KW) == 1 && gi(gp, CONV_SH) == 1 && gi(gp, CONV_SW) == 1
    && gi(gp, CONV_PH) == 0 && gi(gp, CONV_PW) == 0;
}

// Inline copy/zero for the short rows of im2col: memory.copy/fill are engine calls whose fixed cost
// exceeds the work for rows of a few dozen floats.
// @ts-ignore: decorator
@inline function copyF32(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + <usize>i * 4, v128.load(s + <usize>i * 4));
  for (; i < n; i++) store<f32>(d + <usize>i * 4, load<f32>(s + <usize>i * 4));
}

// @ts-ignore: decorator
@inline function zeroF32(d: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + <usize>i * 4, z);
  for (; i < n; i++) store<f32>(d + <usize>i * 4, 0);
}

// col[(c*kh + ki)*kw + kj, oy*ow + ox] = x[c, oy*sh - ph + ki*dh, ox*sw - pw + kj*dw] (0 outside);
// rows are `ld` floats apart so several images can sit side by side in one column matrix.
function im2col(gp: usize, cg: i32, x: usize, col: usize, ld: i32): void {
  const h = gi(gp, CONV_H), w = gi(gp, CONV_W), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW), oh = gi(gp, CONV_OH), ow = gi(gp, CONV_OW);
  const sh = gi(gp, CONV_SH), sw = gi(gp, CONV_SW), ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), dh = gi(gp, CONV_DH), dw = gi(gp, CONV_DW);
  let d = col;
  const skip = <usize>(ld - oh * ow) * 4;
  for (let c = 0; c < cg; c++) {
    const xc = x + <usize>(c * h * w) * 4;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const xoff = kj * dw - pw;
        // Valid ox range: 0 <= ox*sw + xoff < w.
        let lo = 0;
        if (xoff < 0) lo = (-xoff + sw - 1) / sw;
        let hi = ow;
        if (w - xoff <= 0) hi = 0; else hi = min(ow, (w - xoff + sw - 1) / sw);
        if (lo > hi) lo = hi;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) { zeroF32(d, ow); d += <usize>ow * 4; continue; }
          const xr = xc + <usize>(iy * w) * 4;
          if (lo > 0) zeroF32(d, lo);
          if (sw == 1) {
            copyF32(d + <usize>lo * 4, xr + <usize>(lo + xoff) * 4, hi - lo);
          } else {
            let s = xr + <usize>(lo * sw + xoff) * 4;
            const step = <usize>sw * 4;
            for (let ox = lo; ox < hi; ox++) { store<f32>(d + <usize>ox * 4, load<f32>(s)); s += step; }
          }
          if (hi < ow) zeroF32(d + <usize>hi * 4, ow - hi);
          d += <usize>ow * 4;
        }
        d += skip;
      }
    }
  }
}

// Scatter-add of a column matrix back onto the (pre-zeroed) input plane; the adjoint of im2col.
function col2im(gp: usize, cg: i32, col: usize, x: usize, ld: i32): void {
  const h = gi(gp, CONV_H), w = gi(gp, CONV_W), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW), oh = gi(gp, CONV_OH), ow = gi(gp, CONV_OW);
  const sh = gi(gp, CONV_SH), sw = gi(gp, CONV_SW), ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), dh = gi(gp, CONV_DH), dw = gi(gp, CONV_DW);
  let d = col;
  const skip = <usize>(ld - oh * ow) * 4;
  for (let c = 0; c < cg; c++) {
    const xc = x + <usize>(c * h * w) * 4;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const xoff = kj * dw - pw;
        let lo = 0;
        if (xoff < 0) lo = (-xoff + sw - 1) / sw;
        let hi = ow;
        if (w - xoff <= 0) hi = 0; else hi = min(ow, (w - xoff + sw - 1) / sw);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy >= 0 && iy < h) {
            const xr = xc + <usize>(iy * w) * 4;
            if (sw == 1) {
              let ox = lo;
              for (; ox + 4 <= hi; ox += 4) {
                const p = xr + <usize>(ox + xoff) * 4;
                v128.store(p, f32x4.add(v128.load(p), v128.load(d + <usize>ox * 4)));
              }
              for (; ox < hi; ox++) {
                const p = xr + <usize>(ox + xoff) * 4;
                store<f32>(p, load<f32>(p) + load<f32>(d + <usize>ox * 4));
              }
            } else {
              for (let ox = lo; ox < hi; ox++) {
                const p = xr + <usize>(ox * sw + xoff) * 4;
                store<f32>(p, load<f32>(p) + load<f32>(d + <usize>ox * 4));
              }
            }
          }
          d += <usize>ow * 4;
        }
        d += skip;
      }
    }
  }
}

// Per-thread scratch layout: column matrix [kk, nb*P] | staging matrix [og, nb*P] | GEMM packing.
// The TypeScript side sizes it with the same formula (WasmBackend.convSetup in backend.ts).
// @ts-ignore: decorator
@inline export function align64(p: usize): usize { return (p + 63) & ~(<usize>63); }

// Copies rows of an [og, nb*P] staging matrix to/from nb NCHW images (channel offset g*og), optionally adding bias.
function stage(toImages: bool, st: usize, img: usize, og: i32, nb: i32, p: i32, imgStride: usize, bias: usize): void {
  const n = nb * p;
  for (let r = 0; r < og; r++) {
    const bv: f32 = bias != 0 ? load<f32>(bias + <usize>r * 4) : 0;
    const vb = f32x4.splat(bv);
    for (let bi = 0; bi < nb; bi++) {
      const s = st + <usize>(r * n + bi * p) * 4;
      const d = img + <usize>bi * imgStride + <usize>(r * p) * 4;
      if (!toImages) { copyF32(s, d, p); continue; }
      let j = 0;
      for (; j + 4 <= p; j += 4) v128.store(d + <usize>j * 4, f32x4.add(v128.load(s + <usize>j * 4), vb));
      for (; j < p; j++) store<f32>(d + <usize>j * 4, load<f32>(s + <usize>j * 4) + bv);
    }
  }
}

/**
 * y[b] = act(conv(x[b], w) (+ bias)) for images b in [b0, b1); x NCHW, w OIHW, y [n,o,oh,ow]; bias
 * may be 0; `act` as activationForward's codes (-1: none), applied to each block of images while it
 * is still in cache.
 */
export function conv2dForward(gp: usize, b0: i32, b1: i32, x: usize, w: usize, bias: usize, y: usize, scratch: usize, act: i32): void {
  const c = gi(gp, CONV_C), h = gi(gp, CONV_H), wd = gi(gp, CONV_W), o = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW);
  const p = gi(gp, CONV_OH) * gi(gp, CONV_OW), groups = gi(gp, CONV_GROUPS), nbMax = gi(gp, CONV_NB);
  const cg = c / groups, og = o / groups, kk = cg * kh * kw;
  const point = isPointwise(gp) && nbMax == 1;
  const xStride = <usize>(c * h * wd) * 4, yStride = <usize>(o * p) * 4;
  const col = align64(scratch);
  const st = align64(col + <usize>(kk * nbMax * p) * 4);
  const gs = align64(st + <usize>(og * nbMax * p) * 4);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), n = nb * p;
    for (let g = 0; g < groups; g++) {
      const xg = x + <usize>b * xStride + <usize>(g * cg * h * wd) * 4;
      const yg = y + <usize>b * yStride + <usize>(g * og * p) * 4;
      const wg = w + <usize>(g * og * kk) * 4;
      const bg = bias != 0 ? bias + <usize>(g * og) * 4 : 0;
      let src = xg;
      if (!point) {
        for (let bi = 0; bi < nb; bi++) im2col(gp, cg, xg + <usize>bi * xStride, col + <usize>(bi * p) * 4, n);
        src = col;
      }
      if (nb > 1) {
        // Small images: one wide GEMM over nb images, then scatter rows into NCHW with the bias.
        sgemm(0, 0, og, n, kk, 1, wg, kk, src, n, 0, st, n, gs);
        stage(true, st, yg, og, nb, p, yStride, bg);
        continue;
      }
      // The bias is added after the products, as stage() does for blocks of images: every image
      // then gets the same rounding whatever block it falls in (the cut of the batch depends on
      // the thread count; the results must not).
      sgemm(0, 0, og, p, kk, 1, wg, kk, src, p, 0, yg, p, gs);
      if (bg != 0) {
        for (let r = 0; r < og; r++) {
          const bv = load<f32>(bg + <usize>r * 4), v = f32x4.splat(bv);
          const row = yg + <usize>(r * p) * 4;
          let j = 0;
          for (; j + 4 <= p; j += 4) v128.store(row + <usize>j * 4, f32x4.add(v128.load(row + <usize>j * 4), v));
          for (; j < p; j++) store<f32>(row + <usize>j * 4, load<f32>(row + <usize>j * 4) + bv);
        }
      }
    }
    if (act >= 0) {
      const yb = y + <usize>b * yStride;
      activationForward(act, yb, yb, nb * o * p);
    }
  }
}

/** dx[b] = conv-transpose(dy[b], w) for images b in [b0, b1); dx [n,c,h,w] is overwritten. */
export function conv2dBackwardInput(gp: usize, b0: i32, b1: i32, dy: usize, w: usize, dx: usize, scratch: usize): void {
  const c = gi(gp, CONV_C), h = gi(gp, CONV_H), wd = gi(gp, CONV_W), o = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW);
  const p = gi(gp, CONV_OH) * gi(gp, CONV_OW), groups = gi(gp, CONV_GROUPS), nbMax = gi(gp, CONV_NB);
  const cg = c / groups, og = o / groups, kk = cg * kh * kw;
  const point = isPointwise(gp) && nbMax == 1;
  const xStride = <usize>(c * h * wd) * 4, yStride = <usize>(o * p) * 4;
  const col = align64(scratch);
  const st = align64(col + <usize>(kk * nbMax * p) * 4);
  const gs = align64(st + <usize>(og * nbMax * p) * 4);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), n = nb * p;
    for (let g = 0; g < groups; g++) {
      const dxg = dx + <usize>b * xStride + <usize>(g * cg * h * wd) * 4;
      const dyg = dy + <usize>b * yStride + <usize>(g * og * p) * 4;
      const wg = w + <usize>(g * og * kk) * 4;
      if (point) {
        sgemm(1, 0, kk, p, og, 1, wg, kk, dyg, p, 0, dxg, p, gs);
        continue;
      }
      let src = dyg;
      if (nb > 1) { stage(false, st, dyg, og, nb, p, yStride, 0); src = st; }
      sgemm(1, 0, kk, n, og, 1, wg, kk, src, n, 0, col, n, gs);
      for (let bi = 0; bi < nb; bi++) {
        const dxi = dxg + <usize>bi * xStride;
        memory.fill(dxi, 0, <usize>(cg * h * wd) * 4);
        col2im(gp, cg, col + <usize>(bi * p) * 4, dxi, n);
      }
    }
  }
}

/** dw += sum over images b in [b0, b1) of dy[b] @ im2col(x[b])^T; dw [o, c/groups, kh, kw] must be pre-zeroed. */
export function conv2dBackwardWeight(gp: usize, b0: i32, b1: i32, x: usize, dy: usize, dw: usize, scratch: usize): void {
  const c = gi(gp, CONV_C), h = gi(gp, CONV_H), wd = gi(gp, CONV_W), o = gi(gp, CONV_O), kh = gi(gp, CONV_KH), kw = gi(gp, CONV_KW);
  const p = gi(gp, CONV_OH) * gi(gp, CONV_OW), groups = gi(gp, CONV_GROUPS), nbMax = gi(gp, CONV_NB);
  const cg = c / groups, og = o / groups, kk = cg * kh * kw;
  const point = isPointwise(gp) && nbMax == 1;
  const xStride = <usize>(c * h * wd) * 4, yStride = <usize>(o * p) * 4;
  const col = align64(scratch);
  const st = align64(col + <usize>(kk * nbMax * p) * 4);
  const gs = align64(st + <usize>(og * nbMax * p) * 4);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), n = nb * p;
    for (let g = 0; g < groups; g++) {
      const xg = x + <usize>b * xStride + <usize>(g * cg * h * wd) * 4;
      const dyg = dy + <usize>b * yStride + <usize>(g * og * p) * 4;
      let src = xg;
      if (!point) {
        for (let bi = 0; bi < nb; bi++) im2col(gp, cg, xg + <usize>bi * xStride, col + <usize>(bi * p) * 4, n);
        src = col;
      }
      let dsrc = dyg;
      if (nb > 1) { stage(false, st, dyg, og, nb, p, yStride, 0); dsrc = st; }
      sgemm(0, 1, og, kk, n, 1, dsrc, n, src, n, 1, dw + <usize>(g * og * kk) * 4, kk, gs);
    }
  }
}

/** dst[i] = sum_t src[t*stride + i] for i in [i0, i1), t < count: reduces per-thread partial gradients. */
export function sumPartials(dst: usize, src: usize, strideFloats: i32, count: i32, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    let acc = f32x4.splat(0);
    for (let t = 0; t < count; t++) acc = f32x4.add(acc, v128.load(src + (<usize>t * <usize>strideFloats + <usize>i) * 4));
    v128.store(dst + <usize>i * 4, acc);
  }
  for (; i < i1; i++) {
    let acc: f32 = 0;
    for (let t = 0; t < count; t++) acc += load<f32>(src + (<usize>t * <usize>strideFloats + <usize>i) * 4);
    store<f32>(dst + <usize>i * 4, acc);
  }
}
