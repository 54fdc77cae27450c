/**
 * torch.save files (the zip format of PyTorch ≥ 1.6) read as torch.load(weights_only=True) reads
 * them, without Python: the archive's one top folder (named after the file by torch 1.x, `archive`
 * by later versions) holds `data.pkl` (a pickle of the state dict, tensors as persistent-id
 * references to storages), `data/<key>` (each storage's raw bytes) and `byteorder` (newer files).
 * Tensors may view their storage at an offset with any strides (a transposed weight), and several
 * may share one storage. dtypes: float32/64, float16 and bfloat16 (→ float32), int64 (→ int32, range
 * checked), int32/16/8, uint8 (→ int32) and bool. Universal: no node: imports (see torch-file.ts for paths).
 */
import { Tensor } from '../tensor/tensor.js';
import type { StateDict } from '../nn/module.js';
import { FormatError } from './format-error.js';
import { PickleGlobal, typeName, unpickle } from './pickle.js';
import { readZipDirectory, zipEntryData, type ZipEntry } from './zip.js';

/** Options of decodeTorch / loadTorch. */
export interface DecodeTorchOptions {
  /** Names the bytes in errors (loadTorch passes the path). */
  source?: string;
  /** Take the state dict from this top-level key (e.g. 'model_state_dict' of a training checkpoint dict). */
  key?: string;
}

type StorageDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

const STORAGE_TYPES: Record<string, StorageDtype> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};
const ELEM: Record<StorageDtype, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** One storage of the archive: `numel` elements of `dtype` at `bytes` (a view into the file). */
interface Storage { key: string; dtype: StorageDtype; numel: number; bytes: Uint8Array; fileOffset: number; bigEndian: boolean }

/** A tensor as the pickle describes it; made into a Tensor once its name is known (for error messages). */
class TensorRef {
  constructor(readonly storage: Storage, readonly offset: number, readonly shape: number[], readonly stride: number[], readonly at: number) {}
  get numel(): number { return this.shape.reduce((a, b) => a * b, 1); }
}

/** Views may overlap (shared storages), but all of them together may not ask for more than this many times the stored elements. */
const VIEW_BUDGET = 4;

/** The first bytes of a legacy (pre-1.6, non-zip) torch.save file: pickle protocol 2, then LONG1 of torch's magic number. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * The object a torch.save file holds (usually a state dict: a Map from names to Tensors), with
 * every tensor materialised as a contiguous Tensor. Throws FormatError for anything malformed or
 * not allowed, naming `source` and the byte.
 */
export function decodeTorchObject(bytes: Uint8Array, source = '<bytes>'): unknown {
  const file = new TorchArchive(bytes, source);
  const root = file.unpickle();
  return file.materializeAll(root);
}

/**
 * A torch.save'd state dict (`torch.save(net.state_dict(), path)`) as a StateDict that
 * `loadStateDict` accepts; with `key`, the state dict stored under that top-level key. Throws
 * FormatError naming `source` and the byte for malformed, truncated, hostile or unsupported files.
 */
export function decodeTorch(bytes: Uint8Array, opts: DecodeTorchOptions = {}): StateDict {
  const source = opts.source ?? '<bytes>';
  const file = new TorchArchive(bytes, source);
  let root = file.unpickle();
  if (opts.key !== undefined) {
    if (!(root instanceof Map)) throw new FormatError(source, null, `key '${opts.key}' was asked for, but the file holds a ${typeName(root)}, not a dict`);
    if (!root.has(opts.key)) throw new FormatError(source, null, `no top-level key '${opts.key}' (keys: ${describeKeys(root)})`);
    root = root.get(opts.key);
  }
  if (!(root instanceof Map)) {
    throw new FormatError(source, null, `the file holds a ${typeName(root)}, not a state dict; save one with torch.save(model.state_dict(), path)`);
  }
  const sd: StateDict = new Map();
  const bad: string[] = [];
  for (const [k, v] of root as Map<unknown, unknown>) {
    if (typeof k !== 'string') throw new FormatError(source, null, `state dict key ${String(k)} is a ${typeName(k)}, not a str`);
    if (v instanceof TensorRef) sd.set(k, file.materialize(v, k));
    else bad.push(`'${k}' (${typeName(v)})`);
  }
  if (bad.length > 0) {
    const nested = [...(root as Map<unknown, unknown>)].filter(([, v]) => v instanceof Map).map(([k]) => `'${String(k)}'`);
    throw new FormatError(source, null, `not a state dict: ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ', …' : ''} ` +
      `${bad.length === 1 ? 'is not a tensor' : 'are not tensors'}` +
      (nested.length > 0 ? `; a training checkpoint? pick the state dict with the key option (e.g. { key: ${nested[0]} })` : ''));
  }
  return sd;
}

function describeKeys(m: Map<unknown, unknown>): string {
  const ks = [...m.keys()].slice(0, 10).map((k) => `'${String(k)}'`);
  return ks.join(', ') + (m.size > 10 ? ', …' : '');
}

/** One archive being read: its entries, the storages the pickle named, and the view budget spent so far. */
class TorchArchive {
  private readonly entries = new Map<string, ZipEntry>();
  private readonly prefix: string;
  private readonly pkl: ZipEntry;
  private readonly bigEndian: boolean;
  private readonly storages = new Map<string, Storage>();
  private readonly storageSet = new Set<unknown>();
  private readonly decoded = new Map<Storage, ArrayLike<number> | BigInt64Array>();
  private readonly made = new Map<TensorRef, Tensor>();
  private storedElements = 0;
  private viewedElements = 0;

  constructor(readonly bytes: Uint8Array, readonly source: string) {
    if (LEGACY_MAGIC.every((b, i) => bytes[i] === b) || (bytes.length > 2 && bytes[0] === 0x80 && bytes[1]! <= 5 && bytes[1]! >= 2)) {
      throw new FormatError(source, 0, 'a bare pickle, not a zip archive: the legacy torch.save format (PyTorch < 1.6, or ' +
        '_use_new_zipfile_serialization=False), which convnet-ts does not read; re-save it with a current torch: ' +
        'torch.save(torch.load(old_path), new_path)');
    }
    if (bytes.length >= 262 && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar') {
      throw new FormatError(source, 257, 'this is the tar-based torch.save format of PyTorch < 0.4; re-save it with a current torch');
    }
    for (const e of readZipDirectory(bytes, source)) this.entries.set(e.name, e);
    const pkls = [...this.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pkls.length !== 1) {
      const names = [...this.entries.keys()].slice(0, 5).join(', ');
      throw new FormatError(source, null, pkls.length === 0
        ? `a zip archive, but not a torch.save file: no <folder>/data.pkl entry (entries: ${names}${this.entries.size > 5 ? ', …' : ''})`
        : `a torch.save archive must have one top folder, found data.pkl in ${pkls.join(', ')}`);
    }
    this.pkl = this.entries.get(pkls[0]!)!;
    this.prefix = pkls[0]!.slice(0, -'data.pkl'.length);
    const bo = this.entries.get(`${this.prefix}byteorder`);
    const order = bo === undefined ? 'little' : new TextDecoder('latin1').decode(zipEntryData(bytes, bo, source));
    if (order !== 'little' && order !== 'big') throw new FormatError(source, bo!.dataOffset, `byteorder entry says '${order.slice(0, 20)}', not 'little' or 'big'`);
    this.bigEndian = order === 'big';
  }

  unpickle(): unknown {
    const data = zipEntryData(this.bytes, this.pkl, this.source);
    return unpickle(data, this.source, {
      baseOffset: this.pkl.dataOffset,
      what: this.pkl.name,
      globals: {
        'collections.OrderedDict': (args, at) => orderedDict(args, at, this.source),
        'torch._utils._rebuild_tensor_v2': (args, at) => this.rebuildTensor(args, at),
        'torch._utils._rebuild_parameter': (args, at) => {
          if (args.length !== 3 || !(args[0] instanceof TensorRef)) throw new FormatError(this.source, at, '_rebuild_parameter expects (tensor, requires_grad, hooks)');
          return args[0];
        },
        ...Object.fromEntries(Object.keys(STORAGE_TYPES).map((n) => [`torch.${n}`, null])),
      },
      persistentLoad: (pid, at) => this.storage(pid, at),
    });
  }

  /** ('storage', torch.<T>Storage, key, location, numel) → the storage, read once per key. */
  private storage(pid: unknown, at: number): Storage {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw new FormatError(this.source, at, `persistent id is a ${typeName(pid)}${Array.isArray(pid) ? ` of ${pid.length}` : ''}, not ('storage', type, key, location, numel)`);
    }
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    if (!(type instanceof PickleGlobal)) throw new FormatError(this.source, at, `storage type is a ${typeName(type)}, not a torch storage class`);
    const dtype = STORAGE_TYPES[type.name.slice('torch.'.length)]!;
    if (typeof key !== 'string') throw new FormatError(this.source, at, `storage key is a ${typeName(key)}, not a str`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw new FormatError(this.source, at, `storage '${key}' has an invalid element count ${String(numel)}`);
    const seen = this.storages.get(key);
    if (seen !== undefined) {
      if (seen.dtype !== dtype || seen.numel !== numel) throw new FormatError(this.source, at, `storage '${key}' is named twice with different types or sizes`);
      return seen;
    }
    const name = `${this.prefix}data/${key}`;
    const e = this.entries.get(name);
    if (e === undefined) throw new FormatError(this.source, at, `storage '${key}' has no entry '${name}' in the archive`);
    if (e.size !== numel * ELEM[dtype]) {
      throw new FormatError(this.source, e.dataOffset, `storage '${key}' declares ${numel} ${dtype} elements (${numel * ELEM[dtype]} bytes) but entry '${name}' holds ${e.size} bytes`);
    }
    const s: Storage = { key, dtype, numel, bytes: zipEntryData(this.bytes, e, this.source), fileOffset: e.dataOffset, bigEndian: this.bigEndian };
    this.storages.set(key, s);
    this.storageSet.add(s);
    this.storedElements += numel;
    return s;
  }

  /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
  private rebuildTensor(args: unknown[], at: number): TensorRef {
    const fail = (msg: string): never => { throw new FormatError(this.source, at, `_rebuild_tensor_v2: ${msg}`); };
    if (args.length !== 6 && args.length !== 7) fail(`expects 6 or 7 arguments, got ${args.length}`);
    const [storage, offset, size, stride] = args as [Storage, unknown, unknown, unknown];
    if (!this.storageSet.has(storage)) fail(`the storage argument is a ${typeName(storage)}, not a storage`);
    const ints = (v: unknown, what: string): number[] => {
      if (!Array.isArray(v) || v.length > 64) return fail(`${what} is a ${typeName(v)}, not a tuple of at most 64 ints`);
      return v.map((e) => (typeof e === 'number' && Number.isSafeInteger(e) && e >= 0 ? e : fail(`${what} ${describe(v)} has an entry that is not a non-negative int`)));
    };
    const shape = ints(size, 'size'), strides = ints(stride, 'stride');
    if (shape.length !== strides.length) fail(`size ${describe(shape)} and stride ${describe(strides)} differ in length`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) fail(`storage offset ${String(offset)} is not a non-negative int`);
    // Size and reach without overflow: stop multiplying as soon as the view outgrows its storage's file.
    let numel = 1, last = offset as number;
    for (let i = 0; i < shape.length; i++) {
      numel *= shape[i]!;
      if (numel > Number.MAX_SAFE_INTEGER / 8) fail(`size ${describe(shape)} is too large`);
    }
    if (numel > 0) for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * strides[i]!;
    if (numel > 0 && last >= storage.numel) {
      fail(`a view of size ${describe(shape)}, stride ${describe(strides)} at offset ${String(offset)} reaches element ${last} ` +
           `of storage '${storage.key}', which has ${storage.numel} elements`);
    }
    this.viewedElements += numel;
    if (this.viewedElements > VIEW_BUDGET * this.storedElements + 65536) {
      fail(`the tensors ask for ${this.viewedElements} elements, more than ${VIEW_BUDGET}x the ${this.storedElements} stored; refusing to expand them`);
    }
    return new TensorRef(storage, offset as number, shape, strides, at);
  }

  /** A TensorRef as a contiguous Tensor (float types → float32, integer types → int32, bool → bool); `name` for errors. */
  materialize(ref: TensorRef, name: string): Tensor {
    const cached = this.made.get(ref);
    if (cached !== undefined) return cached;
    const s = ref.storage;
    const vals = this.values(s);
    const n = ref.numel;
    const isFloat = s.dtype.startsWith('float') || s.dtype === 'bfloat16';
    const out = isFloat ? new Float32Array(n) : s.dtype === 'bool' ? new Uint8Array(n) : new Int32Array(n);
    const nd = ref.shape.length;
    if (!(vals instanceof BigInt64Array) && s.dtype !== 'bool' && isContiguous(ref.shape, ref.stride)) {
      out.set((vals as Float32Array).subarray(ref.offset, ref.offset + n));
      const t = new Tensor(out, ref.shape, isFloat ? 'float32' : 'int32');
      this.made.set(ref, t);
      return t;
    }
    const idx = new Array<number>(nd).fill(0);
    let src = ref.offset;
    for (let i = 0; i < n; i++) {
      const v = vals[src]!;
      if (typeof v === 'bigint') {
        if (v > 2147483647n || v < -2147483648n) {
          throw new FormatError(this.source, s.fileOffset + src * 8, `tensor '${name}' ${describe(ref.shape)} element ${i} is ${v}, ` +
            'which does not fit in int32 (convnet-ts keeps int64 tensors as int32)');
        }
        out[i] = Number(v);
      } else {
        out[i] = s.dtype === 'bool' ? (v !== 0 ? 1 : 0) : v;
      }
      // Odometer over the view's multi-index: src follows the strides.
      for (let d = nd - 1; d >= 0; d--) {
        src += ref.stride[d]!;
        if (++idx[d]! < ref.shape[d]!) break;
        src -= ref.stride[d]! * ref.shape[d]!;
        idx[d] = 0;
      }
    }
    const t = new Tensor(out, ref.shape, isFloat ? 'float32' : s.dtype === 'bool' ? 'bool' : 'int32');
    this.made.set(ref, t);
    return t;
  }

  /** Replace every TensorRef reachable from `v` by its Tensor; each container is visited once (shared references stay shared). */
  materializeAll(v: unknown): unknown {
    const seen = new Set<unknown>();
    const fix = (x: unknown, name: string): unknown => (x instanceof TensorRef ? this.materialize(x, name) : x);
    const todo: unknown[] = [v];
    while (todo.length > 0) {
      const c = todo.pop();
      if (seen.has(c)) continue;
      seen.add(c);
      if (Array.isArray(c)) {
        c.forEach((x, i) => { c[i] = fix(x, `[${i}]`); if (x instanceof Map || Array.isArray(x)) todo.push(x); });
      } else if (c instanceof Map) {
        for (const [k, x] of c) { c.set(k, fix(x, String(k))); if (x instanceof Map || Array.isArray(x)) todo.push(x); }
      }
    }
    return fix(v, '<root>');
  }

  /** A storage's elements as numbers (float16/bfloat16 widened, float64 kept, int64 as BigInt64Array), decoded once. */
  private values(s: Storage): ArrayLike<number> | BigInt64Array {
    const hit = this.decoded.get(s);
    if (hit !== undefined) return hit;
    // Copy into an aligned buffer: zip offsets need not be multiples of the element size.
    const raw = new Uint8Array(s.bytes); // a copy (Buffer.slice would share the file's memory)
    const size = ELEM[s.dtype];
    if (s.bigEndian && size > 1) for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
    const buf = raw.buffer;
    let v: ArrayLike<number> | BigInt64Array;
    switch (s.dtype) {
      case 'float32': v = new Float32Array(buf); break;
      case 'float64': v = new Float64Array(buf); break;
      case 'float16': v = Float32Array.from(new Uint16Array(buf), halfToFloat); break;
      case 'bfloat16': v = new Float32Array(Uint32Array.from(new Uint16Array(buf), (b) => b << 16).buffer); break;
      case 'int64': v = new BigInt64Array(buf); break;
      case 'int32': v = new Int32Array(buf); break;
      case 'int16': v = new Int16Array(buf); break;
      case 'int8': v = new Int8Array(buf); break;
      case 'uint8': case 'bool': v = raw; break;
    }
    this.decoded.set(s, v);
    return v;
  }
}

/** Row-major strides for `shape` (dims of size 1 may have any stride)? */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d]!;
  }
  return true;
}

/** OrderedDict() or OrderedDict([(k, v), …]) as a Map. */
function orderedDict(args: unknown[], at: number, source: string): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  if (args.length === 0) return m;
  const items = args[0];
  if (args.length !== 1 || !Array.isArray(items)) throw new FormatError(source, at, 'OrderedDict expects no arguments or one list of pairs');
  for (const p of items) {
    if (!Array.isArray(p) || p.length !== 2) throw new FormatError(source, at, 'OrderedDict items must be (key, value) pairs');
    m.set(p[0], p[1]);
  }
  return m;
}

/** IEEE half-precision bits → number. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** `(2, 3)` for a short int tuple (never the contents of a long or nested one). */
function describe(v: readonly unknown[]): string {
  return v.length <= 8 ? `(${v.map(String).join(', ')}${v.length === 1 ? ',' : ''})` : `(${v.length} entries)`;
}
