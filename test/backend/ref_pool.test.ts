/** The reference pooling kernels against direct definitions on an explicitly padded input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool2dGeometry } from '../../src/backend/backend.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from '../../src/backend/ref/pool.js';
import { poolOutSize } from '../../src/tensor/ops/pool.js';

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

interface Case { h: number; w: number; k: [number, number]; s: [number, number]; p: [number, number]; ceil: boolean }

function geom(k: Case, countIncludePad: boolean): Pool2dGeometry {
  return {
    n: 2, c: 3, h: k.h, w: k.w, kh: k.k[0], kw: k.k[1], strideH: k.s[0], strideW: k.s[1], padH: k.p[0], padW: k.p[1],
    oh: poolOutSize(k.h, k.k[0], k.s[0], k.p[0], k.ceil), ow: poolOutSize(k.w, k.k[1], k.s[1], k.p[1], k.ceil), countIncludePad,
  };
}

/**
 * Naive pooling: window cells (iy, ix) with their status — 'in' the input, in the 'pad' ring, or
 * 'out' past the padded input (only ceil-mode windows reach there).
 */
function windowCells(g: Pool2dGeometry, oy: number, ox: number): { iy: number; ix: number; kind: 'in' | 'pad' | 'out' }[] {
  const cells: { iy: number; ix: number; kind: 'in' | 'pad' | 'out' }[] = [];
  for (let a = 0; a < g.kh; a++) for (let b = 0; b < g.kw; b++) {
    const iy = oy * g.strideH - g.padH + a, ix = ox * g.strideW - g.padW + b;
    const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
    const inPadded = iy >= -g.padH && iy < g.h + g.padH && ix >= -g.padW && ix < g.w + g.padW;
    cells.push({ iy, ix, kind: inside ? 'in' : inPadded ? 'pad' : 'out' });
  }
  return cells;
}

const cases: Case[] = [
  { h: 4, w: 4, k: [2, 2], s: [2, 2], p: [0, 0], ceil: false },
  { h: 7, w: 6, k: [3, 3], s: [2, 2], p: [1, 1], ceil: false },
  { h: 5, w: 5, k: [3, 3], s: [1, 1], p: [1, 1], ceil: false },
  { h: 4, w: 4, k: [2, 3], s: [2, 3], p: [0, 1], ceil: false },
  { h: 5, w: 7, k: [2, 2], s: [2, 2], p: [0, 0], ceil: true },
  { h: 6, w: 8, k: [3, 3], s: [2, 2], p: [1, 1], ceil: true },
  { h: 13, w: 13, k: [3, 3], s: [2, 2], p: [0, 0], ceil: true },
  { h: 4, w: 4, k: [3, 3], s: [3, 3], p: [0, 0], ceil: false },
];

for (const k of cases) {
  const label = `${k.h}x${k.w} k${k.k} s${k.s} p${k.p}${k.ceil ? ' ceil' : ''}`;
  test(`ref maxPool2d and its backward match the definition: ${label}`, () => {
    const g = geom(k, true);
    const x = filled(g.n * g.c * g.h * g.w, 5), dy = filled(g.n * g.c * g.oh * g.ow, 6);
    const y = new Float32Array(dy.length), arg = new Int32Array(dy.length), dx = new Float32Array(x.length).fill(3);
    maxPool2d(g, x, y, arg);
    maxPool2dBackward(g, dy, arg, dx);
    const wantDx = new Float32Array(x.length);
    for (let p = 0; p < g.n * g.c; p++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
      let best = -Infinity, at = -1;
      for (const cell of windowCells(g, oy, ox)) {
        if (cell.kind !== 'in') continue;
        const v = x[(p * g.h + cell.iy) * g.w + cell.ix]!;
        if (v > best) { best = v; at = (p * g.h + cell.iy) * g.w + cell.ix; }
      }
      const o = (p * g.oh + oy) * g.ow + ox;
      assert.equal(y[o], best, `max at plane ${p} (${oy}, ${ox})`);
      wantDx[at] += dy[o]!;
    }
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(dx[i]! - wantDx[i]!) < 1e-6, `dx[${i}]: ${dx[i]} vs ${wantDx[i]}`);
  });

  for (const countIncludePad of [true, false]) {
    test(`ref avgPool2d and its backward match the definition: ${label} countIncludePad=${countIncludePad}`, () => {
      const g = geom(k, countIncludePad);
      const x = filled(g.n * g.c * g.h * g.w, 7), dy = filled(g.n * g.c * g.oh * g.ow, 8);
      const y = new Float32Array(dy.length), dx = new Float32Array(x.length).fill(3);
      avgPool2d(g, x, y);
      avgPool2dBackward(g, dy, dx);
      const wantDx = new Float32Array(x.length);
      for (let p = 0; p < g.n * g.c; p++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
        const cells = windowCells(g, oy, ox);
        const inside = cells.filter((c) => c.kind === 'in');
        // PyTorch divides by the window clipped to the padded input, or by the real cells only.
        const div = countIncludePad ? cells.filter((c) => c.kind !== 'out').length : inside.length;
        let s = 0;
        for (const c of inside) s += x[(p * g.h + c.iy) * g.w + c.ix]!;
        const o = (p * g.oh + oy) * g.ow + ox;
        assert.ok(Math.abs(y[o]! - s / div) < 1e-6, `avg at plane ${p} (${oy}, ${ox}): ${y[o]} vs ${s / div}`);
        for (const c of inside) wantDx[(p * g.h + c.iy) * g.w + c.ix] += dy[o]! / div;
      }
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(dx[i]! - wantDx[i]!) < 1e-6, `dx[${i}]: ${dx[i]} vs ${wantDx[i]}`);
    });
  }
}

test('ref maxPool2d propagates NaN like PyTorch and records its position', () => {
  const g = geom({ h: 2, w: 2, k: [2, 2], s: [2, 2], p: [0, 0], ceil: false }, true);
  const x = new Float32Array(g.n * g.c * 4).fill(1);
  x[2] = NaN;
  const y = new Float32Array(g.n * g.c), arg = new Int32Array(g.n * g.c);
  maxPool2d(g, x, y, arg);
  assert.ok(Number.isNaN(y[0]!));
  assert.equal(arg[0], 2);
  assert.equal(y[1], 1);
});
