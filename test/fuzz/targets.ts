/**
 * The fuzz table: one row per file format the library reads. To fuzz a new reader (e.g. `.pt`,
 * ONNX), add a row: `{ name: 'pt', seeds: () => [...small valid files], parse: (b, f) => loadTorch(b, f) }`
 * (optionally with format-aware `mutators` and a `hot` header size).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeIdx, readIdx, type IdxArray } from '../../src/data/idx.js';
import { fashionMnistSplit } from '../../src/data/fashion-mnist-files.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/checkpoint.js';
import { restoreBoard } from '../../src/cli/train.js';
import { manualSeed, randn, tensor } from '../../src/index.js';
import { BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { crossEntropy } from '../../src/tensor/ops/nn-loss.js';
import { SGD } from '../../src/optim/sgd.js';
import { ProgressBoard } from '../../src/train/progress-board.js';
import { GENERIC_MUTATORS, type FuzzTarget, type Mutator, type Rng } from './harness.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeTorch } from '../../src/io/torch.js';
import { CIFAR10_LAYOUT, CIFAR100_LAYOUT, encodeCifar, parseCifar } from '../../src/data/cifar.js';

const fixture = (rel: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../fixtures/${rel}`, import.meta.url)));

// ---------------------------------------------------------------- IDX

function idxSeeds(): Uint8Array[] {
  const arrays: IdxArray[] = [
    { dtype: 'uint8', dims: [3, 4, 4], data: Uint8Array.from({ length: 48 }, (_, i) => (i * 37) & 255) },
    { dtype: 'uint8', dims: [6], data: Uint8Array.from([0, 1, 2, 9, 4, 5]) },
    { dtype: 'int8', dims: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
    { dtype: 'int16', dims: [2, 3], data: Int16Array.from([-32768, -1, 0, 1, 2, 32767]) },
    { dtype: 'int32', dims: [4], data: Int32Array.from([-2147483648, -1, 0, 2147483647]) },
    { dtype: 'float32', dims: [2, 2], data: Float32Array.from([1.5, -0, Infinity, Number.NaN]) },
    { dtype: 'float64', dims: [3, 1], data: Float64Array.from([1e300, -2.5, 0]) },
  ];
  return arrays.map(encodeIdx);
}

function setU32BE(b: Uint8Array, i: number, v: number): void {
  if (i + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(i, v >>> 0, false);
}

/** Header-aware IDX damage: dims, ndim, type code. */
const IDX_MUTATORS: Mutator[] = [
  {
    name: 'idx-dims', apply: (b, r) => {
      const out = b.slice(), ndim = out[3] ?? 1;
      setU32BE(out, 4 + 4 * r.int(Math.max(1, ndim)), r.pick([0, 1, 2, 28, 0xffffffff, 0x80000000, 0x7fffffff, 65536, 60000]));
      return out;
    },
  },
  { name: 'idx-ndim', apply: (b, r) => { const out = b.slice(); if (out.length > 3) out[3] = r.pick([0, 1, 2, 3, 4, 64, 255]); return out; } },
  { name: 'idx-type', apply: (b, r) => { const out = b.slice(); if (out.length > 2) out[2] = r.pick([0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xff]); return out; } },
];

/** Damage the decompressed IDX stream and gzip it again, so the IDX parser sees damage behind valid gzip. */
const GZ_INNER: Mutator = {
  name: 'gz-inner', apply: (b, r, c) => {
    let inner: Uint8Array;
    try { inner = gunzipSync(b); } catch { return b.slice(); }
    const m = r.chance(0.6) ? r.pick(IDX_MUTATORS) : r.pick(GENERIC_MUTATORS);
    return gzipSync(m.apply(inner, r, { hot: 16, seeds: c.seeds.map((s) => { try { return gunzipSync(s); } catch { return s; } }) }));
  },
};

/** Change values, not structure: random bytes after the IDX header (pixels are any byte; labels must be 0..9). */
const GZ_VALUES: Mutator = {
  name: 'gz-values', apply: (b, r) => {
    let inner: Uint8Array;
    try { inner = gunzipSync(b); } catch { return b.slice(); }
    const header = inner.length > 3 ? 4 + 4 * inner[3]! : inner.length;
    if (inner.length <= header) return b.slice();
    for (let k = 1 + r.int(4); k > 0; k--) inner[header + r.int(inner.length - header)] = r.chance(0.5) ? r.int(10) : r.int(256);
    return gzipSync(inner);
  },
};

// ---------------------------------------------------------------- safetensors

interface StParts { header: Record<string, unknown>; data: Uint8Array }

function splitSt(b: Uint8Array): StParts | null {
  if (b.length < 8) return null;
  const n = Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true));
  if (n > b.length - 8) return null;
  try {
    const h = JSON.parse(Buffer.from(b.subarray(8, 8 + n)).toString('utf8')) as unknown;
    if (typeof h !== 'object' || h === null || Array.isArray(h)) return null;
    JSON.stringify(h); // a header nested too deep to write back (an earlier mutation) is left to byte-level mutators
    return { header: h as Record<string, unknown>, data: b.subarray(8 + n) };
  } catch {
    return null;
  }
}

function joinSt(text: string, data: Uint8Array, length?: bigint): Uint8Array {
  const t = Buffer.from(text, 'utf8');
  const out = new Uint8Array(8 + t.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(t.length), true);
  out.set(t, 8);
  out.set(data, 8 + t.length);
  return out;
}

const deep = (n: number, open = '[', close = ']'): string => open.repeat(n) + close.repeat(n);

/** Hostile JSON values for a field that expects something else. */
const HOSTILE_VALUES: readonly string[] = [
  'null', 'true', '-1', '1.5', '1e308', '-1e308', '"x"', '""', '[]', '{}', '"F32"', '[1,2,3]', '[-1]', '[1e300]', '[9007199254740993]',
  deep(20000), deep(2000, '{"a":', '}').replace(/\}$/, '0}'), `"${'x'.repeat(100000)}"`,
];

function entryKeys(h: Record<string, unknown>): string[] {
  return Object.keys(h).filter((k) => k !== '__metadata__');
}

function withEntry(b: Uint8Array, r: Rng, edit: (e: Record<string, unknown>, p: StParts, name: string) => unknown): Uint8Array {
  const p = splitSt(b);
  if (p === null) return b.slice();
  const keys = entryKeys(p.header);
  if (keys.length === 0) return b.slice();
  const name = r.pick(keys);
  const e = p.header[name];
  if (typeof e !== 'object' || e === null) return b.slice();
  const raw = edit(e as Record<string, unknown>, p, name);
  const text = typeof raw === 'string' ? raw : JSON.stringify(p.header);
  return joinSt(text, p.data);
}

/** Replace `"key":<json>` of the entry by raw JSON text (for values JSON.stringify cannot make, like deep nesting). */
function rawField(p: StParts, name: string, key: string, json: string): string {
  const marker = `__FUZZ_${key}__`;
  (p.header[name] as Record<string, unknown>)[key] = marker;
  return JSON.stringify(p.header).replace(JSON.stringify(marker), json);
}

const ST_MUTATORS: Mutator[] = [
  {
    name: 'st-length', apply: (b, r) => {
      if (b.length < 8) return b.slice();
      const out = b.slice(), dv = new DataView(out.buffer);
      const cur = dv.getBigUint64(0, true);
      const v = r.chance(0.5) ? r.pick([0n, 1n, 7n, 2n ** 32n, 7_500_000_000_000_000_000n, 2n ** 64n - 1n, 100_000_001n])
        : cur + BigInt(r.int(17) - 8);
      dv.setBigUint64(0, BigInt.asUintN(64, v), true);
      return out;
    },
  },
  {
    name: 'st-offsets', apply: (b, r) => withEntry(b, r, (e, p, name) => {
      const pair = (v: unknown): [number, number] => (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number' ? [v[0], v[1]] : [0, 0]);
      const off = pair(e.data_offsets);
      const others = entryKeys(p.header).filter((k) => k !== name);
      const other = others.length > 0 ? pair((p.header[r.pick(others)] as { data_offsets?: unknown } | null)?.data_offsets) : [0, 0];
      const choices: unknown[] = [[-1, off[1]], [off[1], off[0]], [0, 2 ** 53], [0, 1e300], [1.5, off[1]], [String(off[0]), String(off[1])], null, [off[0]],
        [off[0], off[1], 8], [off[0], off[1] + 1 + r.int(8)], [off[0] + 1, off[1] + 1], [other[0], other[0] + (off[1] - off[0])], [0, off[1] - off[0]],
        [p.data.length, p.data.length + (off[1] - off[0])], [2 ** 53 - 8, 2 ** 53]];
      const pick = r.int(choices.length + 1);
      if (pick === choices.length) return rawField(p, name, 'data_offsets', r.pick(HOSTILE_VALUES));
      e.data_offsets = choices[pick];
      return undefined;
    }),
  },
  {
    name: 'st-shape', apply: (b, r) => withEntry(b, r, (e, p, name) => {
      const choices: unknown[] = [[1e9, 1e9], [2 ** 31, 2 ** 31], [-1], [2 ** 53], [], [[1]], ['4'], 1.5, null, [0], [1e308], [3, 0, 1e9],
        [(Array.isArray(e.shape) ? (e.shape as unknown[])[0] : 1) ?? 1, 2], [2 ** 26, 2 ** 26, 2 ** 26]];
      const pick = r.int(choices.length + 2);
      if (pick >= choices.length) return rawField(p, name, 'shape', pick === choices.length ? deep(50000) : r.pick(HOSTILE_VALUES));
      e.shape = choices[pick];
      return undefined;
    }),
  },
  {
    name: 'st-dtype', apply: (b, r) => withEntry(b, r, (e) => {
      e.dtype = r.pick(['F32', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F16', 'BF16', 'F8_E4M3', 'f32', 'U64', '', 5, null, ['F32']]);
      return undefined;
    }),
  },
  {
    name: 'st-entry', apply: (b, r) => withEntry(b, r, (_e, p, name) => {
      const text = JSON.stringify(p.header);
      switch (r.int(5)) {
        case 0: delete p.header[name]; return undefined; // leaves a gap in the data section
        case 1: { const e = p.header[name]; delete p.header[name]; p.header[`${name}x`] = e; return undefined; } // renamed
        case 2: return text.replace(`"${name}":`, `"${name}":${JSON.stringify(p.header[name])},"${name}":`); // duplicate key
        case 3: return rawField(p, name, 'dtype', r.pick(HOSTILE_VALUES));
        default: p.header[name] = JSON.parse(r.pick(HOSTILE_VALUES.slice(0, 12))) as unknown; return undefined;
      }
    }),
  },
  {
    name: 'st-metadata', apply: (b, r) => {
      const p = splitSt(b);
      if (p === null) return b.slice();
      const meta = (typeof p.header.__metadata__ === 'object' && p.header.__metadata__ !== null ? p.header.__metadata__ : {}) as Record<string, unknown>;
      const keys = [...Object.keys(meta), 'epoch', 'rng_state', 'optimizer', 'board', 'model', 'format'];
      const key = r.pick(keys);
      const strings = ['-1', 'NaN', '1e400', '', '3.5', '[', 'null', '[1,2]', '[1,2,3,4,"x"]', '[1,2,3,4,1e999]', deep(30000), deep(3000, '{"a":', '}').replace(/\}$/, '0}'),
        '{"type":"SGD","paramGroups":5}', '{"type":"SGD","paramGroups":[{"params":[99]}],"scalars":{}}', '{"type":"Adam","paramGroups":[],"scalars":{}}',
        '{"type":"SGD","paramGroups":[{"params":[0,1,2,3,4,5,6,7],"lr":"x"}],"scalars":{"0":{"step":"x"}}}', '{"series":5}', '{"series":[{"label":"x","points":[[1]],"pending":[]}]}',
        `{"series":[{"label":"x","points":${deep(20000)},"pending":[]}]}`, '{"series":[{"label":"x","points":[[1e308,-1e308]],"pending":[[null,null]]}]}'];
      switch (r.int(4)) {
        case 0: meta[key] = r.pick(strings); break;
        case 1: meta[key] = JSON.parse(r.pick(HOSTILE_VALUES.slice(0, 12))) as unknown; break;
        case 2: p.header.__metadata__ = JSON.parse(r.pick(HOSTILE_VALUES.slice(0, 12))) as unknown; return joinSt(JSON.stringify(p.header), p.data);
        default: {
          const marker = '__FUZZ_META__';
          meta[key] = marker;
          p.header.__metadata__ = meta;
          return joinSt(JSON.stringify(p.header).replace(JSON.stringify(marker), r.pick(HOSTILE_VALUES)), p.data);
        }
      }
      p.header.__metadata__ = meta;
      return joinSt(JSON.stringify(p.header), p.data);
    },
  },
  {
    name: 'st-data', apply: (b, r) => {
      const p = splitSt(b);
      if (p === null) return b.slice();
      const text = JSON.stringify(p.header);
      const k = 1 + r.int(16);
      return r.chance(0.5) ? joinSt(text, p.data.subarray(0, Math.max(0, p.data.length - k))) : joinSt(text, cat2(p.data, new Uint8Array(k).fill(0xff)));
    },
  },
  {
    name: 'st-pad', apply: (b, r) => {
      const p = splitSt(b);
      if (p === null) return b.slice();
      return joinSt(JSON.stringify(p.header) + r.pick(['   ', '\n', '\u0000', ' }', ',', ' x', '\ud800'.normalize()]), p.data);
    },
  },
];

function cat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a); out.set(b, a.length);
  return out;
}

function stHot(b: Uint8Array): number {
  if (b.length < 8) return b.length;
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
  return n > BigInt(b.length) ? b.length : 8 + Number(n) + 16;
}

function safetensorsSeeds(): Uint8Array[] {
  return [
    encodeSafetensors({
      w: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      n: { dtype: 'I64', shape: [], data: BigInt64Array.from([7n]) },
      m: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
      h: { dtype: 'F16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
      d: { dtype: 'F64', shape: [1, 1], data: Float64Array.from([0.5]) },
      z: { dtype: 'U8', shape: [0, 4], data: new Uint8Array(0) },
    }, { format: 'pt', note: 'fuzz seed' }),
    encodeSafetensors({}),
    encodeSafetensors({ 'net.0.weight': { dtype: 'I32', shape: [4], data: Int32Array.from([1, -1, 2, -2]) }, b: { dtype: 'I8', shape: [2], data: Int8Array.from([1, 2]) } }, undefined, { order: 'insertion' }),
  ];
}

// ---------------------------------------------------------------- checkpoints

/** A small model with BatchNorm (I64 buffer), momentum state and plot points: every part of our checkpoint. */
function checkpointFixture(): { model: Sequential; optimizer: SGD; board: ProgressBoard; seeds: Uint8Array[] } {
  manualSeed(3);
  const model = new Sequential(new Conv2d(1, 2, { kernelSize: 3 }), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(32, 3));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const board = new ProgressBoard();
  for (let step = 0; step < 2; step++) {
    optimizer.zeroGrad();
    crossEntropy(model.call(randn(4, 1, 6, 6)), tensor([0, 1, 2, 1], { dtype: 'int32' })).backward();
    optimizer.step();
    board.draw(step / 2, 1 - step / 4, 'train_loss');
  }
  board.draw(1, 0.5, 'val_acc');
  const seeds = [
    encodeCheckpoint(model, { optimizer, epoch: 1, metadata: { model: 'tiny', board: JSON.stringify(board.state()) } }),
    encodeCheckpoint(model, { rngState: null }),
  ];
  return { model, optimizer, board, seeds };
}

// ---------------------------------------------------------------- the table

let ck: ReturnType<typeof checkpointFixture> | undefined;
const ckFixture = (): ReturnType<typeof checkpointFixture> => (ck ??= checkpointFixture());
const goodLabels = (n: number): IdxArray => ({ dtype: 'uint8', dims: [n], data: new Uint8Array(n) });

/** Small CIFAR-10/100 binary files: two records with every label byte in range. */
function cifarSeeds(layout: typeof CIFAR10_LAYOUT): Uint8Array[] {
  const px = Uint8Array.from({ length: 2 * 3072 }, (_, i) => (i * 31) & 255);
  const labels = layout.numClasses.map((c) => Uint8Array.from([0, c - 1]));
  return [encodeCifar(px, labels, layout)];
}

/** Every file format the library reads today. */
export const FUZZ_TARGETS: FuzzTarget[] = [
  { name: 'idx', seeds: idxSeeds, parse: (b, f) => readIdx(b, f), mutators: IDX_MUTATORS, hot: () => 24 },
  {
    name: 'idx.gz', seeds: () => idxSeeds().map((s) => gzipSync(s)), parse: (b, f) => readIdx(b, f),
    mutators: [GZ_INNER, GZ_INNER, ...IDX_MUTATORS], hot: () => 32, allocFactor: 1100, decompresses: true,
  },
  {
    // Fashion-MNIST images as loadFashionMnistSplit checks them (labels made to match the image count).
    name: 'fashion-mnist images', decompresses: true, allocFactor: 1100, hot: () => 32, mutators: [GZ_INNER, GZ_INNER, GZ_VALUES],
    seeds: () => [gzipSync(encodeIdx({ dtype: 'uint8', dims: [2, 28, 28], data: new Uint8Array(2 * 784).fill(9) }))],
    parse: (b, f) => { const img = readIdx(b, f); return fashionMnistSplit(img, goodLabels(img.dims[0] ?? 0), f, 'labels.gz', 'test'); },
  },
  {
    // Fashion-MNIST labels (0..9, one per image), with images made to match the label count.
    name: 'fashion-mnist labels', decompresses: true, allocFactor: 1100, hot: () => 24, mutators: [GZ_INNER, GZ_INNER, GZ_VALUES],
    seeds: () => [gzipSync(encodeIdx({ dtype: 'uint8', dims: [10], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }))],
    parse: (b, f) => {
      const lbl = readIdx(b, f);
      const n = lbl.dims.length === 1 ? lbl.dims[0]! : 0;
      return fashionMnistSplit({ dtype: 'uint8', dims: [n, 28, 28], data: new Uint8Array(0) }, lbl, 'images.gz', f, 'test');
    },
  },
  { name: 'safetensors', seeds: safetensorsSeeds, parse: (b, f) => decodeSafetensors(b, f), mutators: ST_MUTATORS, hot: stHot },
  {
    // Our checkpoints as `convnet train --resume` reads them: weights, BatchNorm's I64 counter, SGD state, epoch, RNG, plot.
    name: 'checkpoint', seeds: () => ckFixture().seeds, mutators: ST_MUTATORS, hot: stHot,
    parse: (b, f) => {
      const { model, optimizer, board } = ckFixture();
      const loaded = decodeCheckpoint(b, model, { optimizer, source: f });
      restoreBoard(loaded.metadata, board, f);
      return loaded;
    },
  },
  // torch.save archives (zip + restricted pickle), from the PyTorch-made fixtures: state dicts with strided views, every dtype, ZIP64.
  {
    name: 'pt', seeds: () => ['views.pt', 'dtypes.pt', 'zip64.pt', 'parameter.pt'].map((f) => fixture(`torch/${f}`)),
    parse: (b, f) => decodeTorch(b, { source: f }), allocFactor: 8,
  },
  { name: 'cifar-10', seeds: () => cifarSeeds(CIFAR10_LAYOUT), parse: (b, f) => parseCifar(b, f, CIFAR10_LAYOUT) },
  { name: 'cifar-100', seeds: () => cifarSeeds(CIFAR100_LAYOUT), parse: (b, f) => parseCifar(b, f, CIFAR100_LAYOUT) },
];
