/**
 * A seeded mutation fuzzer for the library's file readers. A target is a row in a table
 * (test/fuzz/targets.ts): valid seed files and a parse function. Each case mutates a seed (1–3
 * generic or format-aware mutators), parses it, and checks the contract every reader must keep:
 *
 * - it returns normally, or throws a FileFormatError whose `file` is the name it was given and
 *   whose `offset` is an integer inside the file (or inside the decompressed stream);
 * - anything else thrown (TypeError, RangeError, a plain Error) is a failure, and so is a case that
 *   takes longer than `maxCaseMs` or allocates more typed-array/ArrayBuffer/gunzip memory than
 *   `allocFactor` × the file size (+ 1 MiB), which is how a hostile size field would show.
 *
 * Cases are reproducible: the same seed and case count give the same inputs.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { FileFormatError } from '../../src/io/errors.js';

/** A tiny, fast, seeded generator (mulberry32); the library's global RNG is left alone. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

/** A way to damage a file. `hot` is the end of the region worth most attention (headers), from the target. */
export interface Mutator {
  name: string;
  apply(bytes: Uint8Array, rng: Rng, ctx: { hot: number; seeds: readonly Uint8Array[] }): Uint8Array;
}

/** One row of the fuzz table: how to make valid files of a format and how the library reads them. */
export interface FuzzTarget {
  /** Name in reports, e.g. 'safetensors'. */
  name: string;
  /** Valid files to start from (built in memory, small, covering the format's variants). */
  seeds(): Uint8Array[];
  /** Read `bytes` as the file called `file`, the way the library does; return or throw FileFormatError. */
  parse(bytes: Uint8Array, file: string): unknown;
  /** Format-aware mutators, used beside the generic ones (about half the cases). */
  mutators?: Mutator[];
  /** Bytes from 0 to hot(seed) (e.g. the header) get most of the byte-level damage; default: the first 64. */
  hot?(bytes: Uint8Array): number;
  /** Allowed allocation per input byte (default 4; gzip targets need deflate's ratio, 1032). */
  allocFactor?: number;
  /** Offsets may point into the decompressed stream (gzip targets). */
  decompresses?: boolean;
}

/** A case that broke the contract. `input` is the mutated file, to save and replay. */
export interface FuzzFailure { target: string; caseIndex: number; mutators: string[]; problem: string; input: Uint8Array }

/** What a run did: cases per target, how they ended, and every failure. */
export interface FuzzReport {
  cases: number;
  perTarget: Record<string, { cases: number; accepted: number; rejected: number; maxMs: number; maxAllocRatio: number }>;
  failures: FuzzFailure[];
}

// ---------------------------------------------------------------- generic mutators

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x7b, 0x22, 0x5b, 0x2d, 0x30];
const INTERESTING_U64: readonly bigint[] = [0n, 1n, 0x7fn, 0xffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 2n ** 53n, 2n ** 53n + 1n,
  2n ** 62n, 7_500_000_000_000_000_000n, 2n ** 63n - 1n, 2n ** 64n - 1n];

const at = (rng: Rng, len: number, hot: number): number => (len === 0 ? 0 : rng.chance(0.75) ? rng.int(Math.max(1, Math.min(hot, len))) : rng.int(len));
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

/** Byte-level damage that applies to any format. */
export const GENERIC_MUTATORS: readonly Mutator[] = [
  { name: 'truncate', apply: (b, r, c) => b.slice(0, r.chance(0.5) ? at(r, b.length, c.hot) : r.int(b.length + 1)) },
  {
    name: 'bitflip', apply: (b, r, c) => {
      const out = b.slice();
      for (let k = 1 + r.int(8); k > 0 && out.length > 0; k--) { const i = at(r, out.length, c.hot); out[i] = out[i]! ^ (1 << r.int(8)); }
      return out;
    },
  },
  {
    name: 'byteset', apply: (b, r, c) => {
      const out = b.slice();
      for (let k = 1 + r.int(4); k > 0 && out.length > 0; k--) out[at(r, out.length, c.hot)] = r.pick(INTERESTING_BYTES);
      return out;
    },
  },
  {
    name: 'intfield', apply: (b, r, c) => {
      if (b.length < 4) return b.slice();
      const out = b.slice(), w = r.chance(0.5) ? 8 : 4, i = Math.min(at(r, out.length, c.hot), out.length - w);
      if (i < 0) return out;
      const v = r.pick(INTERESTING_U64) & ((1n << BigInt(8 * w)) - 1n);
      const le = r.chance(0.5);
      for (let k = 0; k < w; k++) out[i + (le ? k : w - 1 - k)] = Number((v >> BigInt(8 * k)) & 0xffn);
      return out;
    },
  },
  {
    name: 'insert', apply: (b, r, c) => {
      const i = at(r, b.length, c.hot), n = 1 + r.int(64);
      return cat(b.subarray(0, i), Uint8Array.from({ length: n }, () => (r.chance(0.5) ? r.pick(INTERESTING_BYTES) : r.int(256))), b.subarray(i));
    },
  },
  { name: 'delete', apply: (b, r, c) => { const i = at(r, b.length, c.hot); return cat(b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + r.int(32)))); } },
  {
    name: 'duplicate', apply: (b, r, c) => {
      const i = at(r, b.length, c.hot), j = Math.min(b.length, i + 1 + r.int(64)), k = at(r, b.length, c.hot);
      return cat(b.subarray(0, k), b.subarray(i, j), b.subarray(k));
    },
  },
  {
    name: 'splice', apply: (b, r, c) => {
      const o = r.pick(c.seeds);
      return cat(b.subarray(0, r.int(b.length + 1)), o.subarray(r.int(o.length + 1)));
    },
  },
];

// ---------------------------------------------------------------- allocation and time accounting

const TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array',
  'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;
const require = createRequire(import.meta.url);

/**
 * Count the bytes `fn` allocates through typed-array and ArrayBuffer constructors (including
 * `TypedArray.from`) and zlib's synchronous gunzip/inflate output. Views over existing buffers cost
 * nothing. Allocations made elsewhere (strings, JSON objects) are bounded by the input already.
 */
export function countAllocations<T>(fn: () => T): { value?: T; error?: unknown; bytes: number } {
  let bytes = 0;
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  for (const name of [...TYPED, 'ArrayBuffer', 'SharedArrayBuffer']) {
    const C = g[name] as (new (...a: unknown[]) => unknown) & { BYTES_PER_ELEMENT?: number };
    saved.set(name, C);
    g[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        const a0 = args[0];
        const per = target.BYTES_PER_ELEMENT ?? 1;
        if (typeof a0 === 'number') bytes += a0 * per;
        else if (a0 !== undefined && a0 !== null && !(a0 instanceof (saved.get('ArrayBuffer') as typeof ArrayBuffer)) &&
                 !(typeof SharedArrayBuffer !== 'undefined' && a0 instanceof (saved.get('SharedArrayBuffer') as typeof SharedArrayBuffer))) {
          const len = (a0 as { length?: unknown }).length;
          if (typeof len === 'number') bytes += len * per;
        }
        return Reflect.construct(target, args, newTarget === undefined ? target : newTarget);
      },
    });
  }
  const zlib = require('node:zlib') as Record<string, (...a: unknown[]) => Uint8Array>;
  const zsaved = new Map<string, (...a: unknown[]) => Uint8Array>();
  for (const z of ['gunzipSync', 'inflateSync', 'inflateRawSync', 'unzipSync']) {
    const f = zlib[z]!;
    zsaved.set(z, f);
    zlib[z] = (...a: unknown[]): Uint8Array => { const out = f(...a); bytes += out.length; return out; };
  }
  syncBuiltinESMExports();
  try {
    return { value: fn(), bytes };
  } catch (error) {
    return { error, bytes };
  } finally {
    for (const [name, C] of saved) g[name] = C;
    for (const [z, f] of zsaved) zlib[z] = f;
    syncBuiltinESMExports();
  }
}

// ---------------------------------------------------------------- the runner

/** Options of a run: cases per target, the run's seed, the per-case time limit. */
export interface FuzzOptions { casesPerTarget: number; seed: number; maxCaseMs?: number }

/** Run `opts.casesPerTarget` mutated inputs through every target; see the module comment for the contract. */
export function runFuzz(targets: readonly FuzzTarget[], opts: FuzzOptions): FuzzReport {
  const report: FuzzReport = { cases: 0, perTarget: {}, failures: [] };
  const maxMs = opts.maxCaseMs ?? 2000;
  targets.forEach((t, ti) => {
    const rng = new Rng((opts.seed * 0x9e3779b1 + ti * 0x85ebca6b) >>> 0);
    // Plain Uint8Array copies: a Buffer's slice() is a view, so a mutator's "copy" would damage the seed itself.
    const seeds = t.seeds().map((x) => new Uint8Array(x));
    const stats = { cases: 0, accepted: 0, rejected: 0, maxMs: 0, maxAllocRatio: 0 };
    report.perTarget[t.name] = stats;
    for (const [i, s] of seeds.entries()) {
      // The seeds themselves must parse: otherwise every "rejection" below proves nothing.
      const r = countAllocations(() => t.parse(s, `${t.name}-seed-${i}`));
      if (r.error !== undefined) {
        report.failures.push({ target: t.name, caseIndex: -1 - i, mutators: [], problem: `seed ${i} does not parse: ${String(r.error)}`, input: s });
      }
    }
    for (let c = 0; c < opts.casesPerTarget; c++) {
      const seed = rng.pick(seeds);
      let bytes = seed;
      const names: string[] = [];
      for (let k = 1 + (rng.chance(0.3) ? rng.int(3) : 0); k > 0; k--) {
        const special = t.mutators !== undefined && t.mutators.length > 0 && rng.chance(0.5);
        const m = special ? rng.pick(t.mutators!) : rng.pick(GENERIC_MUTATORS);
        names.push(m.name);
        try {
          bytes = new Uint8Array(m.apply(bytes, rng, { hot: t.hot?.(bytes) ?? 64, seeds }));
        } catch (e) {
          report.failures.push({ target: t.name, caseIndex: c, mutators: names, problem: `mutator ${m.name} threw: ${String(e)}`, input: bytes });
        }
      }
      const file = `${t.name}-case-${c}.bin`;
      const t0 = performance.now();
      const r = countAllocations(() => t.parse(bytes, file));
      const ms = performance.now() - t0;
      stats.cases++;
      report.cases++;
      stats.maxMs = Math.max(stats.maxMs, ms);
      const ratio = r.bytes / Math.max(1, bytes.length);
      stats.maxAllocRatio = Math.max(stats.maxAllocRatio, ratio);
      const fail = (problem: string): void => { report.failures.push({ target: t.name, caseIndex: c, mutators: names, problem, input: bytes }); };
      if (r.error === undefined) stats.accepted++;
      else if (r.error instanceof FileFormatError) {
        stats.rejected++;
        const e = r.error;
        if (e.file !== file) fail(`FileFormatError names '${e.file}', not the file '${file}': ${e.message}`);
        else if (!Number.isInteger(e.offset) || e.offset < 0 || (!(t.decompresses && e.decompressed) && e.offset > bytes.length)) {
          fail(`FileFormatError offset ${e.offset} is outside the ${bytes.length}-byte file: ${e.message}`);
        } else if (!e.message.startsWith(`${file}: `)) fail(`message does not start with the file name: ${e.message}`);
      } else {
        const err = r.error as Error;
        fail(`threw ${err?.name ?? typeof err} instead of FileFormatError: ${err?.message ?? String(err)}\n${err?.stack ?? ''}`);
      }
      const allowed = (t.allocFactor ?? 4) * bytes.length + 2 ** 20;
      if (r.bytes > allowed) fail(`allocated ${r.bytes} bytes for a ${bytes.length}-byte file (allowed ${allowed})`);
      if (ms > maxMs) fail(`took ${ms.toFixed(0)} ms (limit ${maxMs} ms)`);
    }
  });
  return report;
}
