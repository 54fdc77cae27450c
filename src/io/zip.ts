/**
 * A read-only ZIP reader for what torch.save writes: stored (uncompressed) entries, ZIP64 sizes
 * and offsets, CRC-32 checked on extraction. No node: imports; every length and offset is checked
 * against the file before it is used, so a corrupt or hostile archive costs time and memory
 * proportional to its size and ends in a FormatError naming the byte.
 */
import { FormatError } from './format-error.js';

/** One file in the archive. */
export interface ZipEntry {
  name: string;
  /** Byte offset of the entry's data in the archive. */
  dataOffset: number;
  /** Stored size in bytes (uncompressed, as only stored entries are accepted). */
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  headerOffset: number;
}

const SIG_LOCAL = 0x04034b50, SIG_CENTRAL = 0x02014b50, SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50, SIG_LOCATOR64 = 0x07064b50;
const MAX_COMMENT = 0xffff;

/** Little-endian reads with bounds checks that name the byte and what was being read. */
class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, n: number, what: string): void {
    if (at < 0 || at + n > this.bytes.length) {
      throw new FormatError(this.source, Math.max(0, Math.min(at, this.bytes.length)),
        `truncated zip: ${what} needs bytes ${at}..${at + n} but the file has ${this.bytes.length} bytes`);
    }
  }
  u16(at: number, what: string): number { this.need(at, 2, what); return this.view.getUint16(at, true); }
  u32(at: number, what: string): number { this.need(at, 4, what); return this.view.getUint32(at, true); }
  /** A 64-bit size or offset; beyond 2^53 it cannot be a position in any file we hold. */
  u64(at: number, what: string): number {
    this.need(at, 8, what);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(this.source, at, `${what} is ${v}, larger than any file`);
    return Number(v);
  }
}

/** Where the end-of-central-directory record starts, or -1 (it ends the file, up to a 64 KiB comment). */
function findEocd(r: Reader): number {
  const len = r.bytes.length;
  for (let at = len - 22; at >= 0 && at >= len - 22 - MAX_COMMENT; at--) {
    if (r.view.getUint32(at, true) === SIG_EOCD && at + 22 + r.view.getUint16(at + 20, true) === len) return at;
  }
  return -1;
}

/** The central directory of `bytes` (a ZIP archive); `source` names it in errors. */
export function readZipDirectory(bytes: Uint8Array, source: string): ZipEntry[] {
  const r = new Reader(bytes, source);
  const eocd = findEocd(r);
  if (eocd < 0) throw new FormatError(source, null, 'not a zip archive: no end-of-central-directory record at the end of the file (truncated or not a torch.save file)');
  let count = r.u16(eocd + 10, 'entry count');
  let cdSize = r.u32(eocd + 12, 'central directory size');
  let cdOffset = r.u32(eocd + 16, 'central directory offset');
  const disk = r.u16(eocd + 4, 'disk number');
  if (disk !== 0 && disk !== 0xffff) throw new FormatError(source, eocd + 4, `multi-disk zip archives are not supported (disk ${disk})`);
  const loc = eocd - 20;
  if (loc >= 0 && r.view.getUint32(loc, true) === SIG_LOCATOR64) {
    // ZIP64: the real counts and offsets are in the zip64 end record the locator points to.
    const at = r.u64(loc + 8, 'zip64 end record offset');
    if (r.u32(at, 'zip64 end record') !== SIG_EOCD64) throw new FormatError(source, at, 'the zip64 locator does not point at a zip64 end-of-central-directory record');
    const count64 = r.u64(at + 32, 'zip64 entry count');
    const cdSize64 = r.u64(at + 40, 'zip64 central directory size');
    const cdOffset64 = r.u64(at + 48, 'zip64 central directory offset');
    // Fields not saturated in the classic end record must agree with the zip64 ones (a corrupt or doctored archive otherwise).
    const disagree = (count !== 0xffff && count !== count64) || (cdSize !== 0xffffffff && cdSize !== cdSize64) ||
      (cdOffset !== 0xffffffff && cdOffset !== cdOffset64);
    if (disagree) {
      throw new FormatError(source, eocd, `the end record (${count} entries, directory of ${cdSize} bytes at ${cdOffset}) and the zip64 ` +
        `end record (${count64} entries, ${cdSize64} bytes at ${cdOffset64}) disagree`);
    }
    [count, cdSize, cdOffset] = [count64, cdSize64, cdOffset64];
  } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new FormatError(source, eocd, 'the end record defers to a zip64 record, but there is no zip64 locator before it');
  }
  if (cdOffset + cdSize > eocd) {
    throw new FormatError(source, eocd + 16, `central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at byte ${eocd}`);
  }
  // Every entry takes at least 46 bytes, so a huge declared count cannot make us loop for long.
  if (count > cdSize / 46) throw new FormatError(source, eocd + 10, `${count} entries cannot fit in a ${cdSize}-byte central directory`);

  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  const utf8 = new TextDecoder('utf-8');
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (r.u32(p, 'central directory entry') !== SIG_CENTRAL) throw new FormatError(source, p, `central directory entry ${i} has a bad signature`);
    const flags = r.u16(p + 8, 'entry flags');
    const method = r.u16(p + 10, 'compression method');
    const crc32 = r.u32(p + 16, 'CRC-32');
    let csize = r.u32(p + 20, 'compressed size');
    let size = r.u32(p + 24, 'size');
    const nameLen = r.u16(p + 28, 'name length'), extraLen = r.u16(p + 30, 'extra length'), commentLen = r.u16(p + 32, 'comment length');
    let headerOffset = r.u32(p + 42, 'local header offset');
    r.need(p + 46, nameLen + extraLen + commentLen, 'entry name and extra fields');
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field (id 1): 64-bit values for exactly those fields saturated at 0xFFFFFFFF, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = r.u16(e, 'extra field id'), len = r.u16(e + 2, 'extra field length');
      if (e + 4 + len > p + 46 + nameLen + extraLen) throw new FormatError(source, e, `entry '${name}': extra field runs past its entry`);
      if (id === 1) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + len) throw new FormatError(source, q, `entry '${name}': zip64 extra field lacks the ${what}`);
          const v = r.u64(q, `entry '${name}' zip64 ${what}`);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (csize === 0xffffffff) csize = take('compressed size');
        if (headerOffset === 0xffffffff) headerOffset = take('local header offset');
      }
      e += 4 + len;
    }
    if (flags & 1) throw new FormatError(source, p + 8, `entry '${name}' is encrypted`);
    if (method !== 0) {
      throw new FormatError(source, p + 10, `entry '${name}' is compressed (method ${method}); torch.save stores entries uncompressed, and only those are read`);
    }
    if (csize !== size) throw new FormatError(source, p + 20, `entry '${name}' is stored but its sizes differ (${csize} vs ${size})`);
    if (seen.has(name)) throw new FormatError(source, p + 46, `entry '${name}' appears twice`);
    seen.add(name);
    if (r.u32(headerOffset, `local header of '${name}'`) !== SIG_LOCAL) {
      throw new FormatError(source, headerOffset, `entry '${name}': no local header at byte ${headerOffset}`);
    }
    const dataOffset = headerOffset + 30 + r.u16(headerOffset + 26, 'local name length') + r.u16(headerOffset + 28, 'local extra length');
    if (dataOffset + size > bytes.length) {
      throw new FormatError(source, headerOffset, `entry '${name}': data [${dataOffset}, ${dataOffset + size}) runs past the end of the file (${bytes.length} bytes)`);
    }
    entries.push({ name, dataOffset, size, crc32, headerOffset });
    p += 46 + nameLen + extraLen + commentLen;
    if (p > cdOffset + cdSize) throw new FormatError(source, p, 'central directory entries run past the declared directory size');
  }
  return entries;
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the polynomial ZIP uses) of `data`. */
export function crc32(data: Uint8Array): number {
  if (CRC_TABLE === null) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  const t = CRC_TABLE;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The entry's bytes (a view into `bytes`, no copy), checked against its CRC-32. */
export function zipEntryData(bytes: Uint8Array, e: ZipEntry, source: string): Uint8Array {
  const data = bytes.subarray(e.dataOffset, e.dataOffset + e.size);
  // A zero CRC on a non-empty entry means the writer skipped it (torch's set_crc32_options(False)).
  if (e.crc32 !== 0 || e.size === 0) {
    const c = crc32(data);
    if (c !== e.crc32) {
      throw new FormatError(source, e.dataOffset, `entry '${e.name}' is corrupt: its CRC-32 is ${hex(c)} but the archive records ${hex(e.crc32)}`);
    }
  }
  return data;
}

const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
