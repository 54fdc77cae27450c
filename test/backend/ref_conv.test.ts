/** The reference conv kernels (im2col + GEMM) against direct 7-loop definitions over a grid of geometries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../../src/backend/ref/conv.js';
import { convOutSize } from '../../src/tensor/ops/conv.js';

/** Deterministic pseudo-random fill (no global RNG state touched). */
function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

interface Case { n: number; c: number; h: number; w: number; o: number; kh: number; kw: number;
                 s: [number, number]; p: [number, number]; d: [number, number]; groups: number }

function geom(k: Case): Conv2dGeometry {
  return {
    n: k.n, c: k.c, h: k.h, w: k.w, o: k.o, kh: k.kh, kw: k.kw,
    oh: convOutSize(k.h, k.kh, k.s[0], k.p[0], k.d[0]), ow: convOutSize(k.w, k.kw, k.s[1], k.p[1], k.d[1]),
    strideH: k.s[0], strideW: k.s[1], padH: k.p[0], padW: k.p[1], dilationH: k.d[0], dilationW: k.d[1], groups: k.groups,
  };
}

/** Visit every (n, o, oy, ox, ci, ki, kj) term with in-bounds input: the definition of the convolution. */
function eachTerm(g: Conv2dGeometry, f: (yi: number, xi: number, wi: number) => void): void {
  const cg = g.c / g.groups, og = g.o / g.groups;
  for (let n = 0; n < g.n; n++) for (let o = 0; o < g.o; o++) for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) {
    const grp = Math.floor(o / og);
    for (let ci = 0; ci < cg; ci++) for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++) {
      const iy = oy * g.strideH - g.padH + ki * g.dilationH, ix = ox * g.strideW - g.padW + kj * g.dilationW;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
      const c = grp * cg + ci;
      f(((n * g.o + o) * g.oh + oy) * g.ow + ox, ((n * g.c + c) * g.h + iy) * g.w + ix, ((o * cg + ci) * g.kh + ki) * g.kw + kj);
    }
  }
}

function close(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-4 + 1e-4 * Math.abs(b[i]!), `${what}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

const cases: Case[] = [
  { n: 1, c: 1, h: 3, w: 3, o: 1, kh: 2, kw: 2, s: [1, 1], p: [0, 0], d: [1, 1], groups: 1 },
  { n: 2, c: 3, h: 5, w: 6, o: 4, kh: 1, kw: 1, s: [1, 1], p: [0, 0], d: [1, 1], groups: 1 },
  { n: 2, c: 2, h: 6, w: 5, o: 3, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], groups: 1 },
  { n: 1, c: 2, h: 9, w: 8, o: 2, kh: 5, kw: 5, s: [1, 1], p: [2, 2], d: [1, 1], groups: 1 },
  { n: 1, c: 3, h: 11, w: 10, o: 2, kh: 7, kw: 7, s: [2, 2], p: [3, 3], d: [1, 1], groups: 1 },
  { n: 1, c: 1, h: 23, w: 19, o: 2, kh: 11, kw: 11, s: [4, 4], p: [1, 2], d: [1, 1], groups: 1 },
  { n: 2, c: 2, h: 8, w: 9, o: 2, kh: 3, kw: 3, s: [1, 1], p: [2, 2], d: [2, 2], groups: 1 },
  { n: 2, c: 4, h: 5, w: 5, o: 6, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], groups: 2 },
  { n: 1, c: 3, h: 6, w: 7, o: 3, kh: 3, kw: 3, s: [2, 1], p: [1, 0], d: [1, 1], groups: 3 },
  { n: 1, c: 2, h: 8, w: 8, o: 3, kh: 3, kw: 5, s: [3, 4], p: [0, 1], d: [1, 1], groups: 1 },
  { n: 3, c: 2, h: 7, w: 6, o: 4, kh: 2, kw: 3, s: [2, 3], p: [1, 2], d: [2, 1], groups: 2 },
];

for (const k of cases) {
  const g = geom(k);
  const label = `n${k.n} c${k.c} ${k.h}x${k.w} o${k.o} k${k.kh}x${k.kw} s${k.s} p${k.p} d${k.d} g${k.groups}`;
  test(`ref conv2d forward, backward-input and backward-weight match the definition: ${label}`, () => {
    const x = filled(g.n * g.c * g.h * g.w, 1), w = filled(g.o * (g.c / g.groups) * g.kh * g.kw, 2);
    const bias = filled(g.o, 3), dy = filled(g.n * g.o * g.oh * g.ow, 4);
    const ySize = g.n * g.o * g.oh * g.ow;

    const want = new Float32Array(ySize);
    for (let i = 0; i < ySize; i++) want[i] = bias[Math.floor(i / (g.oh * g.ow)) % g.o]!;
    eachTerm(g, (yi, xi, wi) => { want[yi] += x[xi]! * w[wi]!; });
    const y = new Float32Array(ySize).fill(NaN); // the kernel must overwrite, not accumulate
    conv2d(g, x, w, bias, y);
    close(y, want, 'forward');

    const wantDx = new Float32Array(x.length), wantDw = new Float32Array(w.length);
    eachTerm(g, (yi, xi, wi) => { wantDx[xi] += dy[yi]! * w[wi]!; wantDw[wi] += dy[yi]! * x[xi]!; });
    const dx = new Float32Array(x.length).fill(7), dw = new Float32Array(w.length).fill(7);
    conv2dBackwardInput(g, dy, w, dx);
    conv2dBackwardWeight(g, x, dy, dw);
    close(dx, wantDx, 'backward input');
    close(dw, wantDw, 'backward weight');
  });
}

test('ref conv2d without bias leaves the plain correlation (d2l 7.2.1: [[19, 25], [37, 43]])', () => {
  const g = geom(cases[0]!);
  const y = new Float32Array(4);
  conv2d(g, Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), Float32Array.from([0, 1, 2, 3]), null, y);
  assert.deepEqual([...y], [19, 25, 37, 43]);
});
