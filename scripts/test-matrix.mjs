#!/usr/bin/env node
// `npm test` after the build: the whole suite once on the default backend, then every op suite
// (tensor, autograd, nn, d2l, optim, examples) once per test-matrix entry — ref, wasm 1 thread,
// wasm 2 threads with split thresholds forcing the worker path, plain SIMD — each in its own
// `node --test` run with CONVNET_TEST_BACKEND set and test/helpers/matrix.ts preloaded, so every
// suite in the run uses that backend. `node scripts/test-matrix.mjs wasm2 ref` runs only those
// entries (and skips the whole-suite run); exits non-zero when any run fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MATRIX = ['ref', 'wasm1', 'wasm2', 'simd'];
const OP_SUITES = ['tensor', 'autograd', 'nn', 'd2l', 'optim', 'examples'].map((d) => `dist/test/${d}`);
const PRELOAD = './dist/test/helpers/matrix.js';

const asked = process.argv.slice(2);
for (const a of asked) {
  if (!MATRIX.includes(a)) { console.error(`test-matrix: unknown entry '${a}' (expected: ${MATRIX.join(', ')})`); process.exit(2); }
}

const runs = [];
if (asked.length === 0) runs.push({ label: 'all suites, default backend', env: {}, args: ['--test', '--test-reporter=spec', 'dist/test/'] });
for (const entry of asked.length ? asked : MATRIX) {
  runs.push({ label: `op suites, CONVNET_TEST_BACKEND=${entry}`, env: { CONVNET_TEST_BACKEND: entry },
    args: ['--import', PRELOAD, '--test', '--test-reporter=spec', ...OP_SUITES] });
}

const failed = [];
for (const r of runs) {
  console.log(`\n=== ${r.label} ===`);
  const t0 = Date.now();
  const res = spawnSync(process.execPath, r.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...r.env } });
  console.log(`=== ${r.label}: ${res.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`);
  if (res.status !== 0) failed.push(r.label);
}
if (failed.length) {
  console.error(`\ntest-matrix: failed: ${failed.join('; ')}`);
  process.exit(1);
}
