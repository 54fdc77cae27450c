// Shared by the wasm backend tests (a test file cannot import another: its suites would register twice).
import assert from 'node:assert/strict';
import { relaxedSimdSupported, type KernelFlavor } from '../../src/backend/wasm/index.js';

/** Deterministic uniform [-0.5, 0.5) values (mulberry32). */
export function randArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Every configuration under test: both builds (where relaxed SIMD validates), 1 and 2 threads. */
export function wasmConfigs(): { flavor: KernelFlavor; threads: number }[] {
  const flavors: KernelFlavor[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
  return flavors.flatMap((flavor) => [1, 2].map((threads) => ({ flavor, threads })));
}

/** Asserts |got - want| <= rtol * scale + atol elementwise (scale: |want| when null). */
export function assertCloseScaled(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number> | null,
                                  what: string, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] === want[i]) continue; // also covers matching infinities
    const s = scale ? scale[i]! : Math.abs(want[i]!);
    const tol = rtol * s + atol;
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) {
      assert.fail(`${what}: index ${i}: got ${got[i]}, want ${want[i]} (tol ${tol})`);
    }
  }
}
