/**
 * Reference convolution kernels (NCHW input, OIHW weight) as im2col + GEMM, the textbook
 * lowering: each image/group is unfolded into a [cg*kh*kw, oh*ow] column matrix so the
 * convolution becomes one matrix product, and both gradients are matrix products too.
 */
import type { Conv2dGeometry } from '../backend.js';
import { gemm } from './gemm.js';

/** Rows of the column matrix for one group: cg * kh * kw. */
function colRows(g: Conv2dGeometry): number {
  return (g.c / g.groups) * g.kh * g.kw;
}

/**
 * Unfold channels [c0, c0 + cg) of image `xOff` into col [cg*kh*kw, oh*ow]; padding reads as 0.
 * Row r = (ci, ki, kj) holds, for every output pixel, the input value under kernel tap (ki, kj).
 */
export function im2col(g: Conv2dGeometry, x: Float32Array, xOff: number, col: Float32Array): void {
  const cg = g.c / g.groups, L = g.oh * g.ow;
  let row = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = xOff + ci * g.h * g.w;
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, row++) {
        const dst = row * L;
        for (let oy = 0; oy < g.oh; oy++) {
          const iy = oy * g.strideH - g.padH + ki * g.dilationH;
          const d = dst + oy * g.ow;
          if (iy < 0 || iy >= g.h) { col.fill(0, d, d + g.ow); continue; }
          const src = plane + iy * g.w;
          for (let ox = 0; ox < g.ow; ox++) {
            const ix = ox * g.strideW - g.padW + kj * g.dilationW;
            col[d + ox] = ix >= 0 && ix < g.w ? x[src + ix]! : 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: add every column entry back onto the input pixel it was read from. */
export function col2im(g: Conv2dGeometry, col: Float32Array, dx: Float32Array, dxOff: number): void {
  const cg = g.c / g.groups, L = g.oh * g.ow;
  let row = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = dxOff + ci * g.h * g.w;
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, row++) {
        const src = row * L;
        for (let oy = 0; oy < g.oh; oy++) {
          const iy = oy * g.strideH - g.padH + ki * g.dilationH;
          if (iy < 0 || iy >= g.h) continue;
          const s = src + oy * g.ow, dst = plane + iy * g.w;
          for (let ox = 0; ox < g.ow; ox++) {
            const ix = ox * g.strideW - g.padW + kj * g.dilationW;
            if (ix >= 0 && ix < g.w) dx[dst + ix] += col[s + ox]!;
          }
        }
      }
    }
  }
}

/** Offsets of image n / group gi in x, y and w. */
function offsets(g: Conv2dGeometry, n: number, gi: number): { x: number; y: number; w: number } {
  const cg = g.c / g.groups, og = g.o / g.groups, L = g.oh * g.ow;
  return {
    x: (n * g.c + gi * cg) * g.h * g.w,
    y: (n * g.o + gi * og) * L,
    w: gi * og * colRows(g),
  };
}

/** y[n, o, oh, ow] = sum over (ci, ki, kj) of w * x (+ bias[o]): per image and group, y_g = W_g @ col. */
export function conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const og = g.o / g.groups, K = colRows(g), L = g.oh * g.ow;
  const col = new Float32Array(K * L);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const off = offsets(g, n, gi);
      im2col(g, x, off.x, col);
      gemm(false, false, og, L, K, 1, w, off.w, col, 0, 0, y, off.y);
    }
    if (bias !== null) {
      for (let o = 0; o < g.o; o++) {
        const b = bias[o]!, base = (n * g.o + o) * L;
        for (let i = 0; i < L; i++) y[base + i] += b;
      }
    }
  }
}

/** dx = col2im(W_gᵀ @ dY_g) per image and group; dx is overwritten. */
export function conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const og = g.o / g.groups, K = colRows(g), L = g.oh * g.ow;
  const col = new Float32Array(K * L);
  dx.fill(0, 0, g.n * g.c * g.h * g.w);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const off = offsets(g, n, gi);
      gemm(true, false, K, L, og, 1, w, off.w, dy, off.y, 0, col, 0);
      col2im(g, col, dx, off.x);
    }
  }
}

/**
 * dw_g = sum over images of dY_g @ col_gᵀ (a convolution of x with dy); dw is overwritten.
 * db (when given) = dy summed per channel over images and output pixels, in double precision.
 */
export function conv2dBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array,
                                     db: Float32Array | null = null): void {
  if (db) biasGrad(g, dy, db);
  const og = g.o / g.groups, K = colRows(g), L = g.oh * g.ow;
  const col = new Float32Array(K * L);
  dw.fill(0, 0, g.o * K);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.groups; gi++) {
      const off = offsets(g, n, gi);
      im2col(g, x, off.x, col);
      gemm(false, true, og, K, L, 1, dy, off.y, col, 0, 1, dw, off.w);
    }
  }
}

/** db[o] = sum of dy[n, o, :, :] over images and pixels (float64 accumulation). */
function biasGrad(g: Conv2dGeometry, dy: Float32Array, db: Float32Array): void {
  const p = g.oh * g.ow;
  for (let o = 0; o < g.o; o++) {
    let acc = 0;
    for (let n = 0; n < g.n; n++) {
      const base = (n * g.o + o) * p;
      for (let k = 0; k < p; k++) acc += dy[base + k]!;
    }
    db[o] = acc;
  }
}
