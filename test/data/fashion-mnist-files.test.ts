import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  FASHION_MNIST_CHECKSUMS, FASHION_MNIST_DIR_ENV, FASHION_MNIST_FILES, FASHION_MNIST_LABELS,
  downloadFashionMnist, loadFashionMnistSplit, packageRoot, resolveFashionMnistDir, sha256Hex,
} from '../../src/data/fashion-mnist-files.js';
import { encodeIdx } from '../../src/data/idx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-fmnist-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const bundled = path.join(packageRoot(), 'data', 'fashion-mnist');

function u8(dims: number[], fill: (i: number) => number): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  return new Uint8Array(gzipSync(encodeIdx({ dtype: 'uint8', dims, data: Uint8Array.from({ length: n }, (_, i) => fill(i)) })));
}

/** A directory with a tiny synthetic test split: n images of 28x28 and `labels`. */
function fakeSplit(name: string, n: number, labels: number[], imageDims = [n, 28, 28]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.test.images), u8(imageDims, (i) => i % 251));
  fs.writeFileSync(path.join(dir, FASHION_MNIST_FILES.test.labels), u8([labels.length], (i) => labels[i]!));
  return dir;
}

test("FASHION_MNIST_LABELS are d2l's text labels", () => {
  assert.deepEqual([...FASHION_MNIST_LABELS], [
    't-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
  ]);
  assert.ok(Object.isFrozen(FASHION_MNIST_LABELS));
});

test('resolveFashionMnistDir: explicit dir beats the environment variable beats the bundled copy', () => {
  const saved = process.env[FASHION_MNIST_DIR_ENV];
  try {
    delete process.env[FASHION_MNIST_DIR_ENV];
    const def = resolveFashionMnistDir();
    assert.equal(def, bundled);
    assert.ok(fs.existsSync(path.join(def, 'train-images-idx3-ubyte.gz')), 'bundled data must be found from dist/');
    process.env[FASHION_MNIST_DIR_ENV] = '/from/env';
    assert.equal(resolveFashionMnistDir(), path.resolve('/from/env'));
    assert.equal(resolveFashionMnistDir({ dir: 'rel/dir' }), path.resolve('rel/dir'));
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = saved;
  }
});

test('loadFashionMnistSplit reads the bundled train and test splits', () => {
  const train = loadFashionMnistSplit('train');
  assert.equal(train.n, 60000);
  assert.equal(train.images.length, 60000 * 28 * 28);
  assert.equal(train.labels.length, 60000);
  assert.deepEqual([train.rows, train.cols], [28, 28]);
  assert.equal(train.labels[0], 9); // the first training image is an ankle boot
  assert.equal(FASHION_MNIST_LABELS[train.labels[0]!], 'ankle boot');
  assert.equal(train.images[14 * 28 + 14], 217);
  const testSplit = loadFashionMnistSplit('test', { dir: bundled });
  assert.equal(testSplit.n, 10000);
  assert.equal(testSplit.images[14 * 28 + 14], 110);
  assert.ok(testSplit.labels.every((l) => l <= 9));
});

test('loadFashionMnistSplit honours the env var and reads a small synthetic split', () => {
  const dir = fakeSplit('ok', 3, [0, 9, 4]);
  const saved = process.env[FASHION_MNIST_DIR_ENV];
  process.env[FASHION_MNIST_DIR_ENV] = dir;
  try {
    const s = loadFashionMnistSplit('test');
    assert.equal(s.n, 3);
    assert.deepEqual(Array.from(s.labels), [0, 9, 4]);
    assert.equal(s.images[784 + 5], (784 + 5) % 251);
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = saved;
  }
});

test('image/label count mismatch names both files', () => {
  const dir = fakeSplit('mismatch', 3, [1, 2]);
  const img = path.join(dir, FASHION_MNIST_FILES.test.images);
  const lbl = path.join(dir, FASHION_MNIST_FILES.test.labels);
  assert.throws(() => loadFashionMnistSplit('test', { dir }), {
    name: 'FileFormatError', file: lbl, offset: 4,
    message: `${lbl}: Fashion-MNIST test: ${img} has 3 images but ${lbl} has 2 labels (count at byte offset 4)`,
  });
});

test('labels outside 0..9, wrong image size and missing files are rejected with the path', () => {
  const badLabel = fakeSplit('badlabel', 2, [3, 10]);
  assert.throws(() => loadFashionMnistSplit('test', { dir: badLabel }), {
    message: `${path.join(badLabel, FASHION_MNIST_FILES.test.labels)}: label 10 at index 1 (byte offset 9) is outside 0..9`,
  });
  const badDims = fakeSplit('baddims', 2, [1, 2], [2, 32, 32]);
  assert.throws(() => loadFashionMnistSplit('test', { dir: badDims }), /expected uint8 images of shape \[n, 28, 28\], got uint8 \[2, 32, 32\]/);
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  assert.throws(() => loadFashionMnistSplit('train', { dir: empty }), (e: Error) =>
    e.message.startsWith(`${path.join(empty, 'train-images-idx3-ubyte.gz')}: Fashion-MNIST file not found`));
});

test('checksum table: the official md5s, and the bundled Debian files rebuild the official bytes', () => {
  // md5s from the upstream README.
  assert.equal(FASHION_MNIST_CHECKSUMS['train-images-idx3-ubyte.gz']!.md5, '8d4fb7e6c68d591d4c3dfef9ec88bf0d');
  assert.equal(FASHION_MNIST_CHECKSUMS['train-labels-idx1-ubyte.gz']!.md5, '25c81989df183df01b3e8a0aad5dffbe');
  assert.equal(FASHION_MNIST_CHECKSUMS['t10k-images-idx3-ubyte.gz']!.md5, 'bef4ecab320f06d8554ea6380940ec79');
  assert.equal(FASHION_MNIST_CHECKSUMS['t10k-labels-idx1-ubyte.gz']!.md5, 'bb300cfdad3c16e7a12a480ee83cd310');
  // Debian only rewrote the gzip header (no FNAME, new mtime); restoring it must give the official file, whose
  // md5 and sha256 are in the table. This ties the committed sha256s to upstream's published md5s.
  const mtimes: Record<string, number> = { train: 1504176606, t10k: 1504176627 };
  for (const [file, sums] of Object.entries(FASHION_MNIST_CHECKSUMS)) {
    const deb = fs.readFileSync(path.join(bundled, file));
    const head = Buffer.from(deb.subarray(0, 10));
    head[3] = 0x08; // FLG.FNAME
    head.writeUInt32LE(mtimes[file.slice(0, file.indexOf('-'))]!, 4);
    const official = Buffer.concat([head, Buffer.from(`${file.replace(/\.gz$/, '')}\0`, 'latin1'), deb.subarray(10)]);
    assert.equal(official.length, sums.bytes, file);
    assert.equal(createHash('md5').update(official).digest('hex'), sums.md5, file);
    assert.equal(sha256Hex(official), sums.sha256, file);
  }
});

// ---- download against a local server (never the internet) ----

interface Fake { server: Server; base: string; hits: string[] }

async function serve(files: Record<string, Uint8Array>, prefix = '/'): Promise<Fake> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const name = (req.url ?? '').startsWith(prefix) ? (req.url ?? '').slice(prefix.length) : '';
    const body = files[name];
    if (body === undefined) {
      res.writeHead(404, 'Not Found').end('nope');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}${prefix}`, hits };
}

const close = (f: Fake): Promise<void> => new Promise((resolve) => f.server.close(() => resolve()));

const synthetic: Record<string, Uint8Array> = {
  't10k-images-idx3-ubyte.gz': u8([2, 28, 28], (i) => (i * 7) % 256),
  't10k-labels-idx1-ubyte.gz': u8([2], (i) => [5, 8][i]!),
};
const sums = Object.fromEntries(Object.entries(synthetic).map(([k, v]) => [k, sha256Hex(v)]));
const files = Object.keys(synthetic);

test('download fetches missing files, verifies them, writes them, and skips present ones', async () => {
  const fake = await serve(synthetic, '/mirror/fashion/');
  try {
    const dir = path.join(tmp, 'dl-ok');
    // baseUrl without a trailing slash must still keep its last path segment.
    const res = await downloadFashionMnist(dir, { baseUrl: fake.base.replace(/\/$/, ''), files, checksums: sums });
    assert.deepEqual(res.map((r) => r.status), ['downloaded', 'downloaded']);
    assert.deepEqual(fake.hits, files.map((f) => `/mirror/fashion/${f}`));
    for (const f of files) assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, f))), synthetic[f]);
    assert.deepEqual(fs.readdirSync(dir).sort(), [...files].sort(), 'no temp files left');
    const s = loadFashionMnistSplit('test', { dir });
    assert.deepEqual([s.n, Array.from(s.labels)], [2, [5, 8]]);
    const again = await downloadFashionMnist(dir, { baseUrl: fake.base, files, checksums: sums });
    assert.deepEqual(again.map((r) => r.status), ['present', 'present']);
    assert.equal(fake.hits.length, 2, 'present files are not fetched again');
  } finally {
    await close(fake);
  }
});

test('checksum mismatch throws naming the URL and leaves no file (not even a temp)', async () => {
  const fake = await serve(synthetic);
  try {
    const dir = path.join(tmp, 'dl-bad');
    const wrong = { ...sums, 't10k-labels-idx1-ubyte.gz': '0'.repeat(64) };
    const url = `${fake.base}t10k-labels-idx1-ubyte.gz`;
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files: ['t10k-labels-idx1-ubyte.gz'], checksums: wrong }), {
      message: `checksum mismatch for ${url}: expected sha256 ${'0'.repeat(64)} but got ${sums['t10k-labels-idx1-ubyte.gz']} (${synthetic['t10k-labels-idx1-ubyte.gz']!.length} bytes); nothing written to ${path.join(dir, 't10k-labels-idx1-ubyte.gz')}`,
    });
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    await close(fake);
  }
});

test('HTTP errors and unknown checksums throw naming the URL/file and write nothing', async () => {
  const fake = await serve({});
  try {
    const dir = path.join(tmp, 'dl-404');
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files: ['t10k-labels-idx1-ubyte.gz'], checksums: sums }), {
      message: `download of ${fake.base}t10k-labels-idx1-ubyte.gz failed: HTTP 404 Not Found`,
    });
    assert.deepEqual(fs.readdirSync(dir), []);
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files: ['other.gz'], checksums: sums }),
      /^Error: no sha256 checksum known for other\.gz/);
    assert.equal(fake.hits.length, 1, 'a file without a checksum is never requested');
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files: ['../evil.gz'], checksums: { '../evil.gz': 'x' } }),
      /not a plain file name/);
  } finally {
    await close(fake);
  }
  // Connection refused (server closed): the error still names the URL.
  const dir = path.join(tmp, 'dl-refused');
  await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files, checksums: sums }),
    (e: Error) => e.message.startsWith(`download of ${fake.base}t10k-images-idx3-ubyte.gz failed:`));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('the default checksum table is used when none is passed (mismatch against synthetic data)', async () => {
  const fake = await serve(synthetic);
  try {
    const dir = path.join(tmp, 'dl-default');
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: fake.base, files: ['t10k-labels-idx1-ubyte.gz'] }),
      new RegExp(`expected sha256 ${FASHION_MNIST_CHECKSUMS['t10k-labels-idx1-ubyte.gz']!.sha256}`));
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    await close(fake);
  }
});

test('a server that never finishes its response times out with the URL named, writing nothing (no hang)', async () => {
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-length': '1000' }); res.write('partial'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const dir = path.join(tmp, 'dl-stall');
    const t0 = Date.now();
    await assert.rejects(downloadFashionMnist(dir, { baseUrl: base, files: ['t10k-labels-idx1-ubyte.gz'], checksums: sums, timeoutMs: 300 }), {
      message: `download of ${base}t10k-labels-idx1-ubyte.gz failed: no complete response within 0.3s`,
    });
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
