// Every ```ts snippet of docs/architecture.md runs (as an ES module importing the package by
// name) and prints `true`, so the documented behaviour stays true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

for (const doc of ['docs/architecture.md']) {
  const text = readFileSync(path.join(root, doc), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  test(`${doc} has snippets`, () => assert.ok(blocks.length > 0));
  blocks.forEach((code, k) => {
    test(`${doc} snippet ${k + 1} runs and prints true`, () => {
      // Inside the package, so `import ... from 'convnet-ts'` resolves to this build (package self-reference).
      const file = path.join(root, 'dist', `.snippet-${path.basename(doc, '.md')}-${k}.mjs`);
      writeFileSync(file, code);
      try {
        const r = spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: root });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim().split('\n').pop(), 'true', r.stdout + r.stderr);
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
}
