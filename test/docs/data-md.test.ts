/** Runs every code block of docs/data.md: the TypeScript ones as modules (imports pointed at dist/), the `convnet` lines through bin/convnet.js. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { pattern, tempDir, writeImage } from '../helpers/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = fs.readFileSync(path.join(root, 'docs/data.md'), 'utf8');
const blocks = [...doc.matchAll(/```(ts|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
const cwd = tempDir('convnet-docs-data-');
after(() => fs.rmSync(cwd, { recursive: true, force: true }));

before(async () => {
  // pets/train: 10 images (batches of 4, 4, 2), pets/val: 6; three classes; sizes vary.
  for (let i = 0; i < 16; i++) {
    const split = i < 10 ? 'train' : 'val', c = ['cat', 'dog', 'emu'][i % 3]!;
    const name = i === 0 ? '001.png' : `${i}.${['png', 'jpg', 'webp'][i % 3]}`;
    await writeImage(path.join(cwd, 'pets', split, c, name), pattern(20 + i, 18, 3, i), 20 + i, 18, 3);
  }
  fs.symlinkSync(path.join(root, 'fixtures'), path.join(cwd, 'fixtures'));
});

const expected: string[][] = [
  ["[ 'cat', 'dog', 'emu' ]", '{ cat: 0, dog: 1, emu: 2 }', 'pets/train/cat/001.png', '[ 3, 64, 64 ] 0'],
  ['3 3 3 true', 'Uint8Array(3) [ 45, 48, 51 ]'],
  ['15 airplane 32', '4 7 - seven'],
  ['[ 4, 1, 28, 28 ] [ 4 ]', '[ 2, 1, 28, 28 ] [ 2 ]'],
];

test('docs/data.md has the blocks this test knows', () => {
  assert.equal(blocks.filter((b) => b.lang === 'ts').length, expected.length);
  assert.equal(blocks.filter((b) => b.lang === 'sh').length, 1);
});

blocks.filter((b) => b.lang === 'ts').forEach((b, k) => {
  test(`docs/data.md TypeScript block ${k + 1} runs and prints what its comments say`, () => {
    const code = b.code
      .replace(/from 'convnet-ts\/node'/g, `from ${JSON.stringify(pathToFileURL(path.join(root, 'dist/src/node.js')).href)}`)
      .replace(/from 'convnet-ts'/g, `from ${JSON.stringify(pathToFileURL(path.join(root, 'dist/src/index.js')).href)}`);
    const file = path.join(cwd, `block${k + 1}.mjs`);
    fs.writeFileSync(file, code);
    const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const want of expected[k]!) assert.ok(r.stdout.includes(want), `block ${k + 1}: '${want}' not in:\n${r.stdout}`);
  });
});

test('docs/data.md command lines run: train ResNet-18 on a folder, then eval prints per-class accuracy', () => {
  const lines = blocks.find((b) => b.lang === 'sh')!.code.trim().split('\n');
  const outs = lines.map((line) => {
    assert.match(line, /^convnet /);
    const r = spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), ...line.split(/\s+/).slice(1)], { cwd, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `${line}\n${r.stderr}`);
    return r.stdout;
  });
  assert.match(outs[0]!, /epoch 1\/1  train loss/);
  assert.match(outs[1]!, /resnet18 pets\.safetensors \(epoch 1\): test loss .* on 6 images[\s\S]*cat\s+2\s+\d\.\d{4}\n  dog\s+2\s+\d\.\d{4}\n  emu\s+2/);
});
