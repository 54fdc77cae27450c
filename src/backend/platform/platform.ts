/**
 * The platform seam: everything the backends need from their host that differs between Node and
 * browsers — reading the kernel modules, starting worker threads, the default thread count,
 * settings from the environment, feature flags and notes to the user. This file has the interface
 * and the settings; `current.ts` says which implementation is in use. Nothing here imports Node.
 */

/** A running worker of the thread pool. */
export interface PoolWorker {
  terminate(): void;
}

/** Whether this host can run the pool's workers on a memory shared with this thread. */
export type ThreadSupport = { ok: true } | { ok: false; why: string };

/** One kernel build: `kernels-<flavor>[-single].wasm` (`-single`: for a memory that is not shared). */
export type WasmFile = 'kernels-relaxed.wasm' | 'kernels-simd.wasm' | 'kernels-relaxed-single.wasm' | 'kernels-simd-single.wasm';

/** What a host provides to the backends. */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** Total threads (including the calling one) the pool uses by default. */
  defaultThreads(): number;
  /** A setting from the environment (Node: process.env); undefined where there is none (browsers). */
  env(name: string): string | undefined;
  /** Whether workers can share memory with this thread, and if not, why (for the user's note). */
  threadSupport(): ThreadSupport;
  /** Whether this thread may block in Atomics.wait (a browser's main thread may not: it spins instead). */
  canBlock(): boolean;
  /** Prepares the engine to compile relaxed SIMD where that needs a flag first (Node 20's V8). */
  enableRelaxedSimd(): void;
  /** A kernel build's bytes, synchronously; null where only asynchronous loading exists (browsers). */
  readWasmSync(file: WasmFile): Uint8Array | null;
  /** A kernel build's bytes; a failure names where it looked and `setWasmPaths`. */
  fetchWasm(file: WasmFile): Promise<Uint8Array>;
  /**
   * Starts a worker that runs `script` (worker-loop.ts's workerScript: it defines `start`) and
   * calls start(init). Never waits for it: `onFail(why)` is called if it cannot start or dies.
   */
  startWorker(script: string, init: unknown, onFail: (why: string) => void): PoolWorker;
  /** A note to the user, printed once per distinct text. */
  note(text: string): void;
}

let wasmPaths: string | Partial<Record<WasmFile, string>> | null = null;

/**
 * Where to load the kernel modules from, for hosting them elsewhere than next to the library (like
 * TensorFlow.js's setWasmPaths): a directory URL (or, in Node, a directory path) ending in '/'
 * that holds `kernels-{relaxed,simd}[-single].wasm`, or a map from those file names to URLs.
 * Call it before the first tensor op (or `ready()`); `null` goes back to the default.
 */
export function setWasmPaths(paths: string | Partial<Record<WasmFile, string>> | null): void {
  wasmPaths = paths;
}

/** The override setWasmPaths gave for one file, if any. */
export function wasmPathOverride(file: WasmFile): string | null {
  if (wasmPaths === null) return null;
  if (typeof wasmPaths === 'string') return wasmPaths + file;
  return wasmPaths[file] ?? null;
}

const noted = new Set<string>();

/** console.warn once per distinct text (both platforms' note()). */
export function noteOnce(text: string): void {
  if (noted.has(text)) return;
  noted.add(text);
  (globalThis as unknown as { console: { warn(s: string): void } }).console.warn(text);
}
