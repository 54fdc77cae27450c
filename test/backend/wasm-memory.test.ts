/**
 * Resident storage on the wasm backend: allocFloat32 hands out zeroed views of the backend's own
 * memory that stay valid when it grows, reuses freed blocks of the same size, refuses a double
 * free, and every kernel takes such views in place (same results as plain arrays, no copies
 * needed) — including outputs that alias inputs' memory neighbours. A plain (unshared) memory
 * hands out ordinary arrays.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../src/backend/ref/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { randArray } from '../helpers/wasm.js';

describe('wasm backend resident storage (allocFloat32 / freeFloat32)', () => {
  const b = new WasmBackend({ threads: 2, parallelMinFlops: 0 });
  after(() => b.dispose());

  it('zeroed views of the backend memory; freed blocks are reused by size; a double free is an error', () => {
    const a = b.allocFloat32(1000);
    assert.equal(a.length, 1000);
    assert.ok(a.every((v) => v === 0));
    a.fill(3);
    const at = a.byteOffset;
    b.freeFloat32(a);
    const again = b.allocFloat32(1000);
    assert.equal(again.byteOffset, at, 'the freed block of the same size is reused');
    assert.ok(again.every((v) => v === 0), 'and zeroed again');
    assert.throws(() => { b.freeFloat32(again); b.freeFloat32(again); }, /freeFloat32: no live block/);
    b.freeFloat32(new Float32Array(4)); // not ours: nothing to give back
  });

  it('views stay valid when the memory grows (shared memories never detach)', () => {
    const a = b.allocFloat32(16);
    a.set(randArray(16, 1));
    const before = Array.from(a);
    const big = b.allocFloat32(64 << 20); // 256 MB: grows the memory
    assert.ok(b.memoryBytes >= 256 << 20);
    assert.deepEqual(Array.from(a), before);
    b.freeFloat32(big);
    b.freeFloat32(a);
  });

  it('kernels read and write resident arrays in place: gemm, conv forward/backward, pooling, unary', () => {
    const put = (src: Float32Array): Float32Array => { const r = b.allocFloat32(src.length); r.set(src); return r; };
    // GEMM with beta: C is read and written in place.
    const m = 37, n = 45, k = 29;
    const A = randArray(m * k, 2), B = randArray(k * n, 3), C = randArray(m * n, 4);
    const want = C.slice();
    refBackend.gemm(false, true, m, n, k, 0.5, A, 0, B, 0, 1.5, want, 0);
    const Cr = put(C);
    b.gemm(false, true, m, n, k, 0.5, put(A), 0, put(B), 0, 1.5, Cr, 0);
    const plain = C.slice();
    b.gemm(false, true, m, n, k, 0.5, A, 0, B, 0, 1.5, plain, 0);
    assert.deepEqual(Array.from(Cr), Array.from(plain), 'resident and plain arrays give the same bits');
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(Cr[i]! - want[i]!) < 1e-4, `gemm ${i}`);
    // A convolution and all its gradients, resident vs plain.
    const g = { n: 4, c: 3, h: 9, w: 9, o: 8, kh: 3, kw: 3, oh: 9, ow: 9, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
    const x = randArray(4 * 3 * 81, 5), w = randArray(8 * 27, 6), bias = randArray(8, 7), dy = randArray(4 * 8 * 81, 8);
    const run = (res: boolean): Float32Array[] => {
      const f = res ? put : (a: Float32Array) => a.slice();
      const out = res ? (len: number) => b.allocFloat32(len) : (len: number) => new Float32Array(len);
      const y = out(4 * 8 * 81), dx = out(x.length), dw = out(w.length), db = out(8);
      b.conv2dFused(g, f(x), f(w), f(bias), y, 'relu');
      b.conv2dBackward(g, f(x), f(w), f(dy), { dx, dw, db }, { op: 'relu', y });
      const p = { n: 4, c: 8, h: 9, w: 9, oh: 4, ow: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, countIncludePad: true };
      const py = out(4 * 8 * 16), am = new Int32Array(4 * 8 * 16);
      b.maxPool2d(p, y, py, am);
      const s = out(y.length);
      b.unary('sigmoid', y, s);
      return [y, dx, dw, db, py, s];
    };
    const r = run(true), q = run(false);
    r.forEach((v, i) => assert.deepEqual(Array.from(v), Array.from(q[i]!), `output ${i}`));
  });

  it('a plain (unshared) memory: one thread, ordinary arrays, same results', () => {
    const single = new WasmBackend({ sharedMemory: false, threads: 1 });
    try {
      const a = single.allocFloat32(8);
      assert.ok(!(a.buffer instanceof SharedArrayBuffer));
      assert.equal(single.threads, 1);
      const A = randArray(64, 9), out1 = new Float32Array(64), out2 = new Float32Array(64);
      single.gemm(false, false, 8, 8, 8, 1, A, 0, A, 0, 0, out1, 0);
      b.gemm(false, false, 8, 8, 8, 1, A, 0, A, 0, 0, out2, 0);
      assert.deepEqual(Array.from(out1), Array.from(out2));
    } finally {
      single.dispose();
    }
  });
});
