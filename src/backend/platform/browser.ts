/**
 * The browser platform (the default): kernel modules fetched by URL (resolved with
 * `new URL(..., import.meta.url)` so bundlers that understand it copy them, or from
 * setWasmPaths), workers started from a Blob script (nothing to locate or bundle), threads only
 * where the page is cross-origin isolated.
 */
import type { Platform, PoolWorker, ThreadSupport, WasmFile } from './platform.js';
import { noteOnce, wasmPathOverride } from './platform.js';

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  SharedArrayBuffer?: unknown;
  WorkerGlobalScope?: unknown;
  Worker?: new (url: string, opts?: { name?: string }) => {
    postMessage(m: unknown): void;
    terminate(): void;
    addEventListener(type: string, f: (e: { message?: string }) => void): void;
  };
  Blob?: new (parts: string[], opts: { type: string }) => unknown;
  URL: { createObjectURL?(b: unknown): string } & (new (u: string, base?: string) => { href: string });
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}
const g = globalThis as unknown as BrowserGlobals;

// One literal `new URL('…', import.meta.url)` per file: the form Vite and webpack recognise as an asset.
function defaultUrl(file: WasmFile): string {
  switch (file) {
    case 'kernels-relaxed.wasm': return new URL('../wasm/gen/kernels-relaxed.wasm', import.meta.url).href;
    case 'kernels-simd.wasm': return new URL('../wasm/gen/kernels-simd.wasm', import.meta.url).href;
    case 'kernels-relaxed-single.wasm': return new URL('../wasm/gen/kernels-relaxed-single.wasm', import.meta.url).href;
    case 'kernels-simd-single.wasm': return new URL('../wasm/gen/kernels-simd-single.wasm', import.meta.url).href;
  }
}

/** The URL a kernel build is fetched from. */
export function wasmUrl(file: WasmFile): string {
  return wasmPathOverride(file) ?? defaultUrl(file);
}

export const browserPlatform: Platform = {
  name: 'browser',
  defaultThreads: () => Math.max(1, Math.floor(g.navigator?.hardwareConcurrency ?? 1)),
  env: () => undefined,
  threadSupport(): ThreadSupport {
    if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated !== true) {
      return { ok: false, why: 'this page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)' };
    }
    if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function') return { ok: false, why: 'this context has no Web Workers' };
    return { ok: true };
  },
  // Inside a worker Atomics.wait is allowed; on the page's main thread it throws.
  canBlock: () => typeof g.WorkerGlobalScope === 'function' && globalThis instanceof (g.WorkerGlobalScope as new () => object),
  enableRelaxedSimd: () => undefined,
  readWasmSync: () => null,
  async fetchWasm(file: WasmFile): Promise<Uint8Array> {
    const url = wasmUrl(file);
    const hint = 'host the kernel modules there, or point setWasmPaths() from convnet-ts at where they are';
    if (typeof g.fetch !== 'function') throw new Error(`wasm backend: cannot load ${url}: this context has no fetch()`);
    let res;
    try {
      res = await g.fetch(url);
    } catch (e) {
      throw new Error(`wasm backend: fetching ${url} failed (${(e as Error).message}); ${hint}`);
    }
    if (!res.ok) throw new Error(`wasm backend: fetching ${url} failed (HTTP ${res.status}); ${hint}`);
    return new Uint8Array(await res.arrayBuffer());
  },
  startWorker(script: string, init: unknown, onFail: (why: string) => void): PoolWorker {
    const src = `${script}\nself.onmessage = (e) => { self.onmessage = null; start(e.data); };\n`;
    const url = g.URL.createObjectURL!(new g.Blob!([src], { type: 'text/javascript' }));
    const w = new g.Worker!(url, { name: 'convnet-ts wasm' });
    w.addEventListener('error', (e) => onFail(e.message ?? 'the worker script failed (a Content-Security-Policy without worker-src blob:?)'));
    w.postMessage(init);
    return { terminate: () => w.terminate() };
  },
  note: noteOnce,
};
