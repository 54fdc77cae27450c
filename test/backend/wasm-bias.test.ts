// The optional bias gradient of conv2dBackwardWeight: WasmBackend (both builds, 1 and 2 threads,
// forced splitting) against refBackend and a float64 naive sum, on ragged plane sizes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { randArray, wasmConfigs as configs } from '../helpers/wasm.js';

function convGeom(n: number, c: number, h: number, w: number, o: number, k: number, s: number, p: number, groups: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((w + 2 * p - k) / s) + 1;
  return { n, c, h, w, o, kh: k, kw: k, oh, ow, strideH: s, strideW: s, padH: p, padW: p, dilationH: 1, dilationW: 1, groups };
}

// Output planes of 1, 3, 4, 7, 8, 9 ... pixels (SIMD tails), the direct single-channel path, groups,
// and the Winograd F(2x2) and F(3x3) weight gradients (3x3 stride-1 layers with >= 8 channels).
const cases: Conv2dGeometry[] = [
  convGeom(2, 8, 8, 8, 8, 3, 1, 1, 1), convGeom(2, 8, 3, 3, 9, 3, 1, 1, 1),
  convGeom(3, 2, 3, 3, 5, 3, 1, 0, 1), convGeom(2, 2, 5, 5, 3, 3, 1, 0, 1), convGeom(3, 4, 2, 3, 4, 1, 1, 0, 2),
  convGeom(2, 3, 4, 9, 6, 2, 1, 0, 1), convGeom(3, 1, 10, 11, 7, 3, 1, 1, 1), convGeom(5, 6, 14, 14, 16, 5, 1, 0, 1),
  convGeom(4, 1, 28, 28, 6, 5, 1, 2, 1), convGeom(2, 4, 9, 9, 8, 3, 2, 1, 4),
];

for (const cfg of configs()) {
  describe(`conv2dBackwardWeight bias gradient, wasm ${cfg.flavor} ${cfg.threads}t`, () => {
    const be = new WasmBackend({ ...cfg, parallelMinFlops: 0 });
    after(() => be.dispose());
    it('matches refBackend and a float64 sum; dw is unaffected by asking for db', () => {
      let seed = 40;
      for (const g of cases) {
        const xl = g.n * g.c * g.h * g.w, wl = g.o * (g.c / g.groups) * g.kh * g.kw, p = g.oh * g.ow;
        const x = randArray(xl, seed++), dy = randArray(g.n * g.o * p, seed++);
        const want = new Float64Array(g.o), scale = new Float64Array(g.o);
        for (let i = 0; i < dy.length; i++) {
          const o = Math.floor(i / p) % g.o;
          want[o] += dy[i]!; scale[o] += Math.abs(dy[i]!);
        }
        const db = new Float32Array(g.o).fill(Number.NaN), dbRef = new Float32Array(g.o).fill(Number.NaN);
        const dw = new Float32Array(wl), dwPlain = new Float32Array(wl), dwRef = new Float32Array(wl);
        be.conv2dBackwardWeight(g, x, dy, dw, db);
        be.conv2dBackwardWeight(g, x, dy, dwPlain);
        refBackend.conv2dBackwardWeight(g, x, dy, dwRef, dbRef);
        // Not bitwise: the 2-thread split adapts between calls, which reorders the partial sums.
        const dwScale = Math.max(...Array.from(dwRef, Math.abs));
        for (let i = 0; i < wl; i++) {
          assert.ok(Math.abs(dw[i]! - dwRef[i]!) <= 2e-5 * dwScale && Math.abs(dwPlain[i]! - dwRef[i]!) <= 2e-5 * dwScale,
            `dw[${i}]: ${dw[i]} (with db), ${dwPlain[i]} (without), ref ${dwRef[i]}`);
        }
        for (let o = 0; o < g.o; o++) {
          const tol = 1e-6 * scale[o]! + 1e-7;
          assert.ok(Math.abs(db[o]! - want[o]!) <= tol, `wasm db[${o}] = ${db[o]}, want ${want[o]} (n${g.n} o${g.o} p${p})`);
          assert.ok(Math.abs(dbRef[o]! - want[o]!) <= tol, `ref db[${o}] = ${dbRef[o]}, want ${want[o]}`);
        }
      }
    });
  });
}
