// WasmBackend GEMM and elementwise kernels against float64 naive loops, for both kernel builds
// (relaxed-SIMD FMA and plain SIMD) and for 1 and 2 threads.
import { after, describe, it } from 'node:test';
import { refBackend } from '../../src/backend/ref/index.js';
import assert from 'node:assert/strict';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { randArray, wasmConfigs as configs, assertCloseScaled as assertClose } from '../helpers/wasm.js';

// Naive float64 GEMM that also returns sum |terms| per element, the scale of f32 rounding error.
function naiveGemm(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array,
                   b: Float32Array, beta: number, c: Float32Array): { ref: Float64Array; scale: Float64Array } {
  const ref = new Float64Array(m * n), scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, sa = 0;
      for (let p = 0; p < k; p++) {
        const av = ta ? a[p * m + i]! : a[i * k + p]!;
        const bv = tb ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv; sa += Math.abs(av * bv);
      }
      const cv = beta === 0 ? 0 : beta * c[i * n + j]!;
      ref[i * n + j] = alpha * s + cv;
      scale[i * n + j] = Math.abs(alpha) * sa + Math.abs(cv);
    }
  }
  return { ref, scale };
}

const sizes = [1, 3, 7, 17, 65, 129];

for (const cfg of configs()) {
  describe(`wasm gemm ${cfg.flavor} ${cfg.threads}t`, () => {
    const be = new WasmBackend({ ...cfg, parallelMinFlops: 0 });
    after(() => be.dispose());
    it('matches naive GEMM for all transposes over odd sizes', () => {
      let seed = 1;
      for (const m of sizes) for (const n of sizes) for (const k of [1, 7, 65, 300]) {
        if (m * n * k > 129 * 129 * 65) continue;
        for (const ta of [false, true]) for (const tb of [false, true]) {
          const a = randArray(m * k, seed++), b = randArray(k * n, seed++), c = randArray(m * n, seed++);
          const [alpha, beta] = seed % 3 === 0 ? [1, 0] : seed % 3 === 1 ? [0.5, 1] : [-1.25, 0.75];
          const { ref, scale } = naiveGemm(ta, tb, m, n, k, alpha, a, b, beta, c);
          const out = c.slice();
          be.gemm(ta, tb, m, n, k, alpha, a, 0, b, 0, beta, out, 0);
          assertClose(out, ref, scale, `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} m${m} n${n} k${k}`);
        }
      }
    });
    it('honours offsets, big K blocks and beta = 0 with NaN garbage in C', () => {
      const m = 31, n = 250, k = 600;
      const a = randArray(m * k + 5, 7), b = randArray(k * n + 3, 8);
      const c = new Float32Array(m * n + 11).fill(Number.NaN);
      be.gemm(false, true, m, n, k, 1, a, 5, b, 3, 0, c, 11);
      const { ref, scale } = naiveGemm(false, true, m, n, k, 1, a.subarray(5), b.subarray(3), 0, c);
      assertClose(c.subarray(11), ref, scale, 'offset gemm');
      assert.ok(Number.isNaN(c[10]!), 'bytes before cOffset are untouched');
    });
    it('handles a LeNet-shaped small-M GEMM (M=6, K=25)', () => {
      const m = 6, n = 784 * 3 + 5, k = 25;
      const a = randArray(m * k, 11), b = randArray(k * n, 12), c = new Float32Array(m * n);
      be.gemm(false, false, m, n, k, 1, a, 0, b, 0, 0, c, 0);
      const { ref, scale } = naiveGemm(false, false, m, n, k, 1, a, b, 0, c);
      assertClose(c, ref, scale, 'lenet gemm');
    });
    it('computes exp, sigmoid and tanh (and delegates the rest)', () => {
      const n = 5003;
      const x = randArray(n, 3).map((v) => v * 40);
      x[0] = 88; x[1] = -100; x[2] = 0; x[3] = -87; x[4] = -103; x[5] = 89; x[6] = -1000;
      const e = new Float32Array(n), s = new Float32Array(n), r = new Float32Array(n);
      be.unary('exp', x, e);
      be.unary('sigmoid', x, s);
      be.unary('relu', x, r);
      const t = new Float32Array(n), xs = x.map((v, i) => (i % 2 === 0 ? v / 37 : v / 4)); // dense near 0 and the 0.5 switch
      xs[5] = 0.5; xs[6] = -0.5; xs[7] = 1e-30; xs[8] = -20;
      be.unary('tanh', xs, t);
      assertClose(t, Array.from(xs, Math.tanh), null, 'tanh', 2e-6, 1e-37);
      assertClose(e, Array.from(x, (v) => Math.fround(Math.exp(v))), null, 'exp', 2e-6, 1e-37);
      assertClose(s, Array.from(x, (v) => 1 / (1 + Math.exp(-v))), null, 'sigmoid', 2e-6, 1e-37);
      assertClose(r, Array.from(x, (v) => Math.max(v, 0)), null, 'relu', 0, 0);
    });

    it('relu forward and the relu/sigmoid/tanh backward match the reference bit for bit in their special values', () => {
      const n = 4099; // past the JS cut-off, not a multiple of 4
      const x = randArray(n, 11).map((v) => v * 6);
      x.set([Number.NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45], 0);
      const r = new Float32Array(n), rr = new Float32Array(n);
      be.unary('relu', x, r);
      refBackend.unary('relu', x, rr);
      assert.deepEqual(Array.from(r, (v) => Object.is(v, -0) ? '-0' : v), Array.from(rr, (v) => Object.is(v, -0) ? '-0' : v), 'relu incl. NaN, ±0, ±inf');
      const g = randArray(n, 12);
      const ys: Record<'relu' | 'sigmoid' | 'tanh', Float32Array> = { relu: rr, sigmoid: new Float32Array(n), tanh: new Float32Array(n) };
      refBackend.unary('sigmoid', x, ys.sigmoid);
      refBackend.unary('tanh', x, ys.tanh);
      for (const op of ['relu', 'sigmoid', 'tanh'] as const) {
        const want = new Float32Array(n), got = new Float32Array(n).fill(Number.NaN);
        refBackend.activationBackward(op, ys[op], g, want);
        be.activationBackward(op, ys[op], g, got);
        const nanSame = (a: Float32Array, what: string) => {
          for (let i = 0; i < n; i++) assert.equal(Number.isNaN(a[i]!), Number.isNaN(want[i]!), `${what}: NaN at ${i} (x = ${x[i]})`);
          // f32 arithmetic (as PyTorch's kernels) against the reference's float64: a few ulps of |g|.
          assertClose(a.map((v) => (Number.isNaN(v) ? 0 : v)), want.map((v) => (Number.isNaN(v) ? 0 : v)), Array.from(g, Math.abs), what, 5e-7, 0);
        };
        nanSame(got, `${op} backward`);
        const inPlace = g.slice();
        be.activationBackward(op, ys[op], inPlace, inPlace);
        nanSame(inPlace, `${op} backward in place`);
      }
    });
  });
}

describe('wasm backend lifecycle', () => {
  it('names itself by flavor and thread count and rejects use after dispose', () => {
    const be = new WasmBackend({ threads: 2, flavor: 'simd', parallelMinFlops: 0 });
    assert.equal(be.name, 'wasm-simd-2t');
    const c = new Float32Array(64 * 64);
    be.gemm(false, false, 64, 64, 64, 1, randArray(4096, 1), 0, randArray(4096, 2), 0, 0, c, 0);
    be.dispose();
    assert.throws(() => be.gemm(false, false, 64, 64, 64, 1, c, 0, c, 0, 0, c, 0), /dispose/);
  });
  it('grows its memory for large inputs', () => {
    const be = new WasmBackend({ threads: 1 });
    const m = 2, n = 3, k = 3_000_000; // 48 MB of operands: beyond the initial 16 MiB
    const a = randArray(m * k, 5), b = randArray(k * n, 6), c = new Float32Array(m * n);
    be.gemm(false, false, m, n, k, 1, a, 0, b, 0, 0, c, 0);
    const { ref, scale } = naiveGemm(false, false, m, n, k, 1, a, b, 0, c);
    assertClose(c, ref, scale, 'large gemm');
    be.dispose();
  });
});
