// IDX format (LeCun's MNIST container): 0x00 0x00 <type> <ndim>, ndim big-endian u32 dims, then big-endian data.
import * as fs from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { FileFormatError } from '../io/errors.js';

/** Element types of IDX files, keyed by their type code. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX array: row-major `data` with `dims.reduce(*)` elements, in native byte order. */
export type IdxArray =
  | { dtype: 'uint8'; dims: number[]; data: Uint8Array }
  | { dtype: 'int8'; dims: number[]; data: Int8Array }
  | { dtype: 'int16'; dims: number[]; data: Int16Array }
  | { dtype: 'int32'; dims: number[]; data: Int32Array }
  | { dtype: 'float32'; dims: number[]; data: Float32Array }
  | { dtype: 'float64'; dims: number[]; data: Float64Array };

const TYPE_CODES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Largest ratio of decompressed to compressed size a deflate stream can reach (258-byte matches
 * coded in ~2 bits): more output than this cannot come from a valid file, so it bounds what a
 * corrupt or hostile .gz may make us allocate.
 */
const MAX_DEFLATE_RATIO = 1032;

/** gunzip `bytes` into at most `maxOutput` bytes (default: what deflate can encode in that size); errors are FileFormatErrors naming the offset. */
export function gunzipBounded(bytes: Uint8Array, source: string, maxOutput = maxInflated(bytes.length), tooLarge?: () => FileFormatError): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, maxOutput) });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge?.() ?? new FileFormatError(source, 0, `gzip data (${bytes.length} compressed bytes) decompresses to more than ${maxOutput} bytes, ` +
        `beyond what deflate can encode in that size (a corrupt or hostile file)`, false, { cause: err });
    }
    const at = gzipErrorOffset(bytes, maxInflated(bytes.length));
    throw new FileFormatError(source, at, `corrupt gzip data (${bytes.length} compressed bytes), at byte ${at}: ${msg}`, false, { cause: err });
  }
}

const maxInflated = (n: number): number => Math.min(MAX_DEFLATE_RATIO * n + 1024, 2 ** 31 - 1);

/** The first `want` decompressed bytes (fewer if the stream is shorter), decompressing only a prefix of the input. */
function gunzipHead(bytes: Uint8Array, want: number): Uint8Array {
  for (let take = 256; ; take *= 4) {
    let out: Uint8Array;
    try {
      // Z_SYNC_FLUSH returns what a truncated stream decodes to instead of failing on its missing end.
      out = gunzipSync(bytes.subarray(0, take), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: maxInflated(take) });
    } catch {
      return new Uint8Array(0); // corrupt early on: the full decompression reports where
    }
    if (out.length >= want || take >= bytes.length) return out;
  }
}

/**
 * gunzip an IDX file without trusting it: read the IDX header from the first decompressed bytes,
 * then decompress into at most the size that header declares (itself bounded by what deflate can
 * encode in the file's size), so a small hostile .gz cannot make us allocate gigabytes.
 */
function gunzipIdx(bytes: Uint8Array, source: string): Uint8Array {
  const head = gunzipHead(bytes, 4 + 4 * 255);
  let declared = maxInflated(bytes.length);
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && TYPE_CODES[head[2]!] !== undefined && head[3]! > 0 && head.length >= 4 + 4 * head[3]!) {
    const ndim = head[3]!, view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let count = 1;
    for (let i = 0; i < ndim; i++) count *= view.getUint32(4 + 4 * i, false);
    const expected = 4 + 4 * ndim + count * TYPE_CODES[head[2]!]!.size;
    if (expected > declared) {
      throw new FileFormatError(source, 4, `IDX header (byte offset 4) declares ${expected} bytes, more than ${bytes.length} bytes of gzip data can hold ` +
        `(at most ${declared}): a corrupt or hostile file`, true);
    }
    declared = expected;
    return gunzipBounded(bytes, source, declared + 1, () => new FileFormatError(source, declared, `trailing data: the IDX header declares ${declared} bytes ` +
      `but the gzip data decompresses to more (extra bytes from decompressed offset ${declared})`, true));
  }
  // Not a recognisable IDX header: decompress (bounded) and let readIdx name the problem.
  return gunzipBounded(bytes, source, declared);
}

/**
 * Where a corrupt gzip stream goes wrong: the shortest prefix that fails with something other than
 * "unexpected end of file" ends at the offending byte. Binary search; skipped for large files,
 * whose error path would otherwise decompress tens of megabytes ~25 times.
 */
function gzipErrorOffset(bytes: Uint8Array, limit: number): number {
  if (bytes.length > 8 * 2 ** 20) return 0;
  const failsEarly = (n: number): boolean => {
    try {
      gunzipSync(bytes.subarray(0, n), { maxOutputLength: limit });
      return false;
    } catch (e) {
      return (e as { code?: string }).code !== 'Z_BUF_ERROR';
    }
  };
  if (!failsEarly(bytes.length)) return bytes.length; // only truncation: the data ends too soon
  let lo = 0, hi = bytes.length; // failsEarly(hi) holds; find the smallest such prefix
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (failsEarly(mid)) hi = mid; else lo = mid;
  }
  return hi - 1;
}

/** readIdx(bytes, source): parse raw or gzip-compressed IDX bytes; errors are FileFormatErrors naming `source`, the byte offset and expected vs actual sizes. */
export function readIdx(bytes: Uint8Array, source: string): IdxArray {
  let raw = bytes;
  const gz = isGzip(bytes);
  if (gz) raw = gunzipIdx(bytes, source);
  // Sizes below refer to the decompressed stream; say so, otherwise "file has N bytes" contradicts `ls -l`.
  const what = gz ? 'decompressed data has' : 'file has';
  const fail = (offset: number, detail: string): FileFormatError => new FileFormatError(source, offset, detail, gz);

  if (raw.length < 4) {
    throw fail(raw.length, `truncated header: need 4 bytes for the magic number but ${what} ${raw.length} bytes`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw fail(0, `bad magic at byte offset 0: expected 0x00 0x00, got ${hex(raw[0]!)} ${hex(raw[1]!)} (not an IDX file)`);
  }
  const code = raw[2]!;
  const type = TYPE_CODES[code];
  if (type === undefined) {
    throw fail(2, `unsupported IDX type code ${hex(code)} at byte offset 2 (supported: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)`);
  }
  const ndim = raw[3]!;
  if (ndim === 0) {
    throw fail(3, 'invalid IDX header: ndim is 0 at byte offset 3');
  }
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) {
    throw fail(raw.length, `truncated header: ${ndim} dims need ${headerBytes} header bytes but ${what} ${raw.length} bytes`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  // `count` may exceed 2^53 for hostile dims; the comparisons below still hold, and nothing is allocated before them.
  const expected = headerBytes + count * type.size;
  const said = ndim === 1 ? `${count} items` : `dims ${dims.join('x')} = ${count} items`;
  if (raw.length < expected) {
    throw fail(raw.length, `truncated: header says ${said} (${expected} bytes) but ${what} ${raw.length} bytes`);
  }
  if (raw.length > expected) {
    throw fail(expected, `trailing data: header says ${said} (${expected} bytes) but ${what} ${raw.length} bytes (${raw.length - expected} extra bytes from offset ${expected})`);
  }
  return decodeBody(raw, headerBytes, count, type.dtype, dims, gz);
}

function decodeBody(
  raw: Uint8Array,
  off: number,
  count: number,
  dtype: IdxDtype,
  dims: number[],
  ownsBuffer: boolean,
): IdxArray {
  if (dtype === 'uint8') {
    // gunzip output is ours, so a view avoids copying 47 MB; caller-supplied bytes are copied so we never alias them.
    // Plain Uint8Array either way: a Buffer's .slice() is a view, which would surprise callers that copy with it.
    const body = new Uint8Array(raw.buffer, raw.byteOffset + off, count);
    return { dtype, dims, data: ownsBuffer ? body : new Uint8Array(body) };
  }
  if (dtype === 'int8') {
    const out = new Int8Array(count);
    out.set(new Int8Array(raw.buffer, raw.byteOffset + off, count));
    return { dtype, dims, data: out };
  }
  const view = new DataView(raw.buffer, raw.byteOffset + off, raw.byteLength - off);
  switch (dtype) {
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false);
      return { dtype, dims, data: out };
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false);
      return { dtype, dims, data: out };
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
      return { dtype, dims, data: out };
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false);
      return { dtype, dims, data: out };
    }
  }
}

/** readIdxFile(path): read a (optionally .gz) IDX file from disk; errors name `path`. */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${path}: cannot read IDX file: ${msg}`, { cause: err });
  }
  return readIdx(bytes, path);
}

/** encodeIdx(array): serialize to uncompressed big-endian IDX bytes (inverse of readIdx; used for fixtures and tests). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const code = Number(Object.keys(TYPE_CODES).find((k) => TYPE_CODES[Number(k)]!.dtype === arr.dtype));
  const size = TYPE_CODES[code]!.size;
  const count = arr.dims.reduce((a, b) => a * b, 1);
  if (count !== arr.data.length) {
    throw new Error(`encodeIdx: dims ${arr.dims.join('x')} = ${count} items but data has ${arr.data.length}`);
  }
  const header = 4 + 4 * arr.dims.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = arr.dims.length;
  arr.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const p = header + i * size;
    const v = arr.data[i]!;
    switch (arr.dtype) {
      case 'uint8': view.setUint8(p, v); break;
      case 'int8': view.setInt8(p, v); break;
      case 'int16': view.setInt16(p, v, false); break;
      case 'int32': view.setInt32(p, v, false); break;
      case 'float32': view.setFloat32(p, v, false); break;
      case 'float64': view.setFloat64(p, v, false); break;
    }
  }
  return out;
}
