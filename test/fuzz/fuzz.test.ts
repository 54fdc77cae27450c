/**
 * Hostile input, tested: every file reader against thousands of mutated files (bounded here;
 * `npm run fuzz` runs many more). CONVNET_FUZZ_CASES sets the cases per target,
 * CONVNET_FUZZ_SEED the seed ('random' for a fresh one, printed so a failure can be replayed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { countAllocations, runFuzz, type FuzzTarget } from './harness.js';
import { FUZZ_TARGETS } from './targets.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { FileFormatError } from '../../src/io/errors.js';
import { encodeIdx, readIdx } from '../../src/data/idx.js';
import { gzipSync } from 'node:zlib';

const CASES = Number(process.env.CONVNET_FUZZ_CASES ?? 800);
const SEED = process.env.CONVNET_FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.CONVNET_FUZZ_SEED ?? 20261207);

test(`fuzz: ${CASES} mutated files per reader end in a FileFormatError naming file and offset (seed ${SEED})`, { timeout: 60 * 60_000 }, () => {
  const t0 = performance.now();
  const report = runFuzz(FUZZ_TARGETS, { casesPerTarget: CASES, seed: SEED });
  const secs = (performance.now() - t0) / 1000;
  for (const [name, s] of Object.entries(report.perTarget)) {
    console.log(`fuzz ${name}: ${s.cases} cases, ${s.rejected} rejected, ${s.accepted} accepted, slowest ${s.maxMs.toFixed(1)} ms, ` +
      `largest allocation ${s.maxAllocRatio.toFixed(2)}x the file`);
  }
  console.log(`fuzz: ${report.cases} cases in ${secs.toFixed(1)} s (seed ${SEED})`);
  if (report.failures.length > 0) {
    const dir = mkdtempSync(path.join(tmpdir(), 'convnet-fuzz-'));
    const lines = report.failures.slice(0, 20).map((f, i) => {
      const file = path.join(dir, `${f.target.replace(/\W+/g, '_')}-${f.caseIndex}.bin`);
      writeFileSync(file, f.input);
      return `${i + 1}. ${f.target} case ${f.caseIndex} [${f.mutators.join(' + ')}] (input saved as ${file}): ${f.problem}`;
    });
    assert.fail(`${report.failures.length} fuzz case(s) broke the reader contract (replay: CONVNET_FUZZ_SEED=${SEED} CONVNET_FUZZ_CASES=${CASES}):\n${lines.join('\n')}`);
  }
  assert.equal(report.cases, CASES * FUZZ_TARGETS.length);
  for (const [name, s] of Object.entries(report.perTarget)) {
    // A fuzzer that never reaches an error path (or never produces a readable file) is not testing much.
    assert.ok(s.rejected > CASES / 4, `${name}: only ${s.rejected} of ${s.cases} cases were rejected`);
  }
});

test('the cases the issue names: a 7.5e18-byte header, huge shapes, negative or overlapping offsets, deep JSON', () => {
  const good = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) }, b: { dtype: 'F32', shape: [2], data: Float32Array.from([3, 4]) } });
  const header = (h: object): Uint8Array => {
    const t = Buffer.from(JSON.stringify(h));
    const out = new Uint8Array(8 + t.length + 16);
    new DataView(out.buffer).setBigUint64(0, BigInt(t.length), true);
    out.set(t, 8);
    return out;
  };
  const huge = good.slice();
  new DataView(huge.buffer).setBigUint64(0, 7_500_000_000_000_000_000n, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['huge header length', huge, /header length 7500000000000000000 \(bytes 0\.\.8\) runs past the end/],
    ['huge shape', header({ a: { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 16] } }), /shape \[1000000000,1000000000\] is too large/],
    ['negative offset', header({ a: { dtype: 'F32', shape: [4], data_offsets: [-4, 12] } }), /data_offsets must be \[begin, end\]/],
    ['overlap', header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }), /overlap of 4 bytes/],
    ['past the end', header({ a: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }), /gap of 8 bytes/],
    ['wrong dtype', header({ a: { dtype: 'F8_E4M3', shape: [16], data_offsets: [0, 16] } }), /unknown or unsupported dtype "F8_E4M3"/],
    ['deep JSON shape', header({ a: { dtype: 'F32', shape: 'DEEP', data_offsets: [0, 16] } }), /shape \[\[\[\[/],
  ];
  const deepText = '['.repeat(100_000) + ']'.repeat(100_000);
  cases[6]![1] = (() => {
    const t = Buffer.from(JSON.stringify({ a: { dtype: 'F32', shape: 'DEEP', data_offsets: [0, 16] } }).replace('"DEEP"', deepText));
    const out = new Uint8Array(8 + t.length + 16);
    new DataView(out.buffer).setBigUint64(0, BigInt(t.length), true);
    out.set(t, 8);
    return out;
  })();
  for (const [what, bytes, re] of cases) {
    const r = countAllocations(() => decodeSafetensors(bytes, 'hostile.safetensors'));
    assert.ok(r.error instanceof FileFormatError, `${what}: ${String(r.error)}`);
    assert.equal(r.error.file, 'hostile.safetensors', what);
    assert.ok(Number.isInteger(r.error.offset) && r.error.offset >= 0 && r.error.offset <= bytes.length, `${what}: offset ${r.error.offset}`);
    assert.match(r.error.message, re, what);
    assert.ok(r.bytes <= bytes.length, `${what}: allocated ${r.bytes} bytes for a ${bytes.length}-byte file`);
  }
});

test('a gzip bomb behind a valid IDX header allocates only what the header declares', () => {
  const bomb = gzipSync(Buffer.concat([encodeIdx({ dtype: 'uint8', dims: [1], data: Uint8Array.from([3]) }), new Uint8Array(32 * 2 ** 20)]), { level: 9 });
  const r = countAllocations(() => readIdx(bomb, 'bomb.gz'));
  assert.ok(r.error instanceof FileFormatError && r.error.offset === 9 && r.error.decompressed, String(r.error));
  // Reading the header decompresses at most a 256-byte prefix (<= 1032 x 256 bytes out), never the 32 MiB.
  assert.ok(r.bytes <= 1032 * 256 + 1024, `allocated ${r.bytes} bytes`);
});

test('the harness catches readers that break the contract (it can fail)', () => {
  const seeds = (): Uint8Array[] => [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])];
  const bad: FuzzTarget[] = [
    { name: 'crashes', seeds, parse: (b) => { if (b.length !== 8) throw new TypeError('boom'); } },
    { name: 'greedy', seeds, parse: (b) => new Float64Array(b.length === 8 ? 1 : 2 ** 20) },
    { name: 'anonymous', seeds, parse: (b, f) => { if (b.length !== 8) throw new FileFormatError(`${f}.other`, 0, 'x'); } },
    { name: 'offset', seeds, parse: (b, f) => { if (b.length !== 8) throw new FileFormatError(f, b.length + 100, `at byte ${b.length + 100}: x`); } },
    { name: 'slow', seeds, parse: (b) => { if (b.length !== 8) { const t = performance.now(); while (performance.now() - t < 30); } } },
  ];
  const report = runFuzz(bad, { casesPerTarget: 40, seed: 1, maxCaseMs: 20 });
  const problems = (name: string): string[] => report.failures.filter((f) => f.target === name).map((f) => f.problem);
  assert.ok(problems('crashes').some((p) => /threw TypeError instead of FileFormatError: boom/.test(p)));
  assert.ok(problems('greedy').some((p) => /allocated 8388608 bytes for a \d+-byte file/.test(p)));
  assert.ok(problems('anonymous').some((p) => /FileFormatError names '.*\.other', not the file/.test(p)));
  assert.ok(problems('offset').some((p) => /offset \d+ is outside the \d+-byte file/.test(p)));
  assert.ok(problems('slow').some((p) => /took \d+ ms \(limit 20 ms\)/.test(p)));
});
