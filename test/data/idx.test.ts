import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readIdx, readIdxFile, encodeIdx, isGzip } from '../../src/data/idx.js';
import type { FileFormatError } from '../../src/io/errors.js';
import { packageRoot } from '../../src/data/fashion-mnist-files.js';

const bundled = path.join(packageRoot(), 'data', 'fashion-mnist');

/** Hand-built IDX bytes, independent of encodeIdx. */
function idxBytes(code: number, dims: number[], body: number[]): Uint8Array {
  const out = Buffer.alloc(4 + 4 * dims.length + body.length);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

function sum(a: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}

test('real Fashion-MNIST train/test files parse with the expected shapes, spot values and label range', () => {
  const trainImg = readIdxFile(path.join(bundled, 'train-images-idx3-ubyte.gz'));
  const trainLbl = readIdxFile(path.join(bundled, 'train-labels-idx1-ubyte.gz'));
  const testImg = readIdxFile(path.join(bundled, 't10k-images-idx3-ubyte.gz'));
  const testLbl = readIdxFile(path.join(bundled, 't10k-labels-idx1-ubyte.gz'));
  assert.deepEqual([trainImg.dtype, trainImg.dims], ['uint8', [60000, 28, 28]]);
  assert.deepEqual([trainLbl.dtype, trainLbl.dims], ['uint8', [60000]]);
  assert.deepEqual([testImg.dtype, testImg.dims], ['uint8', [10000, 28, 28]]);
  assert.deepEqual([testLbl.dtype, testLbl.dims], ['uint8', [10000]]);
  assert.equal(trainImg.data.length, 60000 * 784);
  // Spot values read independently with python's gzip module (see the report / README).
  assert.deepEqual(Array.from(trainLbl.data.subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  assert.deepEqual(Array.from(testLbl.data.subarray(0, 10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  assert.equal(trainImg.data[14 * 28 + 14], 217);
  assert.equal(testImg.data[14 * 28 + 14], 110);
  assert.equal(sum(trainImg.data, 0, 784), 76247);
  assert.equal(sum(testImg.data, 0, 784), 33456);
  const counts = new Array<number>(10).fill(0);
  for (const l of trainLbl.data) {
    assert.ok(l < 10, `label ${l} out of range`);
    counts[l]!++;
  }
  assert.deepEqual(counts, new Array<number>(10).fill(6000)); // Fashion-MNIST train is exactly balanced
  assert.ok(testLbl.data.every((l) => l < 10));
});

test('bundled files decompress to the official IDX content (sha256 of the raw IDX bytes)', () => {
  const want: Record<string, string> = {
    't10k-labels-idx1-ubyte.gz': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    'train-labels-idx1-ubyte.gz': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  };
  for (const [f, sha] of Object.entries(want)) {
    const raw = gunzipSync(fs.readFileSync(path.join(bundled, f)));
    assert.equal(createHash('sha256').update(raw).digest('hex'), sha, f);
  }
});

test('raw (uncompressed) input works and is copied, not aliased', () => {
  const bytes = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
  assert.equal(isGzip(bytes), false);
  const a = readIdx(bytes, 'raw.idx');
  assert.deepEqual(a.dims, [2, 3]);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6]);
  bytes[12] = 99; // first data byte (header is 4 + 2*4 bytes)
  assert.equal(a.data[0], 1);
  const gz = gzipSync(bytes);
  assert.equal(isGzip(gz), true);
  assert.deepEqual(Array.from(readIdx(gz, 'x.gz').data), [99, 2, 3, 4, 5, 6]);
});

test('big-endian multi-byte IDX types decode to native values', () => {
  const i16 = readIdx(idxBytes(0x0b, [2], [0xff, 0xfe, 0x01, 0x02]), 'i16');
  assert.equal(i16.dtype, 'int16');
  assert.deepEqual(Array.from(i16.data), [-2, 258]);
  const i8 = readIdx(idxBytes(0x09, [2], [0xff, 0x7f]), 'i8');
  assert.deepEqual([i8.dtype, Array.from(i8.data)], ['int8', [-1, 127]]);
  const i32 = readIdx(idxBytes(0x0c, [1], [0x80, 0, 0, 0]), 'i32');
  assert.deepEqual([i32.dtype, Array.from(i32.data)], ['int32', [-2147483648]]);
  const f32 = readIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0, 0]), 'f32');
  assert.deepEqual([f32.dtype, Array.from(f32.data)], ['float32', [1.5]]);
  const f64 = readIdx(idxBytes(0x0e, [1], [0xc0, 0x04, 0, 0, 0, 0, 0, 0]), 'f64');
  assert.deepEqual([f64.dtype, Array.from(f64.data)], ['float64', [-2.5]]);
  // encodeIdx is the inverse of readIdx for every type.
  const f = readIdx(encodeIdx({ dtype: 'float32', dims: [2, 2], data: Float32Array.from([1, -2, 0.25, 1e30]) }), 'enc');
  assert.deepEqual([f.dtype, f.dims, Array.from(f.data)], ['float32', [2, 2], [1, -2, 0.25, Math.fround(1e30)]]);
});

test('truncated data: message names the file, item count and expected vs actual bytes', () => {
  const full = idxBytes(0x08, [10000], new Array<number>(10000).fill(1));
  const cut = full.subarray(0, 9000);
  assert.throws(() => readIdx(cut, 't10k-labels-idx1-ubyte.gz'), {
    message: 't10k-labels-idx1-ubyte.gz: truncated: header says 10000 items (10008 bytes) but file has 9000 bytes',
  });
  // Through gzip the size refers to the decompressed stream, and multi-dim headers show the dims.
  const img = idxBytes(0x08, [3, 2, 2], new Array<number>(11).fill(0));
  assert.throws(() => readIdx(gzipSync(img), 'imgs.gz'), {
    message: 'imgs.gz: truncated: header says dims 3x2x2 = 12 items (28 bytes) but decompressed data has 27 bytes',
  });
});

test('trailing bytes after the data are rejected with the offset of the excess', () => {
  const bytes = idxBytes(0x08, [2], [1, 2, 3, 4]);
  assert.throws(() => readIdx(bytes, 'extra.idx'), {
    message: 'extra.idx: trailing data: header says 2 items (10 bytes) but file has 12 bytes (2 extra bytes from offset 10)',
  });
});

test('wrong magic, unsupported type code, ndim 0 and truncated headers are rejected with offsets', () => {
  assert.throws(() => readIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), 'zip.idx'), {
    message: 'zip.idx: bad magic at byte offset 0: expected 0x00 0x00, got 0x50 0x4b (not an IDX file)',
  });
  assert.throws(() => readIdx(idxBytes(0x0a, [1], [0]), 'type.idx'), /^FileFormatError: type\.idx: unsupported IDX type code 0x0a at byte offset 2/);
  assert.throws(() => readIdx(Uint8Array.from([0, 0, 8, 0]), 'nd0.idx'), /nd0\.idx: invalid IDX header: ndim is 0 at byte offset 3/);
  assert.throws(() => readIdx(Uint8Array.from([0, 0]), 'short.idx'), {
    message: 'short.idx: truncated header: need 4 bytes for the magic number but file has 2 bytes',
  });
  assert.throws(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), 'dims.idx'), {
    message: 'dims.idx: truncated header: 3 dims need 16 header bytes but file has 10 bytes',
  });
});

test('corrupt gzip (bad deflate data, truncated stream) is reported with the file name', () => {
  const good = gzipSync(idxBytes(0x08, [4], [1, 2, 3, 4]));
  const garbled = Uint8Array.from(good);
  garbled.fill(0xff, 10, 16);
  assert.throws(() => readIdx(garbled, 'bad.gz'), (e: FileFormatError) => {
    assert.match(String(e), /^FileFormatError: bad\.gz: corrupt gzip data \(\d+ compressed bytes\), at byte \d+: /);
    assert.ok(e.offset >= 10 && e.offset < 16, `the damage is in bytes 10..16, reported at ${e.offset}`);
    return true;
  });
  const cut = good.subarray(0, good.length - 6);
  assert.throws(() => readIdx(cut, 'cut.gz'), { name: 'FileFormatError', offset: cut.length, message: /^cut\.gz: corrupt gzip data .*at byte \d+: unexpected end of file/ });
  // A flipped CRC is found at the trailer.
  const crc = Uint8Array.from(good);
  crc[crc.length - 6]! ^= 1;
  assert.throws(() => readIdx(crc, 'crc.gz'), (e: FileFormatError) => e.offset >= good.length - 8 && /incorrect data check/.test(e.message));
});

test('a gzip bomb is refused before it allocates more than the file size justifies', () => {
  // A valid 1-item IDX header followed by 64 MiB of zeros: ~65 KB of gzip. Decompression stops at the
  // 9 bytes the header declares instead of allocating 64 MiB.
  const bomb = gzipSync(Buffer.concat([idxBytes(0x08, [1], [7]), new Uint8Array(64 * 2 ** 20)]), { level: 9 });
  assert.ok(bomb.length < 100_000);
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => readIdx(bomb, 'bomb.gz'), { name: 'FileFormatError', offset: 9, decompressed: true, message: /^bomb\.gz: trailing data: the IDX header declares 9 bytes/ });
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, 'no 64 MiB buffer was made');
  // A header declaring more than the compressed size could ever hold is refused from the header alone.
  const liar = gzipSync(idxBytes(0x08, [2 ** 31], [1, 2, 3]));
  assert.throws(() => readIdx(liar, 'liar.gz'), { name: 'FileFormatError', offset: 4, message: /declares 2147483656 bytes, more than \d+ bytes of gzip data can hold/ });
});

test('readIdxFile names the path when the file is missing or corrupt on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-idx-'));
  try {
    const missing = path.join(dir, 'nope.gz');
    assert.throws(() => readIdxFile(missing), (e: Error) => e.message.startsWith(`${missing}: cannot read IDX file`));
    const bad = path.join(dir, 'bad-labels.gz');
    fs.writeFileSync(bad, gzipSync(idxBytes(0x08, [5], [1, 2])));
    assert.throws(() => readIdxFile(bad), { message: `${bad}: truncated: header says 5 items (13 bytes) but decompressed data has 10 bytes` });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
