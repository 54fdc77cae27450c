// safetensors (huggingface/safetensors): u64 LE header length N, N bytes of JSON header, then raw little-endian data.
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic.js';
import { FileFormatError } from './errors.js';
import { brief } from '../util/check.js';

/** Element types this implementation reads and writes. */
export type SafetensorsDtype = 'F32' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'F16' | 'BF16';

/** Typed arrays accepted as tensor data (Uint8Array may always carry the raw little-endian bytes of any dtype). */
export type SafetensorsData =
  | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

/** One tensor: `data` holds prod(shape) elements of `dtype` (or their raw bytes as a Uint8Array). */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/**
 * A decoded tensor; F16/BF16 come back as raw Uint16Array bit patterns, BOOL as 0/1 bytes.
 * `offset` is where its data starts in the file (for error messages about its values).
 */
export type SafetensorsTensor = { shape: number[]; offset?: number } & (
  | { dtype: 'F32'; data: Float32Array }
  | { dtype: 'F64'; data: Float64Array }
  | { dtype: 'I64'; data: BigInt64Array }
  | { dtype: 'I32'; data: Int32Array }
  | { dtype: 'I16'; data: Int16Array }
  | { dtype: 'I8'; data: Int8Array }
  | { dtype: 'U8' | 'BOOL'; data: Uint8Array }
  | { dtype: 'F16' | 'BF16'; data: Uint16Array });

/** Result of decoding: tensors in header order, and `__metadata__` (null when the file has none). */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string> | null;
}

/** Tensor order in the written file: the reference's (dtype descending, then name) or the caller's insertion order. */
export interface EncodeOptions {
  order?: 'reference' | 'insertion';
}

const ELEM: Record<SafetensorsDtype, number> = {
  F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1,
};
// Position in the reference crate's `Dtype` enum; it sorts by this, descending, so big elements come first and stay aligned.
const RUST_RANK: Record<SafetensorsDtype, number> = {
  BOOL: 0, U8: 1, I8: 2, I16: 3, F16: 4, BF16: 5, I32: 6, F32: 7, F64: 8, I64: 9,
};
// Which typed arrays may carry each dtype's values (besides raw bytes in a Uint8Array).
const CARRIERS: Record<SafetensorsDtype, readonly string[]> = {
  F32: ['Float32Array'], F64: ['Float64Array'], I64: ['BigInt64Array'], I32: ['Int32Array'],
  I16: ['Int16Array'], I8: ['Int8Array'], U8: ['Uint8Array'], BOOL: ['Uint8Array'],
  F16: ['Uint16Array', 'Int16Array'], BF16: ['Uint16Array', 'Int16Array'],
};
// Same cap as the reference implementation: guards against allocating a giant string for a corrupt length.
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True for the dtype names this module supports. */
export function isSafetensorsDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ELEM, s);
}

const utf8 = new TextEncoder();

// Rust compares names as UTF-8 bytes; JS string comparison uses UTF-16 units, which disagree above U+FFFF.
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function numelOf(shape: unknown, what: string, fail: (detail: string) => Error = (d) => new Error(d)): number {
  if (!Array.isArray(shape)) throw fail(`${what}: shape must be an array, got ${brief(shape)}`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw fail(`${what}: shape ${brief(shape)} has an invalid dimension ${brief(d)}`);
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw fail(`${what}: shape ${brief(shape)} is too large`);
  return n;
}

// Raw little-endian bytes of an entry (a copy only where the host is big-endian).
function bytesOf(name: string, e: SafetensorsEntry): Uint8Array {
  const what = `encodeSafetensors: tensor ${JSON.stringify(name)}`;
  if (!isSafetensorsDtype(e.dtype)) throw new Error(`${what}: unknown dtype ${JSON.stringify(e.dtype)}`);
  const numel = numelOf(e.shape, what);
  const need = numel * ELEM[e.dtype];
  const d = e.data;
  // A Uint8Array (or Buffer) is taken as the raw little-endian bytes for every dtype; U8/BOOL values coincide with them.
  const raw = d instanceof Uint8Array;
  if (!raw && !CARRIERS[e.dtype].includes(d.constructor.name)) {
    throw new Error(`${what}: dtype ${e.dtype} cannot be stored from a ${d.constructor.name} (use ${CARRIERS[e.dtype].join(' or ')}, or raw bytes in a Uint8Array)`);
  }
  if (d.byteLength !== need) {
    throw new Error(`${what}: shape [${e.shape.join(', ')}] with dtype ${e.dtype} needs ${need} bytes but data has ${d.byteLength} bytes`);
  }
  const view = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return LITTLE_ENDIAN || raw ? view : swapped(view, ELEM[e.dtype]);
}

function swapped(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  return out;
}

/** encodeSafetensorsChunks(entries, metadata?, {order?}) → [header, ...tensor bytes] in file order; tensor chunks alias the entries' buffers (no copy). */
export function encodeSafetensorsChunks(
  entries: Record<string, SafetensorsEntry>,
  metadata?: Record<string, string>,
  opts: EncodeOptions = {},
): Uint8Array[] {
  const names = Object.keys(entries);
  if (names.includes('__metadata__')) throw new Error('encodeSafetensors: "__metadata__" is reserved and cannot name a tensor');
  if ((opts.order ?? 'reference') === 'reference') {
    names.sort((a, b) => RUST_RANK[entries[b]!.dtype] - RUST_RANK[entries[a]!.dtype] || compareUtf8(a, b));
  }
  // Null prototype: a tensor named "__proto__" must become a key, not replace the object's prototype.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`encodeSafetensors: metadata ${JSON.stringify(k)} must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const e = entries[name]!;
    const bytes = bytesOf(name, e);
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  let json = JSON.stringify(header);
  // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned, as the reference does.
  const len = utf8.encode(json).length;
  json += ' '.repeat((8 - ((8 + len) % 8)) % 8);
  const jsonBytes = utf8.encode(json);
  const head = new Uint8Array(8 + jsonBytes.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  head.set(jsonBytes, 8);
  return [head, ...chunks];
}

/** encodeSafetensors(entries, metadata?, {order?}) → file bytes; tensors in the reference order (dtype desc, name) unless order: 'insertion'. */
export function encodeSafetensors(
  entries: Record<string, SafetensorsEntry>,
  metadata?: Record<string, string>,
  opts: EncodeOptions = {},
): Uint8Array {
  const chunks = encodeSafetensorsChunks(entries, metadata, opts);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

interface Parsed {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

const utf8Length = (s: string): number => utf8.encode(s).length;

function parseHeader(bytes: Uint8Array, source: string): { infos: Parsed[]; metadata: Record<string, string> | null; dataStart: number } {
  const fail = (offset: number, detail: string): FileFormatError => new FileFormatError(source, offset, detail);
  if (bytes.length < 8) {
    throw fail(bytes.length, `truncated: need 8 bytes for the header length but file has ${bytes.length} bytes`);
  }
  // Every safetensors header is a JSON object, so byte 8 is '{'; anything else is another kind of file,
  // and saying so beats reporting its first 8 bytes as an absurd header length.
  if (bytes.length > 8 && bytes[8] !== 0x7b) {
    const head = Buffer.from(bytes.subarray(0, Math.min(16, bytes.length))).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw fail(8, `not a safetensors file: byte 8 should open the JSON header with '{' but is 0x${bytes[8]!.toString(16).padStart(2, '0')} ` +
      `(the file starts with "${head}")`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw fail(0, `header length ${n} (bytes 0..8) runs past the end of the file: header would end at byte ${8n + n} but file has ${bytes.length} bytes`);
  }
  if (n > BigInt(MAX_HEADER)) throw fail(0, `header length ${n} (bytes 0..8) exceeds the ${MAX_HEADER}-byte limit`);
  const dataStart = 8 + Number(n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw fail(8, `header (bytes 8..${dataStart}) is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(msg);
    // V8 names the character position; "Unexpected end of JSON input" means the header ended too soon.
    const offset = at !== null ? 8 + utf8Length(text.slice(0, Number(at[1]))) : /end of JSON/.test(msg) ? dataStart : 8;
    throw fail(offset, `header (bytes 8..${dataStart}) is not valid JSON (at byte ${offset}): ${msg}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw fail(8, `header (bytes 8..${dataStart}) must be a JSON object`);
  }
  // Where an entry's name appears in the header, for errors (the first occurrence of the quoted name).
  const entryOffset = (name: string): number => {
    const i = text.indexOf(JSON.stringify(name));
    return i < 0 ? 8 : 8 + utf8Length(text.slice(0, i));
  };
  let metadata: Record<string, string> | null = null;
  const infos: Parsed[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    const at = entryOffset(name);
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(at, `__metadata__ must be an object of strings (header byte ${at})`);
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') throw fail(at, `__metadata__ value for ${JSON.stringify(k)} must be a string, got ${brief(s)} (header byte ${at})`);
      }
      metadata = { ...(v as Record<string, string>) };
      continue;
    }
    const what = `tensor ${JSON.stringify(name)}`;
    const bad = (detail: string): FileFormatError => fail(at, `${detail} (header byte ${at})`);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what}: header entry must be an object`);
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isSafetensorsDtype(info.dtype)) throw bad(`${what}: unknown or unsupported dtype ${brief(info.dtype)}`);
    const numel = numelOf(info.shape, what, bad);
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) || off[0] > off[1]) {
      throw bad(`${what}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${brief(off)}`);
    }
    const [begin, end] = off as [number, number];
    const need = numel * ELEM[info.dtype];
    if (end - begin !== need) {
      throw bad(`${what}: shape [${(info.shape as number[]).join(', ')}] with dtype ${info.dtype} needs ${need} bytes but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    infos.push({ name, dtype: info.dtype, shape: (info.shape as number[]).slice(), begin, end });
  }
  return { infos, metadata, dataStart };
}

// Tensors must tile the data section exactly: no gaps (hidden bytes), no overlaps (aliasing), nothing past the end.
function checkTiling(infos: Parsed[], dataStart: number, dataLen: number, source: string): void {
  const sorted = infos.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Parsed | undefined;
  for (const t of sorted) {
    if (t.begin !== pos) {
      const after = prev === undefined ? 'the start of the data section' : `tensor ${JSON.stringify(prev.name)} [${prev.begin}, ${prev.end}]`;
      const kind = t.begin > pos ? `gap of ${t.begin - pos} bytes` : `overlap of ${pos - t.begin} bytes`;
      const at = dataStart + Math.min(t.begin, pos, dataLen);
      throw new FileFormatError(source, at, `data_offsets do not tile the data section: ${kind} between ${after} and tensor ${JSON.stringify(t.name)} [${t.begin}, ${t.end}] (file byte ${at})`);
    }
    pos = t.end;
    prev = t;
  }
  if (pos !== dataLen) {
    const detail = pos > dataLen ? `tensor ${JSON.stringify(prev!.name)} ends at ${pos}, past the end` : `tensors cover only ${pos} bytes, leaving ${dataLen - pos} unused`;
    const at = dataStart + Math.min(pos, dataLen);  // where the data runs out, or where the unused tail starts
    throw new FileFormatError(source, at, `data section has ${dataLen} bytes but ${detail} (file byte ${at})`);
  }
}

function typed(p: Parsed, copy: Uint8Array, offset: number): SafetensorsTensor {
  const buf = copy.buffer as ArrayBuffer;
  const { shape } = p;
  switch (p.dtype) {
    case 'F32': return { dtype: p.dtype, shape, offset, data: new Float32Array(buf) };
    case 'F64': return { dtype: p.dtype, shape, offset, data: new Float64Array(buf) };
    case 'I64': return { dtype: p.dtype, shape, offset, data: new BigInt64Array(buf) };
    case 'I32': return { dtype: p.dtype, shape, offset, data: new Int32Array(buf) };
    case 'I16': return { dtype: p.dtype, shape, offset, data: new Int16Array(buf) };
    case 'I8': return { dtype: p.dtype, shape, offset, data: new Int8Array(buf) };
    case 'U8': case 'BOOL': return { dtype: p.dtype, shape, offset, data: copy };
    case 'F16': case 'BF16': return { dtype: p.dtype, shape, offset, data: new Uint16Array(buf) };
  }
}

/**
 * decodeSafetensors(bytes, source) → {tensors (fresh, aligned typed arrays), metadata}; every
 * malformation throws a FileFormatError naming `source`, the tensor and the byte offset. Nothing
 * larger than the file is allocated, whatever the header claims.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const { infos, metadata, dataStart } = parseHeader(bytes, source);
  checkTiling(infos, dataStart, bytes.length - dataStart, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of infos) {
    // Copy into a fresh ArrayBuffer: file offsets need not be aligned for the element type, and callers may keep
    // the tensors long after the (possibly huge) file buffer is dropped.
    const copy = new Uint8Array(p.end - p.begin);
    copy.set(bytes.subarray(dataStart + p.begin, dataStart + p.end));
    if (!LITTLE_ENDIAN && ELEM[p.dtype] > 1) copy.set(swapped(copy, ELEM[p.dtype]));
    tensors.set(p.name, typed(p, copy, dataStart + p.begin));
  }
  return { tensors, metadata };
}

/** readSafetensorsFile(path) → decodeSafetensors of the file's bytes; errors name `path`. */
export function readSafetensorsFile(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${path}: cannot read safetensors file: ${msg}`, { cause: err });
  }
  return decodeSafetensors(bytes, path);
}

/** writeSafetensorsFile(path, entries, metadata?, {order?}): encode and write atomically (streams chunks; old file kept on failure). */
export function writeSafetensorsFile(
  path: string,
  entries: Record<string, SafetensorsEntry>,
  metadata?: Record<string, string>,
  opts: EncodeOptions = {},
): void {
  // Encode first so validation errors never even create a temp file.
  writeFileAtomic(path, encodeSafetensorsChunks(entries, metadata, opts));
}
