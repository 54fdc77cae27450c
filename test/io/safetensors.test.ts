import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  decodeSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile,
  type SafetensorsEntry, type SafetensorsTensor,
} from '../../src/io/safetensors.js';
import { packageRoot } from '../../src/data/fashion-mnist-files.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-st-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Header parsed by hand (independent of decodeSafetensors). */
function rawHeader(bytes: Uint8Array): { n: number; text: string; json: Record<string, unknown> } {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  return { n, text, json: JSON.parse(text) as Record<string, unknown> };
}

/** A file from a literal header object and data section, for malformed-input tests. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), rawText?: string): Uint8Array {
  const text = Buffer.from(rawText ?? JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + text.length + data.length);
  out.writeBigUInt64LE(BigInt(text.length), 0);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const sample: Record<string, SafetensorsEntry> = {
  'w': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -1e30]) },
  'b': { dtype: 'F32', shape: [3], data: Float32Array.from([0.5, 0.25, -0.125]) },
  'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: BigInt64Array.from([7n]) },
  'f64': { dtype: 'F64', shape: [2], data: Float64Array.from([Math.PI, -0]) },
  'i32': { dtype: 'I32', shape: [2], data: Int32Array.from([-2147483648, 2147483647]) },
  'i16': { dtype: 'I16', shape: [1, 2], data: Int16Array.from([-32768, 123]) },
  'i8': { dtype: 'I8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
  'u8': { dtype: 'U8', shape: [2], data: Uint8Array.from([0, 255]) },
  'mask': { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
  'half': { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
  'bf': { dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3f80, 0xbf00]) },
  'empty': { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
};

test('round-trip of every dtype, scalars, empty tensors and metadata', () => {
  const bytes = encodeSafetensors(sample, { format: 'pt', note: 'ünïcödé' });
  const { tensors, metadata } = decodeSafetensors(bytes, 'mem');
  assert.deepEqual(metadata, { format: 'pt', note: 'ünïcödé' });
  assert.deepEqual([...tensors.keys()].sort(), Object.keys(sample).sort());
  for (const [name, e] of Object.entries(sample)) {
    const t = tensors.get(name)!;
    assert.equal(t.dtype, e.dtype, name);
    assert.deepEqual(t.shape, e.shape, name);
    assert.equal(t.data.constructor, e.data.constructor, name);
    assert.deepEqual(t.data, e.data, name);
  }
  const nbt = tensors.get('bn.num_batches_tracked')!;
  assert.ok(nbt.data instanceof BigInt64Array && nbt.data[0] === 7n);
  assert.equal(decodeSafetensors(encodeSafetensors({ a: sample.b! }), 'x').metadata, null);
});

test('layout: u64 LE length, space-padded 8-byte-aligned header, reference order (dtype desc, then name)', () => {
  const bytes = encodeSafetensors(sample, { k: 'v' });
  const { n, text, json } = rawHeader(bytes);
  assert.equal((8 + n) % 8, 0);
  assert.match(text, /^\{.*\} *$/);
  const keys = Object.keys(json);
  assert.equal(keys[0], '__metadata__');
  assert.deepEqual(keys.slice(1), ['bn.num_batches_tracked', 'f64', 'b', 'empty', 'w', 'i32', 'bf', 'half', 'i16', 'i8', 'u8', 'mask']);
  // Offsets are contiguous in that order, so each tensor starts aligned to its element size.
  let pos = 0;
  for (const k of keys.slice(1)) {
    const info = json[k] as { data_offsets: [number, number]; dtype: string };
    assert.equal(info.data_offsets[0], pos, k);
    pos = info.data_offsets[1];
  }
  assert.equal(8 + n + pos, bytes.length);
  assert.deepEqual(json.w, { dtype: 'F32', shape: [2, 3], data_offsets: [36, 60] });
  // Raw little-endian bytes: w[0] = 1.0f = 00 00 80 3f.
  assert.deepEqual(Array.from(bytes.subarray(8 + n + 36, 8 + n + 40)), [0, 0, 0x80, 0x3f]);
  const ins = rawHeader(encodeSafetensors(sample, undefined, { order: 'insertion' })).json;
  assert.deepEqual(Object.keys(ins), Object.keys(sample));
});

test('odd tensor names (__proto__, non-ASCII, astral) survive and sort byte-wise like Rust', () => {
  const one = (v: number): SafetensorsEntry => ({ dtype: 'U8', shape: [1], data: Uint8Array.from([v]) });
  const entries: Record<string, SafetensorsEntry> = {};
  Object.defineProperty(entries, '__proto__', { value: one(1), enumerable: true });
  entries['\u{1F600}'] = one(2); // UTF-8 F0.., UTF-16 D83D..
  entries['\uFF5E'] = one(3); // UTF-8 EF.., UTF-16 FF5E: UTF-16 order would put it last
  const bytes = encodeSafetensors(entries);
  assert.deepEqual(Object.keys(rawHeader(bytes).json), ['__proto__', '\uFF5E', '\u{1F600}']);
  const back = decodeSafetensors(bytes, 'names').tensors;
  assert.deepEqual([...back.keys()], ['__proto__', '\uFF5E', '\u{1F600}']);
  assert.deepEqual(Array.from(back.get('__proto__')!.data as Uint8Array), [1]);
});

test('raw little-endian bytes in a Uint8Array are accepted for any dtype', () => {
  const raw = new Uint8Array(Float32Array.from([2, -4]).buffer);
  const t = decodeSafetensors(encodeSafetensors({ x: { dtype: 'F32', shape: [2], data: raw } }), 'm').tensors.get('x')!;
  assert.deepEqual(t.data, Float32Array.from([2, -4]));
});

test('unaligned offsets (written by other tools) still decode into aligned arrays', () => {
  const data = new Uint8Array(1 + 8);
  data[0] = 42;
  new DataView(data.buffer).setFloat64(1, -1.25, true);
  const bytes = file({
    u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
    d: { dtype: 'F64', shape: [], data_offsets: [1, 9] },
  }, data);
  const { tensors } = decodeSafetensors(bytes, 'odd');
  assert.deepEqual(tensors.get('d')!.data, Float64Array.from([-1.25]));
  assert.deepEqual(tensors.get('u')!.data, Uint8Array.from([42]));
});

test('PyTorch interop: decodes fixtures/io/torch_small.safetensors to the values torch wrote', () => {
  const dir = path.join(packageRoot(), 'fixtures', 'io');
  const { tensors, metadata } = readSafetensorsFile(path.join(dir, 'torch_small.safetensors'));
  const want = JSON.parse(fs.readFileSync(path.join(dir, 'torch_small.json'), 'utf8')) as {
    metadata: Record<string, string>; order: string[];
    tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[]; bits?: number[] }>;
  };
  assert.deepEqual(metadata, want.metadata);
  assert.deepEqual([...tensors.keys()], want.order);
  for (const [name, w] of Object.entries(want.tensors)) {
    const t: SafetensorsTensor = tensors.get(name)!;
    assert.equal(t.dtype, w.dtype, name);
    assert.deepEqual(t.shape, w.shape, name);
    if (w.bits !== undefined) assert.deepEqual(Array.from(t.data as Uint16Array), w.bits, name);
    else if (t.dtype === 'I64') assert.deepEqual(Array.from(t.data, String), w.values, name);
    else assert.deepEqual(Array.from(t.data as ArrayLike<number>), w.values, name);
  }
  const nbt = tensors.get('bn.num_batches_tracked')!;
  assert.deepEqual([nbt.dtype, nbt.shape, nbt.data[0]], ['I64', [], 7n]);
  const w = tensors.get('conv.weight')!;
  assert.ok(w.data instanceof Float32Array && w.data.length === 24);
});

test('writes a file for scripts/fixtures/check_safetensors.py (dir: $CONVNET_SAFETENSORS_OUT or a temp dir)', () => {
  const dir = process.env.CONVNET_SAFETENSORS_OUT ?? tmp;
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'ts_written.safetensors');
  writeSafetensorsFile(out, sample, { writer: 'convnet-ts' });
  const expected: Record<string, unknown> = {};
  for (const [name, e] of Object.entries(sample)) {
    const vals = e.dtype === 'I64' ? Array.from(e.data as BigInt64Array, String) : Array.from(e.data as ArrayLike<number>);
    expected[name] = e.dtype === 'F16' || e.dtype === 'BF16'
      ? { dtype: e.dtype, shape: e.shape, bits: vals }
      : { dtype: e.dtype, shape: e.shape, values: vals };
  }
  fs.writeFileSync(path.join(dir, 'ts_written.json'), JSON.stringify({ metadata: { writer: 'convnet-ts' }, tensors: expected }, null, 1));
  const back = readSafetensorsFile(out);
  assert.deepEqual(back.tensors.get('w')!.data, sample.w!.data);
  assert.deepEqual(back.metadata, { writer: 'convnet-ts' });
});

test('truncated file, header length past the end, bad UTF-8 / JSON / header type are rejected naming the file', () => {
  assert.throws(() => decodeSafetensors(new Uint8Array(5), 'tiny.st'), {
    name: 'FileFormatError', file: 'tiny.st', offset: 5,
    message: 'tiny.st: truncated: need 8 bytes for the header length but file has 5 bytes',
  });
  const long = file({});
  long[0] = 200;
  assert.throws(() => decodeSafetensors(long, 'long.st'), {
    name: 'FileFormatError', offset: 0,
    message: 'long.st: header length 200 (bytes 0..8) runs past the end of the file: header would end at byte 208 but file has 10 bytes',
  });
  const utf = file(null, undefined, '{"a"}');
  utf[9] = 0xff;
  assert.throws(() => decodeSafetensors(utf, 'utf.st'), { offset: 8, message: 'utf.st: header (bytes 8..13) is not valid UTF-8' });
  assert.throws(() => decodeSafetensors(file(null, undefined, '{"a": '), 'json.st'), /^FileFormatError: json\.st: header \(bytes 8\.\.14\) is not valid JSON \(at byte 14\): /);
  assert.throws(() => decodeSafetensors(file(null, undefined, '{"a": 1,}'), 'json.st'), { offset: 16 });
  assert.throws(() => decodeSafetensors(file([1, 2]), 'arr.st'), /^FileFormatError: arr\.st: not a safetensors file: byte 8 should open the JSON header with '\{' but is 0x5b/);
  assert.throws(() => decodeSafetensors(file(null, undefined, ' 12 '), 'num.st'), { offset: 8, message: /not a safetensors file/ });
  assert.equal(decodeSafetensors(file(null, undefined, '{} '), 'ok.st').tensors.size, 0, 'padding after the object is fine');
});

test('unknown dtype, bad shape, bad offsets and shape/offset size mismatch name the tensor', () => {
  const d = new Uint8Array(8);
  assert.throws(() => decodeSafetensors(file({ x: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, d), 'f.st'), {
    offset: 9, message: 'f.st: tensor "x": unknown or unsupported dtype "F8_E4M3" (header byte 9)',
  });
  assert.throws(() => decodeSafetensors(file({ x: { dtype: 'U8', shape: [2, -4], data_offsets: [0, 8] } }, d), 'f.st'),
    /f\.st: tensor "x": shape \[2,-4\] has an invalid dimension -4 \(header byte 9\)/);
  assert.throws(() => decodeSafetensors(file({ x: { dtype: 'U8', shape: [8], data_offsets: [8, 0] } }, d), 'f.st'),
    /f\.st: tensor "x": data_offsets must be \[begin, end\] with 0 <= begin <= end, got \[8,0\]/);
  assert.throws(() => decodeSafetensors(file({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, d), 'f.st'), {
    message: 'f.st: tensor "x": shape [3] with dtype F32 needs 12 bytes but data_offsets [0, 8] span 8 bytes (header byte 9)',
  });
  assert.throws(() => decodeSafetensors(file({ x: 5 }, d), 'f.st'), { message: 'f.st: tensor "x": header entry must be an object (header byte 9)' });
});

test('offsets must tile the data section: gaps, overlaps, unused tail and overruns are errors', () => {
  const d = new Uint8Array(8);
  const t = (a: number, b: number): object => ({ dtype: 'U8', shape: [b - a], data_offsets: [a, b] });
  assert.throws(() => decodeSafetensors(file({ a: t(0, 2), b: t(4, 8) }, d), 'gap.st'), {
    message: /^gap\.st:\ data_offsets\ do\ not\ tile\ the\ data\ section:\ gap\ of\ 2\ bytes\ between\ tensor\ "a"\ \[0,\ 2\]\ and\ tensor\ "b"\ \[4,\ 8\] \(file byte \d+\)$/,
  });
  assert.throws(() => decodeSafetensors(file({ a: t(0, 6), b: t(4, 8) }, d), 'overlap.st'), {
    message: /^overlap\.st:\ data_offsets\ do\ not\ tile\ the\ data\ section:\ overlap\ of\ 2\ bytes\ between\ tensor\ "a"\ \[0,\ 6\]\ and\ tensor\ "b"\ \[4,\ 8\] \(file byte \d+\)$/,
  });
  assert.throws(() => decodeSafetensors(file({ a: t(2, 8) }, d), 'start.st'), /gap of 2 bytes between the start of the data section and tensor "a" \[2, 8\]/);
  assert.throws(() => decodeSafetensors(file({ a: t(0, 6) }, d), 'tail.st'), {
    message: /^tail\.st:\ data\ section\ has\ 8\ bytes\ but\ tensors\ cover\ only\ 6\ bytes,\ leaving\ 2\ unused \(file byte \d+\)$/,
  });
  assert.throws(() => decodeSafetensors(file({ a: t(0, 12) }, d), 'over.st'), {
    message: /^over\.st:\ data\ section\ has\ 8\ bytes\ but\ tensor\ "a"\ ends\ at\ 12,\ past\ the\ end \(file byte \d+\)$/,
  });
});

test('metadata must be an object of strings (decode and encode)', () => {
  assert.throws(() => decodeSafetensors(file({ __metadata__: { epoch: 3 } }), 'm.st'), {
    message: 'm.st: __metadata__ value for "epoch" must be a string, got 3 (header byte 9)',
  });
  assert.throws(() => decodeSafetensors(file({ __metadata__: ['x'] }), 'm.st'), { message: 'm.st: __metadata__ must be an object of strings (header byte 9)' });
  const bad = { epoch: 3 } as unknown as Record<string, string>;
  assert.throws(() => encodeSafetensors({}, bad), /metadata "epoch" must be a string, got number/);
});

test('encode validates names, dtypes, carriers and sizes', () => {
  assert.throws(() => encodeSafetensors({ __metadata__: sample.b! }), /"__metadata__" is reserved/);
  assert.throws(() => encodeSafetensors({ x: { dtype: 'F32', shape: [2], data: Float64Array.from([1, 2]) } }),
    /tensor "x": dtype F32 cannot be stored from a Float64Array/);
  assert.throws(() => encodeSafetensors({ x: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2]) } }), {
    message: 'encodeSafetensors: tensor "x": shape [3] with dtype F32 needs 12 bytes but data has 8 bytes',
  });
  const q = { dtype: 'Q4', shape: [1], data: new Uint8Array(1) } as unknown as SafetensorsEntry;
  assert.throws(() => encodeSafetensors({ q }), /tensor "q": unknown dtype "Q4"/);
});

test('readSafetensorsFile names the path of a missing or corrupt file', () => {
  const missing = path.join(tmp, 'missing.safetensors');
  assert.throws(() => readSafetensorsFile(missing), (e: Error) => e.message.startsWith(`${missing}: cannot read safetensors file`));
  const junk = path.join(tmp, 'junk.safetensors');
  fs.writeFileSync(junk, 'not a safetensors file');
  assert.throws(() => readSafetensorsFile(junk), { name: 'FileFormatError', file: junk, offset: 8, message: `${junk}: not a safetensors file: byte 8 should open the JSON header with '{' but is 0x66 (the file starts with "not a safetensor")` });
});
