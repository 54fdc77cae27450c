/**
 * Bump allocator over one shared WebAssembly.Memory. Every backend call resets it, copies its
 * inputs in, runs, and copies results out, so nothing lives across calls and no free list is needed.
 */
import { MAX_PAGES } from './loader.js';
import { WA, type WasmMemory } from './wasm-api.js';

const PAGE = 65536;
/** Bytes at the bottom of memory left to the module itself (AssemblyScript statics; there are none today). */
const RESERVED = 65536;
/** Small fixed area for geometry blocks passed to kernels by pointer. */
export const PARAMS_PTR = 1024;

/** Arena over a shared memory; pointers are byte offsets and 64-byte aligned. */
export class Arena {
  readonly memory: WasmMemory;
  private top = RESERVED;

  constructor(initialPages = 256) {
    this.memory = new WA.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
  }

  /** Forget every allocation; call at the start of each backend call. */
  reset(): void { this.top = RESERVED; }

  /** The allocation position, for rewind. */
  mark(): number { return this.top; }

  /** Release everything allocated since `mark()` returned m. */
  rewind(m: number): void { this.top = m; }

  /** Reserve `bytes` bytes, growing the memory (by at least 50%) when needed. */
  alloc(bytes: number): number {
    const p = this.top;
    const end = p + Math.ceil(bytes / 64) * 64 + 64;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const need = Math.ceil((end - have) / PAGE);
      const cur = have / PAGE;
      const grow = Math.min(Math.max(need, Math.ceil(cur / 2)), MAX_PAGES - cur);
      if (grow < need) throw new Error(`wasm backend: out of memory (need ${end} bytes)`);
      this.memory.grow(grow);
    }
    this.top = end;
    return p;
  }

  /** Float32 view of [ptr, ptr + 4*len); views must be re-made after alloc (growth swaps buffers). */
  f32(ptr: number, len: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, len); }

  /** Int32 view of [ptr, ptr + 4*len). */
  i32(ptr: number, len: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, len); }

  /** Allocate room for `src` and copy it in. */
  put(src: Float32Array): number {
    const p = this.alloc(src.length * 4);
    this.f32(p, src.length).set(src);
    return p;
  }
}
