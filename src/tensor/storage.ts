/**
 * Tensor storage and its lifetime. A float32 tensor's values live in storage its backend allocated
 * (`Backend.allocFloat32`, a view into wasm memory for the wasm backend); int32/bool tensors (labels,
 * masks) and tensors wrapping a caller's array keep a plain typed array on the JavaScript heap.
 *
 * Storage is reference-counted: every Tensor handle over it (a tensor and its views, a graph node's
 * saved copy of an input) holds one reference, and the last release gives the memory back to the
 * backend. Releases are deterministic (see docs/architecture.md, "Storage and release"); a
 * FinalizationRegistry frees storage whose handles were all garbage-collected without a release,
 * only as a safety net, since its callbacks never run inside a synchronous training loop.
 */
import type { Backend } from '../backend/backend.js';
import type { DataArray } from './dtype.js';

/** One block of tensor memory and the number of Tensor handles holding it. */
export class TensorStorage {
  /** The values; null once freed. For CPU backends this is the live array the kernels read and write. */
  array: DataArray | null;
  /** The backend that allocated the array (and frees it), or null for a JavaScript-heap array. */
  readonly backend: Backend | null;
  readonly length: number;
  /** Live handles (tensors, views, saved copies) over this storage. */
  refs = 0;
  /** In the safety net (see watch()). */
  private watched = false;

  constructor(array: DataArray, backend: Backend | null) {
    this.array = array;
    this.backend = backend;
    this.length = array.length;
    if (backend !== null) {
      live.storages++;
      live.bytes += array.byteLength;
      watch(this);
    }
  }

  /**
   * @internal Put this storage into the FinalizationRegistry safety net, if it is still live. The
   * net watches the array, not this object: a caller may keep `t.data` after dropping the tensor,
   * and that view must keep its memory (a wasm heap block is otherwise reused under it).
   */
  enterSafetyNet(): void {
    if (this.array === null || this.watched || this.backend === null) return;
    this.watched = true;
    const a = this.array as Float32Array;
    finalizer.register(a, { backend: this.backend, buffer: a.buffer, offset: a.byteOffset, length: a.length }, this);
  }

  /** Take a reference (a new handle). */
  retain(): void {
    if (this.array === null) throw new Error('internal: retaining freed tensor storage');
    this.refs++;
  }

  /** Drop a reference; the last one frees the memory. */
  release(): void {
    if (--this.refs > 0 || this.array === null) return;
    const a = this.array;
    this.array = null;
    if (this.backend !== null) {
      if (this.watched) finalizer.unregister(this);
      freeBackendArray(this.backend, a as Float32Array);
    }
  }
}

/** Counters behind memoryStats(). */
const live = { storages: 0, bytes: 0 };

function freeBackendArray(backend: Backend, a: Float32Array): void {
  live.storages--;
  live.bytes -= a.byteLength;
  backend.freeFloat32(a);
}

// Safety net only: runs when a storage's array was garbage-collected without a release (every
// handle and every view the caller kept of it gone). The held value must not reference the array.
interface Leaked { backend: Backend; buffer: ArrayBufferLike; offset: number; length: number }
const finalizer = new FinalizationRegistry<Leaked>(({ backend, buffer, offset, length }) => {
  freeBackendArray(backend, new Float32Array(buffer, offset, length));
});

/**
 * Registering with a FinalizationRegistry costs about a microsecond (and garbage-collector work) per
 * storage, while most storages are temporaries released within the same step. So new storages wait
 * here, and only those still live after the next WATCH_BATCH allocations enter the safety net:
 * the net then covers every storage that lives long enough to be leaked, at a fraction of the cost.
 */
const WATCH_BATCH = 256;
const young: TensorStorage[] = [];

function watch(s: TensorStorage): void {
  young.push(s);
  if (young.length < WATCH_BATCH) return;
  for (const y of young) y.enterSafetyNet();
  young.length = 0;
}

/** Zeroed float32 storage of n elements from `backend`. */
export function allocFloat32Storage(backend: Backend, n: number): TensorStorage {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cannot allocate a tensor of ${n} elements (float32)`);
  let a: Float32Array;
  try {
    a = backend.allocFloat32(n);
  } catch (e) {
    throw new Error(`cannot allocate a tensor of ${n} elements (float32, ${4 * n} bytes) on backend ${backend.name}: ${(e as Error).message}`);
  }
  if (a.length !== n) throw new Error(`backend ${backend.name}: allocFloat32(${n}) returned ${a.length} elements`);
  return new TensorStorage(a, backend);
}

/** Live backend memory: bytes and storages (a tensor and its views share one storage). */
export interface MemoryStats {
  /** Bytes of float32 storage allocated from backends and not yet released. */
  bytes: number;
  /** Live storages (tensors holding backend memory, views counted once). */
  tensors: number;
}

/**
 * Backend memory held by live tensors, like `torch.cuda.memory_allocated()`: flat over training
 * steps when nothing leaks (tensors on the JavaScript heap — labels, masks, caller arrays — are
 * not counted).
 */
export function memoryStats(): MemoryStats {
  return { bytes: live.bytes, tensors: live.storages };
}
