/**
 * Reference pooling kernels (NCHW), one [h, w] plane at a time. Window bounds follow PyTorch's
 * CPU kernels exactly, including the ceil-mode windows that hang past the padded input.
 */
import type { Pool2dGeometry } from '../backend.js';

/** Start of output window o along one axis (may be negative: left padding). */
const start = (o: number, stride: number, pad: number): number => o * stride - pad;

/** Max pooling: padding acts as -inf, NaN propagates (like PyTorch); argmax is the flat index in the plane. */
export function maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  if ((g.dilationH ?? 1) !== 1 || (g.dilationW ?? 1) !== 1) { maxPool2dDilated(g, x, y, argmax); return; }
  for (let p = 0; p < planes; p++) {
    const xo = p * hw, yo = p * ohw;
    for (let oy = 0; oy < g.oh; oy++) {
      const y0 = start(oy, g.strideH, g.padH);
      const ya = Math.max(y0, 0), yb = Math.min(y0 + g.kh, g.h);
      for (let ox = 0; ox < g.ow; ox++) {
        const x0 = start(ox, g.strideW, g.padW);
        const xa = Math.max(x0, 0), xb = Math.min(x0 + g.kw, g.w);
        let best = -Infinity, arg = -1;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const v = x[xo + iy * g.w + ix]!;
            // PyTorch's rule: a later NaN replaces an earlier one, so NaN wins the window.
            if (v > best || Number.isNaN(v) || arg < 0) { best = v; arg = iy * g.w + ix; }
          }
        }
        y[yo + oy * g.ow + ox] = best;
        argmax[yo + oy * g.ow + ox] = arg;
      }
    }
  }
}

/** maxPool2d with dilated windows: taps dilation apart, in PyTorch's row-major order. */
function maxPool2dDilated(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow, dh = g.dilationH ?? 1, dw = g.dilationW ?? 1;
  for (let p = 0; p < planes; p++) {
    const xo = p * hw, yo = p * ohw;
    for (let oy = 0; oy < g.oh; oy++) {
      const y0 = start(oy, g.strideH, g.padH);
      for (let ox = 0; ox < g.ow; ox++) {
        const x0 = start(ox, g.strideW, g.padW);
        let best = -Infinity, arg = -1;
        for (let ki = 0; ki < g.kh; ki++) {
          const iy = y0 + ki * dh;
          if (iy < 0 || iy >= g.h) continue;
          for (let kj = 0; kj < g.kw; kj++) {
            const ix = x0 + kj * dw;
            if (ix < 0 || ix >= g.w) continue;
            const v = x[xo + iy * g.w + ix]!;
            if (v > best || Number.isNaN(v) || arg < 0) { best = v; arg = iy * g.w + ix; }
          }
        }
        y[yo + oy * g.ow + ox] = best;
        argmax[yo + oy * g.ow + ox] = arg;
      }
    }
  }
}

/** dx is overwritten: each dy goes to the input pixel that won its window. */
export function maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  dx.fill(0, 0, planes * hw);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < ohw; i++) {
      const a = argmax[p * ohw + i]!;
      if (a >= 0) dx[p * hw + a] += dy[p * ohw + i]!;
    }
  }
}

/**
 * Window of output (oy, ox) clipped to the input, and its divisor. PyTorch clips the window to
 * the padded input first (ceil-mode windows can overhang it), which is the countIncludePad divisor.
 */
function avgWindow(g: Pool2dGeometry, oy: number, ox: number): [number, number, number, number, number] {
  let y0 = start(oy, g.strideH, g.padH), x0 = start(ox, g.strideW, g.padW);
  let y1 = Math.min(y0 + g.kh, g.h + g.padH), x1 = Math.min(x0 + g.kw, g.w + g.padW);
  const padded = (y1 - y0) * (x1 - x0);
  y0 = Math.max(y0, 0); x0 = Math.max(x0, 0);
  y1 = Math.min(y1, g.h); x1 = Math.min(x1, g.w);
  const div = g.countIncludePad ? padded : (y1 - y0) * (x1 - x0);
  return [y0, y1, x0, x1, div];
}

/** Average pooling forward. */
export function avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const [y0, y1, x0, x1, div] = avgWindow(g, oy, ox);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) {
          const row = p * hw + iy * g.w;
          for (let ix = x0; ix < x1; ix++) s += x[row + ix]!;
        }
        y[p * ohw + oy * g.ow + ox] = div > 0 ? s / div : 0;
      }
    }
  }
}

/** Average pooling backward; dx is overwritten. */
export function avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  dx.fill(0, 0, planes * hw);
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const [y0, y1, x0, x1, div] = avgWindow(g, oy, ox);
        if (div <= 0) continue;
        const v = dy[p * ohw + oy * g.ow + ox]! / div;
        for (let iy = y0; iy < y1; iy++) {
          const row = p * hw + iy * g.w;
          for (let ix = x0; ix < x1; ix++) dx[row + ix] += v;
        }
      }
    }
  }
}
