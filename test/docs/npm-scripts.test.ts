/**
 * The README's first block: `npm ci && npm start` and `npm test`. CI (.ci/run) runs `npm ci` and
 * `npm test` on a clean clone; this test checks that is what .ci/run does, and runs `npm start`
 * in two parts: its build step is the one `npm test` has just run, and its command (the CLI
 * training LeNet) runs here with CONVNET_MAX_BATCHES=2, so it takes seconds rather than a minute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

test('npm test and npm ci are what CI runs (.ci/run)', () => {
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8').split('\n').map((l) => l.trim());
  assert.ok(ci.some((l) => /^npm ci\b/.test(l)), '.ci/run installs with npm ci');
  assert.ok(ci.includes('npm test'), '.ci/run runs npm test');
  assert.match(pkg.scripts.test!, /^npm run build && /, 'npm test builds first');
});

test('npm start = build, then convnet train lenet (run here with 2 batches per epoch)', () => {
  const m = /^npm run build && (node bin\/convnet\.js train lenet)$/.exec(pkg.scripts.start!);
  assert.ok(m !== null, `start script: ${pkg.scripts.start}`);
  const r = spawnSync('bash', ['-c', m[1]!], { cwd: root, encoding: 'utf8', timeout: 300_000, env: { ...process.env, CONVNET_MAX_BATCHES: '2' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^training lenet \(61,706 parameters\) on 60000 Fashion-MNIST images 28x28, validating on 10000; sgd lr 0\.1, batch 128, epochs 1\.\.10/m);
  assert.equal((r.stdout.match(/^epoch \d+\/10  train loss /gm) ?? []).length, 10);
  assert.match(r.stderr, /CONVNET_MAX_BATCHES=2: each epoch runs 2 of 469 training and 2 of 79 validation batches/);
});
