// WasmBackend convolution (forward, input and weight gradients) and pooling against float64 naive
// loops over a grid of strides, paddings, dilations, groups and kernel sizes; both builds, 1 and 2 threads.
import { after, describe, it } from 'node:test';
import type { ActivationOp, Conv2dGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import assert from 'node:assert/strict';
import { refBackend } from '../../src/backend/ref/index.js';
// The reference has no fused kernels: these run its primitives composed (the tensor layer's default).
import { conv2dBackward, conv2dFused } from '../../src/tensor/ops/conv-fused.js';
import { WasmBackend, directForwardEligible, winogradTile } from '../../src/backend/wasm/index.js';
import { randArray, wasmConfigs as configs, assertCloseScaled as assertClose } from '../helpers/wasm.js';

/** Geometry with output size derived PyTorch-style. */
function convGeom(n: number, c: number, h: number, w: number, o: number, k: number, s: number, p: number, d: number,
                  groups: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * p - d * (k - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * p - d * (k - 1) - 1) / s) + 1;
  return { n, c, h, w, o, kh: k, kw: k, oh, ow, strideH: s, strideW: s, padH: p, padW: p,
           dilationH: d, dilationW: d, groups };
}

// Visits every (input index, weight index, output index) triple of the convolution once.
function forEachTap(g: Conv2dGeometry, f: (xi: number, wi: number, yi: number) => void): void {
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let b = 0; b < g.n; b++) for (let o = 0; o < g.o; o++) {
    const grp = Math.floor(o / og);
    for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
      const yi = ((b * g.o + o) * g.oh + oy) * g.ow + ox;
      for (let c = 0; c < cg; c++) for (let ki = 0; ki < g.kh; ki++) {
        const iy = oy * g.strideH - g.padH + ki * g.dilationH;
        if (iy < 0 || iy >= g.h) continue;
        for (let kj = 0; kj < g.kw; kj++) {
          const ix = ox * g.strideW - g.padW + kj * g.dilationW;
          if (ix < 0 || ix >= g.w) continue;
          f(((b * g.c + grp * cg + c) * g.h + iy) * g.w + ix, ((o * cg + c) * g.kh + ki) * g.kw + kj, yi);
        }
      }
    }
  }
}

const cases: Conv2dGeometry[] = [];
for (const k of [1, 3, 5, 7, 11]) for (const s of [1, 2, 4]) for (const p of [0, 1, 2, 3]) for (const d of [1, 2]) {
  const ek = d * (k - 1) + 1;
  const h = Math.max(ek - 2 * p, 1) + 4, w = h + 1;
  // Cycle the group structure so every (k, s, p, d) meets one of: dense, 2 groups, depthwise x2 multiplier.
  const variant = (k + s + p + d) % 3;
  const [c, o, groups] = variant === 0 ? [3, 5, 1] : variant === 1 ? [4, 6, 2] : [4, 8, 4];
  cases.push(convGeom(3, c, h, w, o, k, s, p, d, groups));
}
cases.push(convGeom(2, 8, 6, 7, 5, 1, 1, 0, 1, 1)); // pointwise: im2col skipped
cases.push(convGeom(1, 1, 28, 28, 6, 5, 1, 2, 1, 1)); // LeNet conv1, batch 1
cases.push(convGeom(2, 16, 9, 9, 16, 3, 1, 1, 1, 16)); // depthwise
// Single input channel, stride 1, dilation 1: the direct kernels (conv-direct.ts). Output widths
// that are and are not multiples of 8 and 4, channel counts that leave 0-3 of a 4-channel block,
// kernels whose width is and is not a multiple of 4, several images per thread.
{
  let i = 0;
  for (const k of [1, 2, 3, 4, 5, 7]) for (const p of [0, 1, 3]) {
    if (2 * p >= k + 2) continue;
    const o = [1, 3, 4, 6, 9][i % 5]!, h = k + 3 + (i % 4), w = k + 5 + 3 * (i % 5);
    i++;
    cases.push(convGeom(3, 1, h, w, o, k, 1, p, 1, 1));
  }
  const g = convGeom(4, 1, 12, 19, 5, 3, 1, 1, 1, 1);
  cases.push({ ...g, kh: 2, kw: 5, oh: g.h + 2 - 2 + 1, ow: g.w + 2 - 5 + 1 }); // non-square kernel
}

// Winograd F(2x2, 3x3) (winograd.ts): 3x3, stride 1, >= 8 channels on each side. Paddings 0-2, odd
// and even map sizes (ragged last tiles), rows of 1-10 tiles (the 4-tile SIMD groups and the scalar
// tail), several images per block of tiles, fewer output than input channels and the reverse.
const winogradCases = [convGeom(3, 8, 8, 8, 8, 3, 1, 1, 1, 1), convGeom(2, 9, 11, 13, 10, 3, 1, 1, 1, 1),
  convGeom(2, 8, 10, 18, 12, 3, 1, 0, 1, 1), convGeom(2, 12, 7, 9, 8, 3, 1, 2, 1, 1),
  convGeom(5, 16, 6, 6, 16, 3, 1, 1, 1, 1), convGeom(2, 8, 19, 20, 9, 3, 1, 1, 1, 1), convGeom(3, 24, 4, 4, 8, 3, 1, 1, 1, 1),
  // 3x3 maps: F(3x3, 3x3) (winograd3.ts) at any channel count, one tile per image.
  convGeom(3, 8, 3, 3, 8, 3, 1, 1, 1, 1), convGeom(2, 12, 3, 3, 9, 3, 1, 1, 1, 1)];
cases.push(...winogradCases);
// The direct forward kernel (directForward in conv-direct.ts; the c = 1 cases above take it too) and,
// where the padding keeps the maps the same size, the input gradient through it: 3- and 4-channel
// blocks (the last one partly empty), output rows of 3, 10, 11 and 13 pixels (row tails paired
// across rows, an odd last row, a 5-pixel tail), non-square kernels and paddings.
const directCases = [convGeom(2, 6, 9, 11, 5, 3, 1, 1, 1, 1), convGeom(3, 4, 10, 13, 8, 5, 1, 2, 1, 1),
  convGeom(2, 3, 7, 9, 7, 5, 1, 2, 1, 1), convGeom(2, 6, 14, 14, 16, 5, 1, 0, 1, 1), convGeom(1, 9, 5, 3, 6, 3, 1, 1, 1, 1)];
{
  const g = convGeom(2, 6, 8, 15, 9, 3, 1, 1, 1, 1);
  directCases.push({ ...g, kw: 5, padW: 2, ow: 15 });
}
cases.push(...directCases);

const label = (g: Conv2dGeometry): string =>
  `n${g.n} c${g.c} ${g.h}x${g.w} o${g.o} k${g.kh} s${g.strideH} p${g.padH} d${g.dilationH} g${g.groups}`;

// PyTorch's output size; with ceilMode a last partial window counts if it starts inside the input or left padding.
function poolOut(len: number, k: number, s: number, p: number, ceil: boolean): number {
  let o = (ceil ? Math.ceil((len + 2 * p - k) / s) : Math.floor((len + 2 * p - k) / s)) + 1;
  if (ceil && (o - 1) * s >= len + p) o--;
  return o;
}

function poolGeom(n: number, c: number, h: number, w: number, k: number, s: number, p: number, incl: boolean, ceil = false): Pool2dGeometry {
  const oh = poolOut(h, k, s, p, ceil), ow = poolOut(w, k, s, p, ceil);
  return { n, c, h, w, oh, ow, kh: k, kw: k, strideH: s, strideW: s, padH: p, padW: p, countIncludePad: incl };
}

// Naive pooling windows: calls f(plane, outIndex, window positions as flat h*w indices, divisor).
function forEachWindow(g: Pool2dGeometry, f: (q: number, yi: number, taps: number[], div: number) => void): void {
  for (let q = 0; q < g.n * g.c; q++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    const y0 = oy * g.strideH - g.padH, x0 = ox * g.strideW - g.padW;
    const taps: number[] = [];
    for (let iy = y0; iy < y0 + g.kh; iy++) for (let ix = x0; ix < x0 + g.kw; ix++) {
      if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) taps.push(iy * g.w + ix);
    }
    const div = g.countIncludePad
      ? (Math.min(y0 + g.kh, g.h + g.padH) - y0) * (Math.min(x0 + g.kw, g.w + g.padW) - x0)
      : taps.length;
    f(q, (q * g.oh + oy) * g.ow + ox, taps, div);
  }
}

const poolCases: Pool2dGeometry[] = [];
for (const k of [2, 3]) for (const s of [1, 2]) for (const p of [0, 1]) for (const incl of [true, false]) {
  if (2 * p > k) continue;
  poolCases.push(poolGeom(2, 3, 7 + s, 8, k, s, p, incl));
}
// Wide rows reach the SIMD interior path (4 outputs at a time), including stride 3 and a ragged end.
poolCases.push(poolGeom(2, 2, 9, 29, 2, 2, 0, true), poolGeom(1, 2, 11, 40, 3, 3, 1, false),
  poolGeom(1, 3, 12, 23, 3, 1, 1, true), poolGeom(2, 2, 8, 19, 2, 2, 1, false),
  // Tiled (stride == kernel, no padding) with leftover rows/columns that no window covers.
  poolGeom(2, 3, 28, 28, 2, 2, 0, true), poolGeom(1, 2, 9, 21, 2, 2, 0, false), poolGeom(1, 2, 10, 11, 3, 3, 0, true),
  // 2x2/2 with fewer than 4 outputs per row (the scalar path of the 2x2 kernels), odd h and w.
  poolGeom(2, 2, 7, 7, 2, 2, 0, true), poolGeom(1, 3, 5, 2, 2, 2, 0, false),
  // ceil_mode: a last window clipped by the input's edge (stride == kernel must not take the tiled path).
  poolGeom(1, 1, 5, 7, 2, 2, 0, false, true), poolGeom(2, 2, 5, 7, 2, 2, 0, true, true),
  poolGeom(1, 2, 10, 23, 3, 3, 0, false, true), poolGeom(1, 2, 9, 26, 3, 2, 1, false, true), poolGeom(1, 1, 8, 8, 3, 2, 1, true, true));

for (const cfg of configs()) {
  describe(`wasm conv/pool ${cfg.flavor} ${cfg.threads}t`, () => {
    const be = new WasmBackend({ ...cfg, parallelMinFlops: 0 });
    // One image per GEMM exercises the unbatched paths (and the pointwise no-im2col path); `be` batches
    // images in every GEMM whose maps are small, including the weight gradient.
    const be1 = new WasmBackend({ ...cfg, parallelMinFlops: 0, convTargetN: 1, convWeightTargetN: 1 });
    // F(3x3, 3x3) wherever its tiles cover 3/4 of the map (by default only from 256 channels), with
    // one image per block of tiles.
    const be3 = new WasmBackend({ ...cfg, parallelMinFlops: 0, winograd3MinChannels: 8, winogradTiles: 1 });
    after(() => { be.dispose(); be1.dispose(); be3.dispose(); });

    it('conv2d forward / backward-input / backward-weight match naive loops', () => {
      let seed = 100;
      for (const g of cases) for (const cb of winogradTile(g, 8) === 3 ? [be, be1, be3] : [be, be1]) {
        const xl = g.n * g.c * g.h * g.w, wl = g.o * (g.c / g.groups) * g.kh * g.kw, yl = g.n * g.o * g.oh * g.ow;
        const x = randArray(xl, seed++), w = randArray(wl, seed++), dy = randArray(yl, seed++);
        const bias = seed % 2 === 0 ? randArray(g.o, seed++) : null;
        const y = new Float64Array(yl), ys = new Float64Array(yl);
        const dx = new Float64Array(xl), dxs = new Float64Array(xl);
        const dw = new Float64Array(wl), dws = new Float64Array(wl);
        forEachTap(g, (xi, wi, yi) => {
          y[yi] += x[xi]! * w[wi]!; ys[yi] += Math.abs(x[xi]! * w[wi]!);
          dx[xi] += dy[yi]! * w[wi]!; dxs[xi] += Math.abs(dy[yi]! * w[wi]!);
          dw[wi] += dy[yi]! * x[xi]!; dws[wi] += Math.abs(dy[yi]! * x[xi]!);
        });
        if (bias) {
          const per = g.oh * g.ow;
          for (let i = 0; i < yl; i++) { const b = bias[Math.floor(i / per) % g.o]!; y[i] += b; ys[i] += Math.abs(b); }
        }
        const gy = new Float32Array(yl).fill(Number.NaN);
        cb.conv2d(g, x, w, bias, gy);
        assertClose(gy, y, ys, `conv2d ${label(g)}`);
        const gdx = new Float32Array(xl).fill(Number.NaN);
        cb.conv2dBackwardInput(g, dy, w, gdx);
        assertClose(gdx, dx, dxs, `conv2dBackwardInput ${label(g)}`);
        const gdw = new Float32Array(wl).fill(Number.NaN);
        cb.conv2dBackwardWeight(g, x, dy, gdw);
        assertClose(gdw, dw, dws, `conv2dBackwardWeight ${label(g)}`);
      }
    });

    it('fused conv2d + activation and the one-call conv2dBackward match naive loops', () => {
      const acts: (ActivationOp | undefined)[] = ['sigmoid', 'relu', 'tanh', undefined];
      // Which gradients to ask for, cycled: all, input only, weight only, bias only, weight + bias.
      const wants = [[1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1]] as const;
      let seed = 5000, i = 0;
      for (const g of cases) for (const cb of winogradTile(g, 8) === 3 ? [be, be3] : [be, be1]) {
        const act = acts[i % acts.length], [wx, ww, wb] = wants[i % wants.length]!;
        i++;
        const xl = g.n * g.c * g.h * g.w, wl = g.o * (g.c / g.groups) * g.kh * g.kw, yl = g.n * g.o * g.oh * g.ow;
        const per = g.oh * g.ow;
        const x = randArray(xl, seed++), w = randArray(wl, seed++), gy = randArray(yl, seed++), bias = randArray(g.o, seed++);
        const pre = new Float64Array(yl), pres = new Float64Array(yl);
        forEachTap(g, (xi, wi, yi) => { pre[yi] += x[xi]! * w[wi]!; pres[yi] += Math.abs(x[xi]! * w[wi]!); });
        for (let k = 0; k < yl; k++) { const b = bias[Math.floor(k / per) % g.o]!; pre[k] += b; pres[k] += Math.abs(b); }
        const f = act === 'sigmoid' ? (v: number): number => 1 / (1 + Math.exp(-v))
          : act === 'relu' ? (v: number): number => Math.max(v, 0) : act === 'tanh' ? Math.tanh : (v: number): number => v;
        const y = new Float32Array(yl).fill(Number.NaN);
        if (act === undefined) cb.conv2d(g, x, w, bias, y); else cb.conv2dFused(g, x, w, bias, y, act);
        // The activations' slopes are at most 1, so the pre-activation's error bound carries over.
        assertClose(y, pre.map(f), pres, `conv2d + ${act ?? 'none'} ${label(g)}`);
        // Backward through the backend's own output, as autograd runs it.
        const d = Float64Array.from(gy, (v, k) => {
          const o = y[k]!;
          return act === 'sigmoid' ? v * o * (1 - o) : act === 'relu' ? (o > 0 ? v : 0) : act === 'tanh' ? v * (1 - o * o) : v;
        });
        const dx = new Float64Array(xl), dxs = new Float64Array(xl), dw = new Float64Array(wl), dws = new Float64Array(wl);
        forEachTap(g, (xi, wi, yi) => {
          dx[xi] += d[yi]! * w[wi]!; dxs[xi] += Math.abs(d[yi]! * w[wi]!);
          dw[wi] += d[yi]! * x[xi]!; dws[wi] += Math.abs(d[yi]! * x[xi]!);
        });
        const db = new Float64Array(g.o), dbs = new Float64Array(g.o);
        for (let k = 0; k < yl; k++) { const o = Math.floor(k / per) % g.o; db[o] += d[k]!; dbs[o] += Math.abs(d[k]!); }
        const grads = { dx: wx ? new Float32Array(xl).fill(Number.NaN) : null, dw: ww ? new Float32Array(wl).fill(Number.NaN) : null,
                        db: wb ? new Float32Array(g.o).fill(Number.NaN) : null };
        const gyCopy = gy.slice(), yCopy = y.slice();
        cb.conv2dBackward(g, x, w, gy, grads, act === undefined ? undefined : { op: act, y });
        assert.deepEqual(gy, gyCopy, 'conv2dBackward must not write dy');
        assert.deepEqual(y, yCopy, 'conv2dBackward must not write y');
        const what = `conv2dBackward (${act ?? 'none'}; ${wx ? 'dx ' : ''}${ww ? 'dw ' : ''}${wb ? 'db' : ''}) ${label(g)}`;
        if (grads.dx) assertClose(grads.dx, dx, dxs, `${what}: dx`);
        if (grads.dw) assertClose(grads.dw, dw, dws, `${what}: dw`);
        if (grads.db) assertClose(grads.db, db, dbs, `${what}: db`);
      }
      assert.ok(i >= cases.length * 2, 'every case ran');
    });

    it('max pooling forward/backward with argmax match naive loops', () => {
      let seed = 500;
      for (const g of poolCases) {
        const xl = g.n * g.c * g.h * g.w, yl = g.n * g.c * g.oh * g.ow;
        const x = randArray(xl, seed++), dy = randArray(yl, seed++);
        const y = new Float32Array(yl), am = new Int32Array(yl), dx = new Float64Array(xl);
        forEachWindow(g, (q, yi, taps) => {
          let best = -Infinity, idx = -1;
          for (const t of taps) { const v = x[q * g.h * g.w + t]!; if (idx < 0 || v > best) { best = v; idx = t; } }
          y[yi] = best; am[yi] = idx;
          if (idx >= 0) dx[q * g.h * g.w + idx] += dy[yi]!;
        });
        const gy = new Float32Array(yl), gam = new Int32Array(yl), gdx = new Float32Array(xl).fill(Number.NaN);
        be.maxPool2d(g, x, gy, gam);
        assertClose(gy, y, null, `maxPool2d k${g.kh} s${g.strideH} p${g.padH}`, 0, 0);
        assertClose(gam, am, null, `maxPool2d argmax k${g.kh} s${g.strideH} p${g.padH}`, 0, 0);
        be.maxPool2dBackward(g, dy, gam, gdx);
        assertClose(gdx, dx, null, `maxPool2dBackward k${g.kh} s${g.strideH} p${g.padH}`, 1e-6, 1e-7);
      }
    });

    it('avg pooling forward/backward (count_include_pad both ways) match naive loops', () => {
      let seed = 900;
      for (const g of poolCases) {
        const xl = g.n * g.c * g.h * g.w, yl = g.n * g.c * g.oh * g.ow;
        const x = randArray(xl, seed++), dy = randArray(yl, seed++);
        const y = new Float64Array(yl), dx = new Float64Array(xl);
        forEachWindow(g, (q, yi, taps, div) => {
          let s = 0;
          for (const t of taps) { s += x[q * g.h * g.w + t]!; dx[q * g.h * g.w + t] += dy[yi]! / div; }
          y[yi] = s / div;
        });
        const what = `k${g.kh} s${g.strideH} p${g.padH} incl=${g.countIncludePad}`;
        const gy = new Float32Array(yl), gdx = new Float32Array(xl).fill(Number.NaN);
        be.avgPool2d(g, x, gy);
        assertClose(gy, y, null, `avgPool2d ${what}`, 1e-5, 1e-6);
        be.avgPool2dBackward(g, dy, gdx);
        assertClose(gdx, dx, null, `avgPool2dBackward ${what}`, 1e-5, 1e-6);
      }
    });
  });
}

describe('Winograd eligibility', () => {
  it('takes the 3x3 stride-1 layers of the grid and leaves the rest to im2col', () => {
    for (const g of winogradCases) assert.ok(winogradTile(g) !== 0, `eligible: ${label(g)}`);
    assert.equal(winogradTile(convGeom(2, 8, 3, 3, 8, 3, 1, 1, 1, 1)), 3, '3x3 map: F(3x3)');
    assert.equal(winogradTile(convGeom(2, 8, 6, 6, 8, 3, 1, 1, 1, 1)), 2, 'narrow 6x6: F(2x2)');
    assert.equal(winogradTile(convGeom(2, 256, 6, 6, 256, 3, 1, 1, 1, 1)), 3, 'wide 6x6: F(3x3)');
    assert.equal(winogradTile(convGeom(2, 256, 7, 7, 256, 3, 1, 1, 1, 1)), 2, '7x7 fills 3x3 tiles too little');
    // Ragged F(3x3) tiles (8x8 maps, padding 0 and 2) exist in the grid for be3:
    assert.equal(winogradTile(convGeom(2, 8, 10, 18, 12, 3, 1, 0, 1, 1), 8), 3);
    const no = [convGeom(2, 8, 8, 8, 8, 3, 2, 1, 1, 1), convGeom(2, 8, 8, 8, 8, 3, 1, 1, 2, 1), convGeom(2, 8, 8, 8, 8, 3, 1, 1, 1, 2),
      convGeom(2, 4, 8, 8, 8, 3, 1, 1, 1, 1), convGeom(2, 8, 8, 8, 8, 5, 1, 2, 1, 1), convGeom(2, 8, 8, 8, 8, 3, 1, 3, 1, 1)];
    for (const g of no) assert.equal(winogradTile(g), 0, `not eligible: ${label(g)}`);
  });
});

describe('direct convolution eligibility', () => {
  it('takes LeNet forward convolutions and same-size input gradients, and leaves mostly-empty channel blocks to im2col', () => {
    const fwd = directCases.filter((g) => directForwardEligible(g, false)).length;
    const bwd = directCases.filter((g) => directForwardEligible(g, true)).length;
    assert.ok(fwd >= 4 && bwd >= 3, `the direct test cases reach the kernel (${fwd} forward, ${bwd} input gradient)`);
    assert.ok(directForwardEligible(convGeom(128, 1, 28, 28, 6, 5, 1, 2, 1, 1), false), 'LeNet conv1');
    assert.ok(directForwardEligible(convGeom(128, 6, 14, 14, 16, 5, 1, 0, 1, 1), false), 'LeNet conv2');
    assert.ok(!directForwardEligible(convGeom(128, 6, 14, 14, 16, 5, 1, 0, 1, 1), true), "conv2's input gradient: dy padded by 4 is mostly zeros");
    assert.ok(!directForwardEligible(convGeom(2, 3, 8, 8, 5, 3, 1, 1, 1, 1), false), '5 channels: 3 of 8 rows wasted');
    assert.ok(!directForwardEligible(convGeom(2, 3, 8, 8, 6, 3, 2, 1, 1, 1), false), 'strided');
  });
});

describe('wasm backend agrees with refBackend', () => {
  const be = new WasmBackend({ threads: 2, parallelMinFlops: 0 });
  after(() => be.dispose());
  it('on conv shapes, including LeNet and a ResNet block', () => {
    const shapes = [convGeom(4, 1, 28, 28, 6, 5, 1, 2, 1, 1), convGeom(4, 6, 14, 14, 16, 5, 1, 0, 1, 1),
      convGeom(2, 16, 12, 12, 32, 3, 2, 1, 1, 1), convGeom(2, 8, 9, 9, 8, 3, 1, 2, 2, 4)];
    let seed = 3000;
    for (const g of shapes) {
      const xl = g.n * g.c * g.h * g.w, wl = g.o * (g.c / g.groups) * g.kh * g.kw, yl = g.n * g.o * g.oh * g.ow;
      const x = randArray(xl, seed++), w = randArray(wl, seed++), dy = randArray(yl, seed++), bias = randArray(g.o, seed++);
      const pairs: [Float32Array, Float32Array][] = [];
      const run = (f: (b: typeof refBackend, out: Float32Array) => void, len: number): void => {
        const r = new Float32Array(len), o = new Float32Array(len);
        f(refBackend, r); f(be, o); pairs.push([o, r]);
      };
      run((b, out) => b.conv2d(g, x, w, bias, out), yl);
      run((b, out) => b.conv2dBackwardInput(g, dy, w, out), xl);
      run((b, out) => b.conv2dBackwardWeight(g, x, dy, out), wl);
      // The fused forward and the one-call backward (through a sigmoid), against the composition in refBackend.
      const ys = new Float32Array(yl);
      run((b, out) => { conv2dFused(b, g, x, w, bias, out, 'sigmoid'); if (b === refBackend) ys.set(out); }, yl);
      const both = (b: typeof refBackend, dx: Float32Array, dw: Float32Array, db: Float32Array): void =>
        conv2dBackward(b, g, x, w, dy, { dx, dw, db }, { op: 'sigmoid', y: ys });
      const [rdx, rdw, rdb, odx, odw, odb] = [xl, wl, g.o, xl, wl, g.o].map((l) => new Float32Array(l));
      both(refBackend, rdx!, rdw!, rdb!); both(be, odx!, odw!, odb!);
      pairs.push([odx!, rdx!], [odw!, rdw!], [odb!, rdb!]);
      for (const [o, r] of pairs) {
        const scale = Math.max(...Array.from(r, Math.abs));
        assertClose(o, r, new Float32Array(r.length).fill(scale), `vs ref ${label(g)}`, 2e-5);
      }
    }
  });
  it('on conv + activation + pooling in one call (FusedPool), forward and backward', () => {
    // LeNet's two stages, a Winograd layer with a padded 3x3/2 max pooling, a direct one with ceil-mode
    // average pooling that excludes padding, and an im2col one (stride 2).
    const cases: [Conv2dGeometry, 'max' | 'avg', number, number, number, boolean, boolean, ActivationOp][] = [
      [convGeom(4, 1, 28, 28, 6, 5, 1, 2, 1, 1), 'avg', 2, 2, 0, true, false, 'sigmoid'],
      [convGeom(4, 6, 14, 14, 16, 5, 1, 0, 1, 1), 'max', 2, 2, 0, true, false, 'relu'],
      [convGeom(2, 8, 9, 9, 8, 3, 1, 1, 1, 1), 'max', 3, 2, 1, true, false, 'tanh'],
      [convGeom(2, 6, 9, 11, 6, 3, 1, 1, 1, 1), 'avg', 2, 2, 1, false, true, 'relu'],
      [convGeom(2, 3, 12, 12, 5, 3, 2, 1, 1, 1), 'max', 2, 2, 0, true, true, 'sigmoid']];
    let seed = 4000;
    for (const [g, kind, k, st, p, incl, ceil, act] of cases) {
      const pg = poolGeom(g.n, g.o, g.oh, g.ow, k, st, p, incl, ceil);
      const xl = g.n * g.c * g.h * g.w, wl = g.o * g.c * g.kh * g.kw, yl = g.n * g.o * g.oh * g.ow, pl = pg.n * pg.c * pg.oh * pg.ow;
      const x = randArray(xl, seed++), w = randArray(wl, seed++), bias = randArray(g.o, seed++), gp = randArray(pl, seed++);
      const outs = [refBackend, be].map((b) => {
        const y = new Float32Array(yl), pool = { kind, g: pg, y: new Float32Array(pl), argmax: kind === 'max' ? new Int32Array(pl) : null };
        conv2dFused(b, g, x, w, bias, y, act, pool);
        const dx = new Float32Array(xl), dw = new Float32Array(wl), db = new Float32Array(g.o);
        conv2dBackward(b, g, x, w, gp, { dx, dw, db }, { op: act, y }, pool);
        return { y, py: pool.y, am: pool.argmax, dx, dw, db };
      });
      const [r, o] = outs as [typeof outs[0], typeof outs[0]];
      const what = `${label(g)} + ${act} + ${kind} ${k}/${st} p${p}${ceil ? ' ceil' : ''}`;
      if (r.am) assert.deepEqual(Array.from(o.am!), Array.from(r.am), `${what}: argmax`);
      for (const key of ['y', 'py', 'dx', 'dw', 'db'] as const) {
        const want = r[key], scale = Math.max(...Array.from(want, Math.abs));
        assertClose(o[key], want, new Float32Array(want.length).fill(scale), `${what}: ${key}`, 2e-5);
      }
    }
  });

  it('on pooling, including NaN windows', () => {
    for (const g of poolCases) {
      const xl = g.n * g.c * g.h * g.w, yl = g.n * g.c * g.oh * g.ow;
      const x = randArray(xl, 77);
      x[3] = Number.NaN; x[5] = Number.NaN; x[20] = Number.NaN;
      const y1 = new Float32Array(yl), y2 = new Float32Array(yl), a1 = new Int32Array(yl), a2 = new Int32Array(yl);
      refBackend.maxPool2d(g, x, y1, a1);
      be.maxPool2d(g, x, y2, a2);
      assert.deepEqual(Array.from(a2), Array.from(a1));
      assert.deepEqual(Array.from(y2), Array.from(y1));
      const xa = randArray(xl, 78), r = new Float32Array(yl), o = new Float32Array(yl);
      refBackend.avgPool2d(g, xa, r);
      be.avgPool2d(g, xa, o);
      assertClose(o, r, null, 'avg vs ref', 1e-6, 1e-7);
    }
  });
});
