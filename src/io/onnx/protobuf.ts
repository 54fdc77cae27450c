/**
 * A small protocol-buffers writer (the wire format ONNX files use): varints, zigzag-free signed
 * int64 (ten-byte two's complement, as protobuf writes int64), fixed32 floats, length-delimited
 * bytes, strings and nested messages, packed repeated floats and varints. A message is kept as a
 * list of chunks, so nesting a message or attaching a large tensor's bytes copies nothing until
 * `finish()` joins them once.
 */

const utf8 = new TextEncoder();

/** Protobuf wire types. */
const VARINT = 0, FIXED32 = 5, LEN = 2;

/** Builds one message; fields are written in call order. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private scratch: number[] = [];
  /** Bytes written so far (the message's encoded length). */
  length = 0;

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.parts.push(Uint8Array.from(this.scratch));
    this.length += this.scratch.length;
    this.scratch = [];
  }

  private rawVarint(v: number | bigint): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`protobuf: varint ${v} is not a safe integer`);
      if (v < 0) { this.rawVarint(BigInt.asUintN(64, BigInt(v))); return; }
      while (v >= 0x80) {
        this.scratch.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.scratch.push(v);
      return;
    }
    let u = BigInt.asUintN(64, v);
    while (u >= 0x80n) {
      this.scratch.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.scratch.push(Number(u));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** An int32/int64/uint64/bool/enum field; negative values take ten bytes, as protobuf encodes int64. */
  varint(field: number, v: number | bigint | boolean): this {
    this.tag(field, VARINT);
    this.rawVarint(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return this;
  }

  /** A float field (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }

  /** A bytes field; `data` is referenced, not copied (do not change it before finish()). */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, LEN);
    this.rawVarint(data.length);
    this.flush();
    if (data.length > 0) {
      this.parts.push(data);
      this.length += data.length;
    }
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.tag(field, LEN);
    this.rawVarint(m.length);
    this.flush();
    for (const p of m.parts) this.parts.push(p);
    this.length += m.length;
    return this;
  }

  /** A packed repeated float field: one length-delimited run of little-endian fixed32 values. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, b);
  }

  /** A packed repeated varint field (int32/int64). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    inner.flush();
    return this.bytes(field, inner.parts[0] ?? new Uint8Array(0));
  }

  /** The encoded message as one buffer. */
  finish(): Uint8Array {
    this.flush();
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.length);
    let p = 0;
    for (const c of this.parts) { out.set(c, p); p += c.length; }
    return out;
  }
}
