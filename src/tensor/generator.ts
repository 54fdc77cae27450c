/**
 * A random generator object (torch.Generator's role): its own xoshiro128** state, so a data
 * worker can draw one sample's augmentation without touching — or depending on — the global
 * generator of `manualSeed`. The data pipeline derives one Generator per (epoch seed, sample
 * position), which is what makes augmentation independent of how many workers run and when.
 */
import { nextUint32 } from './rng.js';

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** xoshiro128** with its own state; the same algorithm as the global generator in rng.ts. */
export class Generator {
  private s = new Uint32Array(4);

  /** A generator seeded from one or more 32-bit words (splitmix32 expansion, like manualSeed). */
  constructor(...seed: number[]) {
    this.manualSeed(...seed);
  }

  /** Reseed from 32-bit words (a plain number seed is split into its low and high words). */
  manualSeed(...seed: number[]): this {
    let x = 0x6a09e667;
    for (const w of seed) {
      const lo = w >>> 0, hi = Math.floor(w / 0x100000000) >>> 0;
      x = mix32((x ^ lo) + 0x9e3779b9);
      if (hi !== 0) x = mix32((x ^ hi) + 0x9e3779b9);
    }
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = mix32(x);
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    return this;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] ^= s[0]!; s[3] ^= s[1]!; s[1] ^= s[2]!; s[0] ^= s[3]!;
    s[2] ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }

  /** Uniform float in [0, 1) with 24 random bits, like the global `uniform()`. */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Uniform float in [lo, hi) (torch.empty(1).uniform_(lo, hi)). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [lo, hi) (torch.randint(lo, hi, ())). */
  randint(lo: number, hi: number): number {
    if (!(hi > lo)) throw new Error(`Generator.randint: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.uniform() * (hi - lo));
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  randperm(n: number): Int32Array {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i]!; p[i] = p[j]!; p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Two fresh 32-bit words from the global generator: the per-epoch key the data pipeline derives sample generators from. */
export function drawSeedWords(): [number, number] {
  return [nextUint32(), nextUint32()];
}
