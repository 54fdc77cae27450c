/**
 * Worker threads start however Node is launched: an ES module file, a CommonJS file, `-e`,
 * `--input-type=module -e` / `--eval` (where eval'd code has no `require`, which the old
 * eval'd worker used: it waited 30 s and died), and a script bundled into one file by esbuild
 * (ESM and CommonJS; the kernel modules then come from setWasmPaths). Each run does a 300x300
 * matmul on 2 threads, finishes, and reports its worker running.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entryFile = path.join(root, 'dist/src/index.js');
const entry = pathToFileURL(entryFile).href;
const gen = path.join(root, 'src/backend/wasm/gen') + path.sep;
const body = (paths: boolean): string => [
  paths ? `m.setWasmPaths(${JSON.stringify(gen)});` : '',
  'const s = m.randn(300, 300).matmul(m.randn(300, 300)).sum().item();',
  'const running = await m.sharedWasmBackend().whenStarted(30000);',
  'console.log(JSON.stringify({ finite: Number.isFinite(s), backend: m.getBackend().name, running }));',
].join('\n');
const esm = (paths = false, from = entry): string => `import * as m from ${JSON.stringify(from)};\n${body(paths)}\n`;
const cjs = `(async () => { const m = await import(${JSON.stringify(entry)});\n${body(false)}\n})();\n`;

describe('Node launch modes: the wasm worker starts and the process ends', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'convnet-launch-')); });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  function run(args: string[]): { finite: boolean; backend: string; running: number } {
    const out = execFileSync(process.execPath, args, {
      cwd: dir, timeout: 90000, encoding: 'utf8', env: { ...process.env, CONVNET_WASM_THREADS: '2', CONVNET_BACKEND: 'wasm' },
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  }

  function check(r: { finite: boolean; backend: string; running: number }): void {
    assert.ok(r.finite);
    assert.match(r.backend, /^wasm-(relaxed|simd)-2t$/);
    assert.equal(r.running, 1, 'the worker thread is running');
  }

  it('an ES module file', () => { writeFileSync(path.join(dir, 'a.mjs'), esm()); check(run(['a.mjs'])); });
  it('a CommonJS file', () => { writeFileSync(path.join(dir, 'a.cjs'), cjs); check(run(['a.cjs'])); });
  it('node -e (CommonJS)', () => check(run(['-e', cjs])));
  it('node --input-type=module -e', () => check(run(['--input-type=module', '-e', esm()])));
  it('node --input-type=module --eval', () => check(run(['--input-type=module', '--eval', esm()])));
  it('a script bundled by esbuild (ESM and CommonJS), kernels from setWasmPaths', async () => {
    const esbuild = await import('esbuild');
    for (const format of ['esm', 'cjs'] as const) {
      const out = path.join(dir, `bundle.${format === 'esm' ? 'mjs' : 'cjs'}`);
      // The CommonJS form cannot hold a top-level await: wrap the script.
      // (esbuild resolves paths, not file: URLs.)
      const contents = format === 'esm' ? esm(true, entryFile) : `import * as m from ${JSON.stringify(entryFile)};\n(async () => {\n${body(true)}\n})();\n`;
      await esbuild.build({ stdin: { contents, resolveDir: dir, loader: 'js' }, bundle: true, platform: 'node', format, outfile: out, logLevel: 'silent' });
      check(run([out]));
    }
  });
});
