/** Finds, feature-detects and compiles the wasm kernel modules built by scripts/build-wasm.mjs. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { WA, type WasmModule } from './wasm-api.js';

/** Which build of the kernels to run: relaxed-SIMD FMA or plain 128-bit SIMD. */
export type KernelFlavor = 'relaxed' | 'simd';

/** Page count the modules declare as their maximum (4 GiB); the shared memory must match. */
export const MAX_PAGES = 65536;

// The .wasm files live in src/backend/wasm/gen and are not copied by tsc, so look next to this
// file (running from src/) and in the source tree (running from dist/src/).
const candidates = (file: string): URL[] => [
  new URL(`./gen/${file}`, import.meta.url),
  new URL(`../../../../src/backend/wasm/gen/${file}`, import.meta.url),
];

/** The raw bytes of one kernel build; throws with the searched paths when missing. */
export function readKernelBytes(flavor: KernelFlavor): Uint8Array {
  const file = `kernels-${flavor}.wasm`;
  const urls = candidates(file);
  for (const u of urls) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return readFileSync(p);
  }
  throw new Error(`wasm backend: ${file} not found (looked in ${urls.map((u) => fileURLToPath(u)).join(', ')}); run npm run build:wasm`);
}

let simdSupport: boolean | undefined;

/** Whether this engine runs the plain-SIMD kernels (shared memory + 128-bit SIMD); cached. */
export function simdSupported(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = typeof SharedArrayBuffer === 'function' && WA.validate(readKernelBytes('simd'));
    } catch {
      simdSupport = false;
    }
  }
  return simdSupport;
}

let relaxedSupport: boolean | undefined;

/** Whether this V8 can run relaxed SIMD; enables the Node 20 flag first (it must precede compilation). */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupport !== undefined) return relaxedSupport;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    relaxedSupport = WA.validate(readKernelBytes('relaxed'));
  } catch {
    relaxedSupport = false;
  }
  return relaxedSupport;
}

const cache = new Map<KernelFlavor, WasmModule>();

/** Compiled module for a flavor (cached); 'relaxed' throws if the engine lacks relaxed SIMD. */
export function kernelModule(flavor: KernelFlavor): WasmModule {
  let m = cache.get(flavor);
  if (m) return m;
  if (flavor === 'relaxed' && !relaxedSimdSupported()) throw new Error('wasm backend: relaxed SIMD is not supported by this engine');
  m = new WA.Module(readKernelBytes(flavor));
  cache.set(flavor, m);
  return m;
}

/** The fastest flavor this engine runs. */
export function bestFlavor(): KernelFlavor {
  return relaxedSimdSupported() ? 'relaxed' : 'simd';
}
