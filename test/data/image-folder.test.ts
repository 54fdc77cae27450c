/** ImageFolder: torchvision's folder semantics, decoding against PIL, and every kind of bad input. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ImageFolder } from '../../src/data/node/image-folder.js';
import { decodeImageFile } from '../../src/data/node/decode.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { Compose, Resize, ToTensor } from '../../src/data/transforms/transforms.js';
import type { SkippedSample } from '../../src/data/loader/batch.js';
import { loadFixture } from '../helpers/fixtures.js';
import { pattern, tempDir, writeImage } from '../helpers/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = tempDir('convnet-imagefolder-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('classes sorted, classToIdx, samples sorted by class then path (nested folders too), other files and dot-files ignored', async () => {
  const r = path.join(tmp, 'sem');
  for (const [f, w] of [['zebra/b.png', 4], ['zebra/a.PNG', 4], ['Apple/x.jpg', 4], ['apple/2.webp', 4], ['apple/10.png', 4], ['apple/sub/1.png', 4]] as const) {
    await writeImage(path.join(r, f), pattern(w, 3, 3, 1), w, 3, 3);
  }
  fs.writeFileSync(path.join(r, 'apple', 'notes.txt'), 'not an image');
  fs.writeFileSync(path.join(r, 'apple', '._10.png'), 'macOS resource fork');
  fs.writeFileSync(path.join(r, 'README.md'), 'top-level files are not classes');
  const ds = new ImageFolder(r);
  assert.deepEqual(ds.classes, ['Apple', 'apple', 'zebra']);   // code-point order, like Python's sorted()
  assert.deepEqual(ds.classToIdx, { Apple: 0, apple: 1, zebra: 2 });
  assert.deepEqual(ds.samples.map(([p, c]) => [path.relative(r, p), c]), [
    ['Apple/x.jpg', 0], ['apple/10.png', 1], ['apple/2.webp', 1], ['apple/sub/1.png', 1], ['zebra/a.PNG', 2], ['zebra/b.png', 2],
  ]);
  assert.deepEqual(Array.from(ds.targets), [0, 1, 1, 1, 2, 2]);
  assert.equal(ds.length, 6);
  const [x, y] = await ds.get(2);
  assert.equal(y, 1);
  assert.ok('kind' in x && x.kind === 'pixels' && x.channels === 3 && x.width === 4 && x.height === 3);
});

test('decoding matches PIL: PNG and lossless WebP exactly, JPEG within the IDCT rounding of two libjpeg builds; gray files replicate to RGB', async () => {
  const fx = loadFixture<{ decode: Record<string, { h: number; w: number; data: number[] }> }>('transforms/transforms.json');
  for (const [name, want] of Object.entries(fx.decode)) {
    const img = await decodeImageFile(path.join(root, 'fixtures/transforms', name), 3);
    assert.deepEqual([img.height, img.width, img.channels], [want.h, want.w, 3], name);
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(img.data[i]! - want.data[i]!));
    // Measured: 0 for every file here (sharp's mozjpeg and Debian's libjpeg-turbo agree on these); 1 allowed for JPEG.
    assert.ok(worst <= (name.endsWith('.jpg') ? 1 : 0), `${name}: max |diff| ${worst}`);
  }
  const gray = await decodeImageFile(path.join(root, 'fixtures/transforms/decode-gray.png'), 1);
  assert.equal(gray.channels, 1);
});

test('errors name the folder and the fix: missing root, a file as root, no class folders, empty class folders', async () => {
  assert.throws(() => new ImageFolder(path.join(tmp, 'nope')), /ImageFolder: root '.*nope' does not exist/);
  const f = path.join(tmp, 'file.png');
  fs.writeFileSync(f, 'x');
  assert.throws(() => new ImageFolder(f), /is a file; give the folder that holds one sub-folder per class/);
  const flat = path.join(tmp, 'flat');
  await writeImage(path.join(flat, 'a.png'), pattern(2, 2, 1, 0), 2, 2, 1);
  assert.throws(() => new ImageFolder(flat), /no class folders in '.*flat': expected one sub-folder per class, e\.g\. .*cat.*001\.png/);
  const empty = path.join(tmp, 'empty');
  await writeImage(path.join(empty, 'cat', 'a.png'), pattern(2, 2, 1, 0), 2, 2, 1);
  fs.mkdirSync(path.join(empty, 'dog'));
  fs.writeFileSync(path.join(empty, 'dog', 'readme.txt'), '');
  assert.throws(() => new ImageFolder(empty), /class folder '.*empty\/dog' has no images \(\.jpg, \.jpeg, \.png.*\); add images, remove the folder, or pass allowEmpty: true/);
  const ok = new ImageFolder(empty, { allowEmpty: true });
  assert.deepEqual(ok.classes, ['cat', 'dog']);
  assert.equal(ok.length, 1);
});

let bad = 0;
async function badFolder(): Promise<string> {
  const r = path.join(tmp, `bad${bad++}`);
  for (let i = 0; i < 6; i++) await writeImage(path.join(r, i % 2 ? 'b' : 'a', `${i}.png`), pattern(5, 4, 3, i), 5, 4, 3);
  const good = fs.readFileSync(path.join(r, 'a', '0.png'));
  fs.writeFileSync(path.join(r, 'a', '7-truncated.png'), good.subarray(0, good.length >> 1));
  fs.writeFileSync(path.join(r, 'b', '8-garbage.jpg'), Buffer.from('this is not a jpeg at all'));
  fs.symlinkSync(path.join(r, 'gone.png'), path.join(r, 'b', '9-dangling.png'));
  return r;
}

test('a corrupt or truncated image stops the run naming the file (default), with numWorkers 0 and 2', async () => {
  const r = await badFolder();
  const ds = new ImageFolder(r, { transform: new ToTensor() });
  for (const numWorkers of [0, 2]) {
    const dl = new DataLoader(ds, { batchSize: 9, numWorkers });
    assert.throws(() => [...dl], /a\/7-truncated\.png: cannot decode the image \(corrupt, truncated or not an image: .*\)/, `numWorkers ${numWorkers}`);
    dl.close();
  }
  await assert.rejects(ds.get(ds.samples.findIndex(([p]) => p.endsWith('8-garbage.jpg'))), /8-garbage\.jpg: cannot decode the image/);
  await assert.rejects(ds.get(ds.samples.findIndex(([p]) => p.endsWith('9-dangling.png'))), /9-dangling\.png: file not found/);
});

test('skipBadImages leaves the bad files out, reports each once per epoch, and keeps the rest of the batch', async () => {
  const r = await badFolder();
  const ds = new ImageFolder(r, { transform: new ToTensor(), skipBadImages: true });
  for (const numWorkers of [0, 1]) {
    const seen: SkippedSample[] = [];
    const dl = new DataLoader(ds, { batchSize: 4, numWorkers, onSkip: (s) => seen.push(s) });
    const batches = [...dl];
    dl.close();
    assert.equal(batches.reduce((n, [, y]) => n + y.shape[0]!, 0), 6, 'the six good images');
    assert.deepEqual(seen.map((s) => path.basename(s.name)).sort(), ['7-truncated.png', '8-garbage.jpg', '9-dangling.png']);
    assert.match(seen.find((s) => s.name.endsWith('9-dangling.png'))!.reason, /file not found/);
  }
});

test('images of different sizes without Resize: the error names two files and the fix; with Resize they batch', async () => {
  const r = path.join(tmp, 'mixed');
  await writeImage(path.join(r, 'a', '0.png'), pattern(8, 6, 3, 0), 8, 6, 3);
  await writeImage(path.join(r, 'a', '1.png'), pattern(9, 6, 3, 1), 9, 6, 3);
  const dl = new DataLoader(new ImageFolder(r, { transform: new ToTensor() }), { batchSize: 2 });
  assert.throws(() => [...dl], /images of different sizes in one batch: .*a\/0\.png gives \[3, 6, 8\] but .*a\/1\.png gives \[3, 6, 9\] \(C, H, W\); add a Resize \(CLI: --resize N\)/);
  dl.close();
  const ok = new DataLoader(new ImageFolder(r, { transform: new Compose([new Resize([6, 6]), new ToTensor()]), channels: 1 }), { batchSize: 2 });
  assert.deepEqual([...ok][0]![0].shape, [2, 1, 6, 6]);
  ok.close();
});

test('a transform that workers cannot rebuild is refused before any thread starts, with what to do', () => {
  const r = path.join(tmp, 'mixed');
  class Invert extends ToTensor { override spec() { return { name: 'Invert', args: [] }; } }
  const ds = new ImageFolder(r, { transform: new Invert() });
  assert.throws(() => [...new DataLoader(ds, { numWorkers: 1 })], /transform 'Invert' is not registered, so data workers cannot rebuild it \(registerTransform\('Invert', Class\) .* or numWorkers: 0\)/);
  const dl = new DataLoader(ds, { numWorkers: 0, batchSize: 1 });
  assert.equal([...dl].length, 2, 'numWorkers 0 runs any transform on the calling thread');
  dl.close();
});

test('without sharp installed, ImageFolder says exactly what to install', () => {
  const hook = `data:text/javascript,${encodeURIComponent(`export async function resolve(s, c, next) { if (s === 'sharp') { const e = new Error("Cannot find package 'sharp'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`)}`;
  const reg = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
  const script = `import { ImageFolder } from ${JSON.stringify(path.join(root, 'dist/src/data/node/image-folder.js'))};
    const ds = new ImageFolder(${JSON.stringify(path.join(tmp, 'mixed'))});
    ds.get(0).then(() => console.log('decoded?'), (e) => { console.log(e.message); });`;
  const r = spawnSync(process.execPath, ['--import', reg, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.match(r.stdout, /decoding images in Node needs the optional dependency 'sharp' \(libvips, prebuilt binaries from npm\): run 'npm install sharp' \(it is not installed\)/, r.stderr);
});
