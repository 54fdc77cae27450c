/**
 * encodeTorch(state dict) → the bytes of a torch.save file (the zip format of PyTorch ≥ 1.6), so a
 * model trained here continues in PyTorch with nothing but `torch.load(path)` (weights_only=True
 * works too). The archive is what torch.save writes for a state dict: `archive/data.pkl` (a
 * protocol-2 pickle of an OrderedDict of `_rebuild_tensor_v2` calls), one `archive/data/<i>` per
 * tensor (contiguous little-endian bytes, 64-byte aligned as torch aligns them) and
 * `archive/version`. float32 tensors are FloatStorage, int32 ones LongStorage (PyTorch keeps
 * num_batches_tracked as int64), bool ones BoolStorage. Universal: no node: imports.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { crc32 } from './zip.js';

const utf8 = new TextEncoder();

/** Pickle opcodes for the few values a state dict needs. */
class PickleWriter {
  private readonly out: number[] = [];
  raw(...b: number[]): this { for (const x of b) this.out.push(x); return this; }
  ascii(s: string): this { for (let i = 0; i < s.length; i++) this.out.push(s.charCodeAt(i)); return this; }
  global(module: string, name: string): this { return this.raw(0x63).ascii(`${module}\n${name}\n`); } // GLOBAL
  str(s: string): this { // BINUNICODE
    const b = utf8.encode(s);
    this.raw(0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24);
    for (const x of b) this.out.push(x);
    return this;
  }
  int(v: number): this { // BININT (every size, stride and offset here fits in int32)
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new Error(`encodeTorch: ${v} does not fit the pickle's int32`);
    return this.raw(0x4a, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  }
  tuple(vs: readonly number[]): this { this.raw(0x28); for (const v of vs) this.int(v); return this.raw(0x74); } // MARK … TUPLE
  bytes(): Uint8Array { return Uint8Array.from(this.out); }
}

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** A tensor's storage type and little-endian bytes. */
function storageOf(t: Tensor, name: string): { type: string; bytes: Uint8Array } {
  const n = t.numel();
  if (t.dtype === 'float32') {
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, t.data[i]!, true);
    return { type: 'FloatStorage', bytes: b };
  }
  if (t.dtype === 'int32') {
    const b = new Uint8Array(n * 8);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(t.data[i]!), true);
    return { type: 'LongStorage', bytes: b };
  }
  if (t.dtype === 'bool') return { type: 'BoolStorage', bytes: Uint8Array.from(t.data, (v) => (v ? 1 : 0)) };
  throw new Error(`encodeTorch: tensor '${name}' has dtype ${String(t.dtype)}, which has no torch storage here`);
}

/** One stored zip entry: local header (with torch's 'FB' padding field to align the data to 64 bytes) + data. */
interface Entry { name: Uint8Array; data: Uint8Array; crc: number; offset: number; extra: number }

function le16(v: number): number[] { return [v & 0xff, (v >>> 8) & 0xff]; }
function le32(v: number): number[] { return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]; }

/** A stored (uncompressed) zip archive of `files`, data aligned to 64 bytes. */
function zipStored(files: [string, Uint8Array][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const entries: Entry[] = [];
  let pos = 0;
  for (const [n, data] of files) {
    const name = utf8.encode(n);
    const base = pos + 30 + name.length + 4; // 4 = the padding field's own header
    const extra = 4 + ((64 - (base % 64)) % 64);
    const header = Uint8Array.from([
      ...le32(0x04034b50), ...le16(20), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21),
      ...le32(crc32(data)), ...le32(data.length), ...le32(data.length), ...le16(name.length), ...le16(extra),
      ...name, ...le16(0x4246), ...le16(extra - 4), ...new Array<number>(extra - 4).fill(0x5a),
    ]);
    entries.push({ name, data, crc: crc32(data), offset: pos, extra });
    chunks.push(header, data);
    pos += header.length + data.length;
    if (pos > 0xffffffff) throw new Error('encodeTorch: state dicts over 4 GiB (ZIP64) are not written here; save from PyTorch instead');
  }
  const cdStart = pos;
  for (const e of entries) {
    const c = Uint8Array.from([
      ...le32(0x02014b50), ...le16(20), ...le16(20), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21),
      ...le32(e.crc), ...le32(e.data.length), ...le32(e.data.length), ...le16(e.name.length), ...le16(0), ...le16(0),
      ...le16(0), ...le16(0), ...le32(0), ...le32(e.offset), ...e.name,
    ]);
    chunks.push(c);
    pos += c.length;
  }
  chunks.push(Uint8Array.from([
    ...le32(0x06054b50), ...le16(0), ...le16(0), ...le16(entries.length), ...le16(entries.length),
    ...le32(pos - cdStart), ...le32(cdStart), ...le16(0),
  ]));
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let p = 0;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  return out;
}

/**
 * encodeTorch(model | stateDict) → torch.save bytes of the state dict (see the module comment);
 * PyTorch reads them with `model.load_state_dict(torch.load(path))`.
 */
export function encodeTorch(modelOrStateDict: Module | ReadonlyMap<string, Tensor>): Uint8Array {
  const sd = modelOrStateDict instanceof Map ? modelOrStateDict : (modelOrStateDict as Module).stateDict();
  const p = new PickleWriter().raw(0x80, 0x02).global('collections', 'OrderedDict').raw(0x29, 0x52); // OrderedDict()
  const files: [string, Uint8Array][] = [];
  if (sd.size > 0) p.raw(0x28); // MARK for SETITEMS
  let key = 0;
  for (const [name, t] of sd) {
    const { type, bytes } = storageOf(t, name);
    const k = String(key++);
    files.push([`archive/data/${k}`, bytes]);
    p.str(name).global('torch._utils', '_rebuild_tensor_v2').raw(0x28) // MARK: the call's arguments
      .raw(0x28).str('storage').global('torch', type).str(k).str('cpu').int(t.numel()).raw(0x74, 0x51) // (…) BINPERSID
      .int(0).tuple(t.shape).tuple(stridesOf(t.shape)).raw(0x89) // offset, size, stride, requires_grad=False
      .global('collections', 'OrderedDict').raw(0x29, 0x52) // backward_hooks = OrderedDict()
      .raw(0x74, 0x52); // TUPLE, REDUCE
  }
  if (sd.size > 0) p.raw(0x75); // SETITEMS
  p.raw(0x2e); // STOP
  return zipStored([['archive/data.pkl', p.bytes()], ...files, ['archive/version', utf8.encode('3\n')]]);
}
