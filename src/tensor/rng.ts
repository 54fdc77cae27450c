/**
 * The global random generator: xoshiro128** seeded through splitmix32, so `manualSeed(n)`
 * makes every run repeat exactly. Normal samples use Box–Muller with a cached spare.
 */

let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
let spare: number | null = null;

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seed the global generator (like `torch.manual_seed`); the sequence differs from PyTorch's. */
export function manualSeed(seed: number): void {
  const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
  s0 = sm(); s1 = sm(); s2 = sm(); s3 = sm();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spare = null;
}

/** Next raw 32-bit unsigned integer. */
export function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
export function uniform(): number {
  return (nextUint32() >>> 8) / 16777216;
}

/** Standard normal sample. */
export function normalSample(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** Uniform integer in [0, n). */
export function randInt(n: number): number {
  return Math.floor(uniform() * n);
}

/** Fisher–Yates permutation of 0..n-1 from the global generator. */
export function randperm(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = p[i]!; p[i] = p[j]!; p[j] = t;
  }
  return p;
}

/** Snapshot of the generator state (for checkpoints). */
export function getRngState(): number[] {
  return [s0, s1, s2, s3, spare ?? NaN];
}

/** Restore a snapshot from `getRngState`. */
export function setRngState(state: readonly number[]): void {
  if (state.length !== 5) throw new Error(`setRngState: expected 5 numbers, got ${state.length}`);
  [s0, s1, s2, s3] = state.map((v) => v >>> 0) as [number, number, number, number];
  spare = Number.isNaN(state[4]) ? null : state[4]!;
}

// Like PyTorch, the default seed is fixed, so an unseeded program still repeats.
manualSeed(67280421310721);
