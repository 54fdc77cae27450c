/**
 * The universal code path imports nothing from Node: walking the compiled import graph of the
 * backend layer's entry (dist/src/backend/index.js: the active backend, the wasm backend, the
 * platform seam) and of the tensor and nn layers finds no `node:` (or bare built-in) specifier;
 * only the Node platform (dist/src/backend/platform/node.js, installed by the Node entry) may
 * import them. The package's universal entry (dist/src/index.js) will join this list once its
 * file I/O moves behind the Node entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeImports } from '../helpers/import-graph.js';

const dist = fileURLToPath(new URL('../../src/', import.meta.url));
const ENTRIES = ['backend/index.js', 'backend/wasm/index.js', 'tensor/creation.js', 'nn/functional.js'];

for (const entry of ENTRIES) {
  test(`no Node built-in is reachable from dist/src/${entry}`, () => {
    const { files, offenders } = nodeImports(path.join(dist, entry));
    assert.ok(files.length > 1, `${entry}: the walk found its imports`);
    assert.ok(!files.some((f) => f.endsWith(path.join('platform', 'node.js'))), `${entry} reaches platform/node.js`);
    assert.deepEqual(offenders.map((o) => `${path.relative(dist, o.file)}: ${o.spec}`), []);
  });
}

test('the Node platform is the one backend file that imports Node (the walker sees its imports)', () => {
  const { offenders } = nodeImports(path.join(dist, 'backend/platform/node.js'));
  const specs = new Set(offenders.filter((o) => o.file.endsWith(path.join('platform', 'node.js'))).map((o) => o.spec));
  for (const s of ['node:fs', 'node:os', 'node:v8', 'node:worker_threads']) assert.ok(specs.has(s), `walker found ${s}`);
  assert.ok(offenders.every((o) => o.file.endsWith(path.join('platform', 'node.js'))), 'only node.js itself');
});
