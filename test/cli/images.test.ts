/** `convnet train/eval --data DIR|NAME`: folders and datasets, augmentation, class names in checkpoints, per-class eval, and bad input. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensorsFile, writeSafetensorsFile } from '../../src/io/safetensors.js';
import { pattern, tempDir, writeImage } from '../helpers/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = tempDir('convnet-cli-images-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function convnet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const rgb = path.join(tmp, 'rgb'), rgbVal = path.join(tmp, 'rgb-val');
const CLASSES = ['cat', 'dog', 'emu'];
before(async () => {
  for (let i = 0; i < 30; i++) {
    const c = CLASSES[i % 3]!, w = 18 + (i % 5), h = 20 - (i % 4);
    await writeImage(path.join(i < 24 ? rgb : rgbVal, c, `${i}.${i % 2 ? 'png' : 'jpg'}`), pattern(w, h, 3, i + 10 * (i % 3)), w, h, 3);
  }
});

test('train on a folder with --augment, --resize, --workers; the checkpoint keeps the class names; eval prints per-class accuracy', () => {
  const ck = path.join(tmp, 'rgb.safetensors');
  const r = convnet('train', 'lenet-modern', '--data', rgb, '--val-data', rgbVal, '--resize', '16', '--augment', 'flip,crop,jitter',
    '--workers', '2', '--batch-size', '8', '--epochs', '2', '--json', '--quiet', '--save', ck);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /on 24 images in .*rgb \(3 classes, RGB\) 16x16, augment flip\+crop\+jitter, validating on 6 images in .*rgb-val/);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { train_examples: number; val_acc: number });
  assert.equal(recs.length, 2);
  assert.equal(recs[1]!.train_examples, 24);
  const md = readSafetensorsFile(ck).metadata!;
  assert.deepEqual(JSON.parse(md.classes!), CLASSES);
  assert.deepEqual(JSON.parse(md.data!), { channels: 3, size: [16, 16] });
  assert.equal(readSafetensorsFile(ck).tensors.get('net.11.weight')?.shape[0], 3, 'three outputs for three classes');

  const ev = convnet('eval', 'lenet-modern', '--weights', ck, '--data', rgbVal);
  assert.equal(ev.status, 0, ev.stderr);
  assert.match(ev.stdout, /lenet-modern .*rgb\.safetensors \(epoch 2\): test loss \d\.\d{4}  test acc \d\.\d{4}  on 6 images/);
  assert.match(ev.stdout, /class\s+images\s+accuracy\n  cat\s+2\s+\d\.\d{4}\n  dog\s+2\s+\d\.\d{4}\n  emu\s+2\s+\d\.\d{4}\n/);
  const js = JSON.parse(convnet('eval', 'lenet-modern', '--weights', ck, '--data', rgbVal, '--json').stdout) as { test_acc: number; per_class: Record<string, { n: number; acc: number }> };
  assert.ok(Math.abs(js.test_acc - recs[1]!.val_acc) < 1e-9, 'eval repeats the last validation');
  assert.deepEqual(Object.keys(js.per_class), CLASSES);

  // A folder with only some classes is labelled by the checkpoint's names, not renumbered.
  const some = path.join(tmp, 'only-emu');
  fs.mkdirSync(path.join(some, 'emu'), { recursive: true });
  for (const f of fs.readdirSync(path.join(rgbVal, 'emu'))) fs.copyFileSync(path.join(rgbVal, 'emu', f), path.join(some, 'emu', f));
  const one = JSON.parse(convnet('eval', 'lenet-modern', '--weights', ck, '--data', some, '--json').stdout) as { per_class: Record<string, { n: number; acc: number }> };
  assert.deepEqual(one.per_class.emu, js.per_class.emu);
  fs.mkdirSync(path.join(some, 'yak'));
  const bad = convnet('eval', 'lenet-modern', '--weights', ck, '--data', some);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /convnet: error: ImageFolder: folder '.*only-emu\/yak' is not among the expected classes \(cat, dog, emu\); rename or remove it/);

  // Channels: the checkpoint's count wins; asking for another is a usage error naming the fix.
  const ch = convnet('eval', 'lenet-modern', '--weights', ck, '--data', rgbVal, '--channels', '1');
  assert.equal(ch.status, 2);
  assert.match(ch.stderr, /option --channels: .* was trained on 3-channel images; drop --channels 1/);
});

test('a model whose first convolution takes 4 channels: eval says images give 1 or 3', () => {
  const st = readSafetensorsFile(path.join(tmp, 'rgb.safetensors'));
  const entries: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [k, t] of st.tensors) if (!k.startsWith('__optimizer__')) entries[k] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.data as Float32Array) };
  entries['net.0.weight'] = { dtype: 'F32', shape: [6, 4, 5, 5], data: new Float32Array(600) };
  const f = path.join(tmp, 'four.safetensors');
  writeSafetensorsFile(f, entries, { model: 'lenet-modern' });
  const r = convnet('eval', 'lenet-modern', '--weights', f, '--data', rgbVal);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /four\.safetensors: the model takes 4 input channels \(net\.0\.weight \[6,4,5,5\]\), but images decode to 1 \(grayscale\) or 3 \(RGB\) channels/);
});

test('bad images: stop naming the file (exit 1), or --skip-bad-images warns and trains on the rest; an empty class folder names the fix', async () => {
  const d = path.join(tmp, 'bad');
  for (let i = 0; i < 6; i++) await writeImage(path.join(d, i % 2 ? 'a' : 'b', `${i}.png`), pattern(8, 8, 1, i), 8, 8, 1);
  fs.writeFileSync(path.join(d, 'a', 'broken.png'), fs.readFileSync(path.join(d, 'a', '1.png')).subarray(0, 40));
  const args = ['train', 'lenet', '--data', d, '--resize', '16', '--epochs', '1', '--batch-size', '4', '--quiet'];
  const stop = convnet(...args);
  assert.equal(stop.status, 1);
  assert.match(stop.stderr, /convnet: error: .*a\/broken\.png: cannot decode the image \(corrupt, truncated or not an image: .*\)/);
  const skip = convnet(...args, '--skip-bad-images', '--json');
  assert.equal(skip.status, 0, skip.stderr);
  assert.match(skip.stderr, /warning: skipped .*a\/broken\.png: cannot decode the image/);
  assert.equal((JSON.parse(skip.stdout.trim()) as { train_examples: number }).train_examples, 6);
  fs.mkdirSync(path.join(d, 'c'));
  const empty = convnet(...args);
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /class folder '.*bad\/c' has no images .*; add images, remove the folder, or pass allowEmpty: true/);
});

test('--data with a dataset name: CIFAR-10 files in --data-dir train; a missing dataset says how to get it; usage errors exit 2', () => {
  const fx = path.join(root, 'fixtures/datasets');
  const r = convnet('train', 'lenet', '--data', 'cifar10', '--data-dir', fx, '--epochs', '1', '--batch-size', '4', '--json', '--quiet', '--augment', 'crop');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /on 15 CIFAR-10 \(10 classes, RGB\) 28x28, augment crop, validating on 4 CIFAR-10/);
  const m = convnet('train', 'lenet', '--data', 'mnist', '--data-dir', path.join(tmp, 'none'), '--epochs', '1');
  assert.equal(m.status, 1);
  assert.match(m.stderr, /mnist\/train-images-idx3-ubyte\.gz: MNIST file not found .*'convnet train \.\.\. --data mnist --download'/);
  const u = convnet('train', 'lenet', '--data', path.join(tmp, 'no-such-dir'));
  assert.equal(u.status, 2);
  assert.match(u.stderr, /option --data: '.*no-such-dir' is neither a directory nor a dataset name \(fashion-mnist, mnist, cifar10, cifar100\)/);
  const a = convnet('train', 'lenet', '--data', rgb, '--augment', 'flip,rotate');
  assert.equal(a.status, 2);
  assert.match(a.stderr, /option --augment: unknown augmentation 'rotate' \(choose from flip, crop, resized-crop, jitter\)/);
});

test('--data cifar10 --download from a corrupt mirror: the checksum error names the URL, exit 1, nothing unpacked', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => { res.writeHead(200).end('not the archive'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
  try {
    const dir = path.join(tmp, 'dl');
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [path.join(root, 'bin/convnet.js'), 'train', 'lenet', '--data', 'cifar10', '--data-dir', dir, '--download', '--epochs', '1'],
        { cwd: root, env: { ...process.env, CONVNET_CIFAR10_URL: base } });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('close', (status: number | null) => resolve({ status, stderr }));
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`convnet: error: checksum mismatch for ${base}cifar-10-binary\\.tar\\.gz: expected sha256 c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd`));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'cifar-10-batches-bin')), []);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
