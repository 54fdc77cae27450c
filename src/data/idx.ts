// IDX format (LeCun's MNIST container): 0x00 0x00 <type> <ndim>, ndim big-endian u32 dims, then big-endian data.
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';

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

/** readIdx(bytes, source): parse raw or gzip-compressed IDX bytes; errors name `source`, byte offsets and expected vs actual sizes. */
export function readIdx(bytes: Uint8Array, source: string): IdxArray {
  let raw = bytes;
  const gz = isGzip(bytes);
  if (gz) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`${source}: corrupt gzip data (${bytes.length} compressed bytes): ${msg}`, { cause: err });
    }
  }
  // Sizes below refer to the decompressed stream; say so, otherwise "file has N bytes" contradicts `ls -l`.
  const what = gz ? 'decompressed data has' : 'file has';

  if (raw.length < 4) {
    throw new Error(`${source}: truncated header: need 4 bytes for the magic number but ${what} ${raw.length} bytes`);
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new Error(
      `${source}: bad magic at byte offset 0: expected 0x00 0x00, got ${hex(raw[0]!)} ${hex(raw[1]!)} (not an IDX file)`,
    );
  }
  const code = raw[2]!;
  const type = TYPE_CODES[code];
  if (type === undefined) {
    throw new Error(
      `${source}: unsupported IDX type code ${hex(code)} at byte offset 2 (supported: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)`,
    );
  }
  const ndim = raw[3]!;
  if (ndim === 0) {
    throw new Error(`${source}: invalid IDX header: ndim is 0 at byte offset 3`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) {
    throw new Error(
      `${source}: truncated header: ${ndim} dims need ${headerBytes} header bytes but ${what} ${raw.length} bytes`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = headerBytes + count * type.size;
  const said = ndim === 1 ? `${count} items` : `dims ${dims.join('x')} = ${count} items`;
  if (raw.length < expected) {
    throw new Error(
      `${source}: truncated: header says ${said} (${expected} bytes) but ${what} ${raw.length} bytes`,
    );
  }
  if (raw.length > expected) {
    throw new Error(
      `${source}: trailing data: header says ${said} (${expected} bytes) but ${what} ${raw.length} bytes (${raw.length - expected} extra bytes from offset ${expected})`,
    );
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
