/** CIFAR-10, CIFAR-100 and MNIST readers and downloads on tiny files in the real formats (scripts/fixtures/gen_datasets.py). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CIFAR10, CIFAR100, MNIST, DATASET_FILES } from '../../src/data/node/datasets.js';
import { DataFileError, parseCifar, CIFAR10_LAYOUT } from '../../src/data/cifar.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { Compose, RandomCrop, ToTensor } from '../../src/data/transforms/transforms.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { loadFixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fx = path.join(root, 'fixtures/datasets');
const exp = loadFixture<Record<string, Record<string, any>>>('datasets/expected.json');
const tmp = tempDir('convnet-datasets-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const first = (ds: { source: { load(i: number): { data: Uint8Array } } }): number[] => Array.from(ds.source.load(0).data);

test('CIFAR10: records, labels, class names and HWC pixels as numpy/torchvision lay them out', () => {
  const train = new CIFAR10(fx), testSet = new CIFAR10(fx, { train: false });
  assert.equal(train.length, 15);
  assert.deepEqual(Array.from(train.targets), exp.cifar10!.train_labels);
  assert.deepEqual(first(train), exp.cifar10!.train_first);
  assert.deepEqual(Array.from(testSet.targets), exp.cifar10!.test_labels);
  assert.deepEqual(first(testSet), exp.cifar10!.test_first);
  assert.equal(train.classes[9], 'truck');
  assert.equal(train.classes.length, 10);
  const [x, y] = train.get(0);
  assert.ok('kind' in x && x.kind === 'pixels' && x.width === 32 && x.channels === 3);
  assert.equal(y, exp.cifar10!.train_labels[0]);
});

test('CIFAR100: fine (default) or coarse labels with their names', () => {
  const fine = new CIFAR100(fx), coarse = new CIFAR100(fx, { labels: 'coarse', train: false });
  assert.deepEqual(Array.from(fine.targets), exp.cifar100!.train_fine);
  assert.deepEqual(first(fine), exp.cifar100!.train_first);
  assert.deepEqual(Array.from(coarse.targets), exp.cifar100!.test_coarse);
  assert.equal(fine.classes.length, 100);
  assert.equal(coarse.classes[19], 'coarse19');
});

test('MNIST: the four IDX files, 28x28 grayscale', () => {
  const m = new MNIST(fx), t = new MNIST(fx, { train: false });
  assert.deepEqual(Array.from(m.targets), exp.mnist!.train_labels);
  assert.deepEqual(first(m), exp.mnist!.train_first);
  assert.equal(t.length, 4);
  assert.equal(m.classes[3], '3 - three');
});

test('the datasets feed the DataLoader with transforms and workers (same batches with 0 and 2 workers)', () => {
  const ds = new CIFAR10(fx, { transform: new Compose([new RandomCrop(32, { padding: 4 }), new ToTensor()]) });
  const run = (numWorkers: number): string => {
    manualSeed(3);
    const dl = new DataLoader(ds, { batchSize: 4, shuffle: true, numWorkers });
    const s = JSON.stringify([...dl].map(([X, y]) => [X.shape, Array.from(y.data), Array.from(X.data.slice(0, 50))]));
    dl.close();
    return s;
  };
  assert.equal(run(2), run(0));
});

test('files not found: the error names the path and how to get the files', () => {
  const empty = path.join(tmp, 'empty');
  assert.throws(() => new CIFAR10(empty), /cifar-10-batches-bin\/data_batch_1\.bin: CIFAR-10 file not found \(and 4 more\); download it with 'convnet train \.\.\. --data cifar10 --download' or 'await CIFAR10\.download\(root\)' \(from https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz, or the mirror in \$CONVNET_CIFAR10_URL\), or unpack cifar-10-binary\.tar\.gz into/);
  assert.throws(() => new MNIST(empty, { train: false }), /mnist\/t10k-images-idx3-ubyte\.gz: MNIST file not found .*CONVNET_MNIST_URL/);
  assert.throws(() => new CIFAR100(empty), /cifar-100-binary\/train\.bin: CIFAR-100 file not found/);
});

test('malformed CIFAR files: DataFileError with the file and byte offset', () => {
  const good = fs.readFileSync(path.join(fx, 'cifar-10-batches-bin/data_batch_1.bin'));
  assert.throws(() => parseCifar(good.subarray(0, 5000), 'x.bin', CIFAR10_LAYOUT), (e: unknown) => e instanceof DataFileError && e.offset === 3073 && /x\.bin: truncated or not a CIFAR-10 binary file: 5000 bytes is not a whole number of 3073-byte records \(1 whole records, then 1927 bytes\) \(byte offset 3073\)/.test(e.message));
  const bad = Uint8Array.from(good);
  bad[3073] = 57;
  assert.throws(() => parseCifar(bad, 'y.bin', CIFAR10_LAYOUT), /y\.bin: record 1: label 57 is outside 0\.\.9 .* \(byte offset 3073\)/);
  assert.throws(() => parseCifar(new Uint8Array(0), 'z.bin', CIFAR10_LAYOUT), /z\.bin: empty file/);
});

async function serve(files: Record<string, Uint8Array>, hits: string[]): Promise<{ base: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[path.basename(req.url ?? '')];
    if (body === undefined) res.writeHead(404).end(); else res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`, close: () => new Promise((r) => server.close(() => r())) };
}

test('download: fetch from a mirror, verify sha256, unpack the archive atomically; a second call fetches nothing', async () => {
  const hits: string[] = [];
  const files = Object.fromEntries(['cifar-10-binary.tar.gz', 'cifar-100-binary.tar.gz'].map((f) => [f, fs.readFileSync(path.join(fx, f))]));
  for (const f of fs.readdirSync(path.join(fx, 'mnist'))) files[f] = fs.readFileSync(path.join(fx, 'mnist', f));
  const s = await serve(files, hits);
  try {
    const dir = path.join(tmp, 'dl');
    // The official checksums refuse these re-packed files...
    await assert.rejects(CIFAR10.download(dir, { baseUrl: s.base }), new RegExp(`checksum mismatch for ${s.base}cifar-10-binary\\.tar\\.gz: expected sha256 ${DATASET_FILES.cifar10[0]!.sha256}`));
    assert.equal(fs.existsSync(path.join(dir, 'cifar-10-batches-bin', 'data_batch_1.bin')), false, 'nothing written');
    // ...and the sha256 of what the mirror serves lets them in.
    const got = await CIFAR10.download(dir, { baseUrl: s.base, checksums: { 'cifar-10-binary.tar.gz': exp.cifar10!.archive_sha256 } });
    assert.deepEqual(got, ['cifar-10-binary.tar.gz']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'cifar-10-batches-bin')).sort(), ['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
    assert.deepEqual(Array.from(new CIFAR10(dir).targets), exp.cifar10!.train_labels);
    assert.deepEqual(await CIFAR10.download(dir, { baseUrl: s.base }), [], 'present: nothing fetched');
    process.env.CONVNET_CIFAR100_URL = s.base;
    try {
      await CIFAR100.download(dir, { checksums: { 'cifar-100-binary.tar.gz': exp.cifar100!.archive_sha256 } });
    } finally {
      delete process.env.CONVNET_CIFAR100_URL;
    }
    assert.equal(new CIFAR100(dir, { train: false }).length, 3);
    await MNIST.download(dir, { baseUrl: s.base, checksums: exp.mnist!.sha256 });
    assert.deepEqual(Array.from(new MNIST(dir).targets), exp.mnist!.train_labels);
    assert.equal(hits.filter((h) => h.endsWith('.tar.gz')).length, 3);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'mnist')).filter((f) => f.includes('.tmp')), [], 'no temp files left');
  } finally {
    await s.close();
  }
});
