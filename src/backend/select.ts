/**
 * Backend selection by name: the hook behind the CLI's `--backend` and the `CONVNET_BACKEND`
 * environment variable. 'js' is the pure-TypeScript reference backend (the oracle), 'wasm' the
 * WebAssembly SIMD backend, 'auto' the fastest this engine runs (wasm wherever WebAssembly SIMD
 * validates, else js). The wasm backend is one shared instance, created on first use; its worker
 * threads are unref'd, so it never keeps a process alive.
 */
import type { Backend } from './backend.js';
import { refBackend } from './ref/index.js';
import { WasmBackend } from './wasm/index.js';
import { simdSupported } from './wasm/loader.js';

/** Names `resolveBackend`/`selectBackend` accept. */
export const BACKEND_NAMES: readonly string[] = ['auto', 'js', 'wasm'];

/** Environment variable naming the default backend (`auto` when unset). */
export const BACKEND_ENV = 'CONVNET_BACKEND';

let sharedWasm: WasmBackend | null = null;

/** The process-wide WasmBackend (threads from $CONVNET_WASM_THREADS or the core count). */
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
  const name = process.env[BACKEND_ENV] || 'auto';
  try {
    return resolveBackend(name);
  } catch (e) {
    throw new Error(`${BACKEND_ENV}=${name}: ${(e as Error).message}`);
  }
}
