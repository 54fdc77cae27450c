/** The committed .wasm modules are what assembly/ compiles to today (no stale artefact ships). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('src/backend/wasm/gen/*.wasm are byte-identical to a fresh build of assembly/ (run npm run build:wasm if not)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'convnet-wasm-'));
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--out', dir], { cwd: root, stdio: 'pipe' });
    for (const f of ['kernels-simd.wasm', 'kernels-relaxed.wasm', 'kernels-simd-single.wasm', 'kernels-relaxed-single.wasm']) {
      const fresh = readFileSync(path.join(dir, f));
      const committed = readFileSync(path.join(root, 'src/backend/wasm/gen', f));
      assert.ok(fresh.length > 1000, `${f}: fresh build is ${fresh.length} bytes`);
      assert.ok(fresh.equals(committed), `${f}: committed module (${committed.length} bytes) differs from a fresh build (${fresh.length} bytes)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
