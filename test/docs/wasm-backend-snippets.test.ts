/**
 * Every ```ts block of docs/wasm-backend.md runs: `from 'convnet-ts'` is pointed at this build's
 * dist/src/index.js and the block runs as an ES module in a child Node process (the browser
 * snippet too: in Node, ready() resolves at once).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(path.join(root, 'docs/wasm-backend.md'), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const entry = pathToFileURL(path.join(root, 'dist/src/index.js')).href;

test('docs/wasm-backend.md has TypeScript snippets', () => assert.ok(blocks.length >= 2));

blocks.forEach((src, i) => {
  test(`docs/wasm-backend.md snippet ${i + 1} runs`, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'convnet-doc-'));
    try {
      const file = path.join(dir, 'snippet.mjs');
      writeFileSync(file, src.replaceAll("from 'convnet-ts'", `from ${JSON.stringify(entry)}`));
      execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
