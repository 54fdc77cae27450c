import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveBackend, sharedWasmBackend, BACKEND_NAMES } from '../../src/backend/index.js';
import { getBackend, setBackend, selectBackend } from '../../src/backend/index.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';

test('selectBackend: js, wasm and auto make a backend current; unknown names list the known ones', () => {
  const prev = getBackend();
  try {
    assert.equal(selectBackend('js'), refBackend);
    assert.equal(getBackend(), refBackend);
    const wasm = selectBackend('wasm');
    assert.ok(wasm instanceof WasmBackend);
    assert.equal(wasm, sharedWasmBackend(), 'one shared wasm instance');
    assert.equal(getBackend(), wasm);
    // Node 20 validates the SIMD build, so auto is the wasm backend here.
    assert.equal(selectBackend('auto'), wasm);
    assert.throws(() => selectBackend('cuda'), /unknown backend 'cuda' \(expected one of: auto, js, wasm\)/);
    assert.deepEqual([...BACKEND_NAMES], ['auto', 'js', 'wasm']);
    assert.equal(resolveBackend('js'), refBackend);
  } finally {
    setBackend(prev);
  }
});

// The default is resolved on the first op; run in child processes so this process's choice is untouched.
const registry = new URL('../../src/backend/index.js', import.meta.url).href;
function defaultName(env: Record<string, string>): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { getBackend } from ${JSON.stringify(registry)}; console.log(getBackend().name);`],
  { encoding: 'utf8', env: { ...process.env, ...env }, cwd: fileURLToPath(new URL('.', import.meta.url)) });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

test('setBackend before any op returns null and builds no default; setBackend(null) defers to the default again', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { getBackend, setBackend } from ${JSON.stringify(registry)};
    import { refBackend } from ${JSON.stringify(new URL('../../src/backend/ref/index.js', import.meta.url).href)};
    const first = setBackend(refBackend);
    const again = setBackend(null);
    console.log(JSON.stringify({ first, again: again === refBackend, next: getBackend().name }));`],
  { encoding: 'utf8', env: { ...process.env, CONVNET_BACKEND: 'js' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { first: null, again: true, next: 'js' });
});

test('the default backend is $CONVNET_BACKEND, else auto (wasm); a bad value names the variable', () => {
  const auto = defaultName({ CONVNET_BACKEND: '' });
  assert.equal(auto.status, 0, auto.err);
  assert.match(auto.out, /^wasm-(relaxed|simd)-\d+t$/);
  assert.equal(defaultName({ CONVNET_BACKEND: 'js' }).out, 'js');
  const bad = defaultName({ CONVNET_BACKEND: 'gpu' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.err, /CONVNET_BACKEND=gpu: unknown backend 'gpu'/);
});
