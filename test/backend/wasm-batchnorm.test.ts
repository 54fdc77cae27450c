// WasmBackend batch-norm kernels (channelStats, channelAffine, batchNormBackward) against float64
// loops and the reference backend, for 1 and 2 threads with splitting forced, on spatial sizes that
// are and are not multiples of the SIMD width, and on data with a mean far from zero.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../src/backend/ref/index.js';
import { WasmBackend, relaxedSimdSupported, type KernelFlavor } from '../../src/backend/wasm/index.js';

function randArray(len: number, seed: number, offset = 0, scale = 1): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = offset + scale * (s / 2 ** 32 - 0.5); }
  return a;
}

function close(got: Float32Array, want: ArrayLike<number>, what: string, rtol: number, atol: number): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const tol = rtol * Math.abs(want[i]!) + atol;
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: got ${got[i]}, want ${want[i]} (tol ${tol})`);
  }
}

// [n, c, s, mean offset, scale]
const shapes: [number, number, number, number, number][] = [
  [4, 3, 25, 0, 1], [3, 5, 9, 0, 2], [2, 4, 1, 0, 1], [5, 2, 7, 100, 1], [8, 6, 36, -3, 0.5], [2, 3, 130, 0, 1],
];

const flavors: KernelFlavor[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
for (const flavor of flavors) for (const threads of [1, 2]) {
  describe(`wasm batch norm ${flavor} ${threads}t`, () => {
    const be = new WasmBackend({ flavor, threads, parallelMinFlops: 0 });
    after(() => be.dispose());

    it('channelStats: per-channel mean and biased variance match float64 loops', () => {
      let seed = 1;
      for (const [n, c, s, off, sc] of shapes) {
        const x = randArray(n * c * s, seed++, off, sc);
        const mean = new Float32Array(c), variance = new Float32Array(c);
        be.channelStats(x, n, c, s, mean, variance);
        const m64 = new Float64Array(c), v64 = new Float64Array(c);
        for (let ch = 0; ch < c; ch++) {
          let sum = 0, sq = 0;
          for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) sum += x[(i * c + ch) * s + k]!;
          const m = sum / (n * s);
          for (let i = 0; i < n; i++) for (let k = 0; k < s; k++) sq += (x[(i * c + ch) * s + k]! - m) ** 2;
          m64[ch] = m;
          v64[ch] = sq / (n * s);
        }
        close(mean, m64, `mean n${n} c${c} s${s}`, 1e-6, 1e-7);
        close(variance, v64, `variance n${n} c${c} s${s}`, 1e-4, 1e-7);
      }
    });

    it('channelAffine matches the reference backend, also in place', () => {
      let seed = 100;
      for (const [n, c, s] of shapes) {
        const x = randArray(n * c * s, seed++), a = randArray(c, seed++), b = randArray(c, seed++);
        const want = new Float32Array(x.length), got = new Float32Array(x.length).fill(Number.NaN);
        refBackend.channelAffine(x, n, c, s, a, b, want);
        be.channelAffine(x, n, c, s, a, b, got);
        close(got, want, `affine n${n} c${c} s${s}`, 1e-6, 1e-7);
        const inPlace = x.slice();
        be.channelAffine(inPlace, n, c, s, a, b, inPlace);
        close(inPlace, want, `affine in place n${n} c${c} s${s}`, 1e-6, 1e-7);
      }
    });

    it('batchNormBackward (training and eval, with and without dx) matches the reference backend', () => {
      let seed = 200;
      for (const [n, c, s, off, sc] of shapes) for (const training of [true, false]) for (const wantDx of [true, false]) {
        const x = randArray(n * c * s, seed++, off, sc), g = randArray(n * c * s, seed++);
        const mean = new Float32Array(c), variance = new Float32Array(c);
        refBackend.channelStats(x, n, c, s, mean, variance);
        const invstd = variance.map((v) => 1 / Math.sqrt(v + 1e-5)), scale = randArray(c, seed++);
        const rsg = new Float32Array(c), rsx = new Float32Array(c), rdx = new Float32Array(x.length);
        refBackend.batchNormBackward(g, x, n, c, s, mean, invstd, scale, training, rsg, rsx, rdx);
        const sg = new Float32Array(c).fill(Number.NaN), sx = new Float32Array(c).fill(Number.NaN);
        const dx = wantDx ? new Float32Array(x.length).fill(Number.NaN) : null;
        be.batchNormBackward(g, x, n, c, s, mean, invstd, scale, training, sg, sx, dx);
        const what = `n${n} c${c} s${s} training=${training}`;
        close(sg, rsg, `sumG ${what}`, 1e-5, 1e-5);
        close(sx, rsx, `sumGX ${what}`, 1e-4, 1e-4);
        if (dx) close(dx, rdx, `dx ${what}`, 1e-4, 1e-5);
      }
    });
  });
}
