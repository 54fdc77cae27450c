/**
 * The Node platform, built from Node's modules handed in by the caller: `node.ts` passes statically
 * imported ones (the Node entry), `current.ts` ones from `process.getBuiltinModule` (Node ≥ 20.16,
 * when nothing was installed). This file itself imports nothing from Node (types only), so it can
 * sit in the universal import graph.
 */
import type * as Fs from 'node:fs';
import type * as Os from 'node:os';
import type * as V8 from 'node:v8';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Url from 'node:url';
import type { Platform, PoolWorker, WasmFile } from './platform.js';
import { noteOnce, wasmPathOverride } from './platform.js';

// Kept out of the source text as a literal import, so no scanner mistakes the worker's script for an import of this file.
const WORKER_THREADS = ['node', 'worker_threads'].join(':');

/** The Node modules the platform uses. */
export interface NodeBuiltins {
  fs: Pick<typeof Fs, 'existsSync' | 'readFileSync'>;
  os: Pick<typeof Os, 'availableParallelism'>;
  v8: Pick<typeof V8, 'setFlagsFromString'>;
  workerThreads: Pick<typeof WorkerThreads, 'Worker'>;
  url: Pick<typeof Url, 'fileURLToPath' | 'pathToFileURL'>;
}

interface NodeProcess {
  versions?: { node?: string };
  env: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's modules through process.getBuiltinModule, or null when not running in Node ≥ 20.16. */
export function nodeBuiltinsFromProcess(): NodeBuiltins | null {
  const proc = (globalThis as unknown as { process?: NodeProcess }).process;
  if (proc?.versions?.node === undefined || typeof proc.getBuiltinModule !== 'function') return null;
  const get = proc.getBuiltinModule;
  return {
    fs: get('fs') as NodeBuiltins['fs'], os: get('os') as NodeBuiltins['os'], v8: get('v8') as NodeBuiltins['v8'],
    workerThreads: get('worker_threads') as NodeBuiltins['workerThreads'], url: get('url') as NodeBuiltins['url'],
  };
}

/** The Node platform over `b`. */
export function makeNodePlatform(b: NodeBuiltins): Platform {
  const proc = (globalThis as unknown as { process: NodeProcess }).process;
  // From src/backend/platform/ and dist/src/backend/platform/ (a build that copied the modules, or
  // one that did not: then they are found in the source tree).
  // A bundle in CommonJS form has no import.meta.url: then only setWasmPaths can say where they are.
  let dirs: URL[] = [];
  try {
    dirs = [new URL('../wasm/gen/', import.meta.url), new URL('../../../../src/backend/wasm/gen/', import.meta.url)];
  } catch {
    dirs = [];
  }
  const locations = (file: WasmFile): string[] => {
    const o = wasmPathOverride(file);
    if (o !== null) return [o.startsWith('file:') ? b.url.fileURLToPath(o) : o];
    return dirs.map((d) => b.url.fileURLToPath(new URL(file, d)));
  };
  const read = (file: WasmFile): Uint8Array => {
    const paths = locations(file);
    for (const p of paths) if (b.fs.existsSync(p)) return b.fs.readFileSync(p);
    throw new Error(`wasm backend: ${file} not found (looked in ${paths.join(', ') || 'no directory: this bundle has no import.meta.url'}); run npm run build:wasm, ` +
      'or point setWasmPaths() from convnet-ts at the directory that holds the kernel modules');
  };
  return {
    name: 'node',
    defaultThreads: () => {
      const env = Number(proc.env['CONVNET_WASM_THREADS']);
      return Math.max(1, Math.floor(env > 0 ? env : b.os.availableParallelism()));
    },
    env: (name) => proc.env[name],
    threadSupport: () => ({ ok: true }),
    canBlock: () => true,
    enableRelaxedSimd: () => b.v8.setFlagsFromString('--experimental-wasm-relaxed-simd'),
    readWasmSync: read,
    fetchWasm: async (file) => read(file),
    startWorker(script: string, init: unknown, onFail: (why: string) => void): PoolWorker {
      // Eval'd code with a dynamic import(), which works whether Node treats eval'd code as
      // CommonJS or (under --input-type=module, inherited by workers) as a module; `require`
      // does not exist in the latter. No file to locate, so bundled scripts work too.
      const src = `${script}\nimport(${JSON.stringify(WORKER_THREADS)}).then(({ workerData }) => start(workerData));\n`;
      let started = false;
      const w = new b.workerThreads.Worker(src, { eval: true, workerData: init });
      w.unref();
      w.on('online', () => { started = true; });
      w.on('error', (e: Error) => onFail(e.message));
      w.on('exit', (code: number) => { if (code !== 0 || !started) onFail(`the worker exited with code ${code}`); });
      return { terminate: () => { w.removeAllListeners('exit'); void w.terminate(); } };
    },
    note: noteOnce,
  };
}
