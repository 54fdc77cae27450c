/**
 * The backend's WebAssembly.Memory and the two ways it is carved up:
 * - the heap: storage handed out by allocFloat32 (tensors resident in the backend), freed
 *   explicitly; freed blocks go to exact-size free lists, since a training step allocates the
 *   same sizes step after step;
 * - the scratch arena: a bump allocator above the heap for one backend call (copies of foreign
 *   inputs, im2col columns, Winograd transforms, partial sums), reset at the start of each call.
 * A shared memory never detaches the views made on it when it grows (each growth only makes a new
 * SharedArrayBuffer object over the same memory), so a heap block's Float32Array stays valid and
 * its byteOffset is its wasm address. A memory that is not shared (a browser page that is not
 * cross-origin isolated, in engines that then refuse shared memories) detaches views on growth,
 * so there the heap is not used: allocFloat32 returns ordinary arrays that kernels copy in and out.
 */
import { MAX_PAGES } from './loader.js';
import { WA, type WasmMemory } from './wasm-api.js';

const PAGE = 65536;
/** Bytes at the bottom left to the module (it has no statics today). */
const RESERVED = 65536;
const ALIGN = 64;

const roundUp = (bytes: number): number => Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;

/** One WebAssembly.Memory with a block heap and a per-call scratch arena. */
export class WasmHeap {
  readonly memory: WasmMemory;
  readonly shared: boolean;
  /** Every buffer object this memory has had (one per growth); views on any of them are ours. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private heapTop = RESERVED;
  private scratchTop = RESERVED;
  private readonly free = new Map<number, number[]>();
  /** Live heap blocks: address -> rounded size. */
  private readonly live = new Map<number, number>();
  private liveBytes = 0;
  constructor(shared: boolean, initialPages = 256) {
    this.shared = shared;
    this.memory = new WA.Memory({ initial: initialPages, maximum: MAX_PAGES, ...(shared ? { shared: true } : {}) });
    this.buffers.add(this.memory.buffer);
  }

  /** Bytes of memory reserved (it never shrinks). */
  get byteLength(): number { return this.memory.buffer.byteLength; }
  /** Bytes in live heap blocks. */
  get heapBytes(): number { return this.liveBytes; }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const need = Math.ceil((end - have) / PAGE);
    const cur = have / PAGE;
    const grow = Math.min(Math.max(need, Math.ceil(cur / 2)), MAX_PAGES - cur);
    if (grow < need) throw new Error(`wasm backend: out of memory (${end} bytes needed; WebAssembly memories stop at 4 GiB)`);
    this.memory.grow(grow);
    this.buffers.add(this.memory.buffer);
  }

  /**
   * A heap block of at least `bytes` bytes (contents undefined); its address, or -1 when a new block
   * would take the heap's top past `limit` bytes (the caller then keeps the data elsewhere).
   */
  allocBlock(bytes: number, limit = Infinity): number {
    const size = roundUp(bytes);
    const list = this.free.get(size);
    let p = list !== undefined && list.length > 0 ? list.pop()! : -1;
    if (p < 0) {
      // Above the scratch in use too, should a block be allocated in the middle of a call.
      p = Math.max(this.heapTop, this.scratchTop);
      if (p + size > limit) return -1;
      this.ensure(p + size);
      this.heapTop = p + size;
      this.scratchTop = this.heapTop;
    }
    this.live.set(p, size);
    this.liveBytes += size;
    return p;
  }

  /** Returns a block from allocBlock; an address that is not a live block is an error. */
  freeBlock(p: number): void {
    const size = this.live.get(p);
    if (size === undefined) throw new Error(`wasm backend: freeFloat32: no live block at address ${p} (freed twice, or not from allocFloat32)`);
    this.live.delete(p);
    this.liveBytes -= size;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(p);
  }

  /** Whether `a` is a view of this memory (its byteOffset is then its address). */
  owns(a: ArrayBufferView): boolean {
    return this.buffers.has(a.buffer);
  }

  /** Forgets every scratch allocation; the start of each backend call. */
  resetScratch(): void { this.scratchTop = this.heapTop; }

  /** The scratch position, for rewind. */
  mark(): number { return this.scratchTop; }

  /** Releases the scratch allocated since mark() returned m. */
  rewind(m: number): void { this.scratchTop = m; }

  /** `bytes` bytes of scratch (64-byte aligned) for the current call. */
  scratch(bytes: number): number {
    const p = this.scratchTop;
    const end = p + roundUp(bytes) + ALIGN;
    this.ensure(end);
    this.scratchTop = end;
    return p;
  }

  /** Float32 view of [p, p + 4n); made fresh, since growth replaces the buffer object. */
  f32(p: number, n: number): Float32Array { return new Float32Array(this.memory.buffer, p, n); }

  /** Int32 view of [p, p + 4n). */
  i32(p: number, n: number): Int32Array { return new Int32Array(this.memory.buffer, p, n); }
}
