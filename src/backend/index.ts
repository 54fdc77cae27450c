/**
 * The active backend: which implementation of `Backend` the tensor ops call, chosen by name
 * (`--backend`, $CONVNET_BACKEND) or set directly, and `ready()`, which loads it where loading is
 * asynchronous (browsers). Names: 'js' the pure-TypeScript reference backend (the oracle), 'wasm'
 * the WebAssembly SIMD backend, 'auto' the fastest this engine runs (wasm wherever WebAssembly
 * SIMD validates, else js). The wasm backend is one shared instance, made on first use; its
 * workers never keep a process alive.
 */
import type { Backend } from './backend.js';
import { getPlatform } from './platform/current.js';
import { refBackend } from './ref/index.js';
import { WasmBackend } from './wasm/backend.js';
import { bestFlavor, loadKernelModule, sharedMemorySupported, simdSupported } from './wasm/loader.js';

/** Names `resolveBackend`/`selectBackend` accept. */
export const BACKEND_NAMES: readonly string[] = ['auto', 'js', 'wasm'];

/** Environment variable naming the default backend (`auto` when unset). */
export const BACKEND_ENV = 'CONVNET_BACKEND';

let current: Backend | null = null;
let sharedWasm: WasmBackend | null = null;

/** The process-wide WasmBackend (default options: threads from the platform). */
export function sharedWasmBackend(): WasmBackend {
  if (sharedWasm === null) sharedWasm = new WasmBackend();
  return sharedWasm;
}

/** The backend a name stands for; unknown names, and 'wasm' on an engine without SIMD, are errors. */
export function resolveBackend(name: string): Backend {
  switch (name) {
    case 'js':
      return refBackend;
    case 'wasm':
      if (!simdSupported()) throw new Error("backend 'wasm': this JavaScript engine does not support WebAssembly SIMD (use --backend js)");
      return sharedWasmBackend();
    case 'auto':
      return simdSupported() ? sharedWasmBackend() : refBackend;
    default:
      throw new Error(`unknown backend '${name}' (expected one of: ${BACKEND_NAMES.join(', ')})`);
  }
}

/** The backend used when none was set: $CONVNET_BACKEND, else 'auto'; a bad value is an error naming the variable. */
export function defaultBackend(): Backend {
  const name = getPlatform().env(BACKEND_ENV) || 'auto';
  try {
    return resolveBackend(name);
  } catch (e) {
    throw new Error(`${BACKEND_ENV}=${name}: ${(e as Error).message}`);
  }
}

/** The backend every op dispatches to. */
export function getBackend(): Backend {
  if (current === null) current = defaultBackend();
  return current;
}

/**
 * Make `b` the active backend; returns the previous one, or null when no op has run and none was
 * set yet (the default is then never built just to be returned). `setBackend(null)` goes back to
 * that state: the next op resolves the default again.
 */
export function setBackend(b: Backend | null): Backend | null {
  const prev = current;
  current = b;
  return prev;
}

/** Make the named backend ('auto' | 'js' | 'wasm') current and return it; unknown names list the known ones. */
export function selectBackend(name: string): Backend {
  const b = resolveBackend(name);
  setBackend(b);
  return b;
}

/**
 * Loads what the default backend needs before the first op: in browsers, fetches and compiles the
 * wasm kernels and waits (up to 5 s) for the worker threads to start — a page's workers start only
 * while its main thread is idle; in Node it resolves at once (loading there is synchronous).
 * Resolves with the name of the backend ops will use. Ops run before it resolves in a browser
 * throw an error that says to await it.
 */
export async function ready(): Promise<string> {
  const name = current?.name ?? (getPlatform().env(BACKEND_ENV) || 'auto');
  if (current === null && name !== 'js' && simdSupported()) {
    await loadKernelModule(bestFlavor(), sharedMemorySupported());
    const wasm = sharedWasmBackend();
    if (wasm.threads > 1) await wasm.whenStarted(5000);
  }
  return getBackend().name;
}
