/**
 * Feature detection and compilation of the kernel modules built by scripts/build-wasm.mjs, through
 * the platform: synchronous in Node (the first op can build the backend on the spot), asynchronous
 * in browsers (`ready()` loads them before the first op).
 */
import { getPlatform } from '../platform/current.js';
import type { WasmFile } from '../platform/platform.js';
import { WA, type WasmModule } from './wasm-api.js';

/** Which build of the kernels to run: relaxed-SIMD FMA or plain 128-bit SIMD. */
export type KernelFlavor = 'relaxed' | 'simd';

/** Page count the modules declare as their maximum (4 GiB); the memory must match. */
export const MAX_PAGES = 65536;

// Minimal modules for feature detection (validated without fetching anything): a function that
// returns i8x16.popcnt(i8x16.splat(0)), and one that returns i8x16.relaxed_swizzle of two splats.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

let simd: boolean | undefined;
let relaxed: boolean | undefined;
let shared: boolean | undefined;

/** Whether this engine runs WebAssembly 128-bit SIMD (every current engine; Node ≥ 16.4). */
export function simdSupported(): boolean {
  if (simd === undefined) {
    try { simd = typeof WA === 'object' && WA.validate(SIMD_PROBE); } catch { simd = false; }
  }
  return simd;
}

/** Whether this engine runs relaxed SIMD; enables Node 20's V8 flag first (it must precede any compile). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) {
    try {
      getPlatform().enableRelaxedSimd();
      relaxed = simdSupported() && WA.validate(RELAXED_PROBE);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/** Whether this context can create a shared WebAssembly.Memory (not in pages that are not cross-origin isolated, in some browsers). */
export function sharedMemorySupported(): boolean {
  if (shared === undefined) {
    try {
      shared = typeof SharedArrayBuffer === 'function' && new WA.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      shared = false;
    }
  }
  return shared;
}

/** The fastest flavor this engine runs. */
export function bestFlavor(): KernelFlavor {
  return relaxedSimdSupported() ? 'relaxed' : 'simd';
}

/** The file of one build: shared memory (threads) or a plain one. */
export function kernelFile(flavor: KernelFlavor, sharedMemory: boolean): WasmFile {
  return `kernels-${flavor}${sharedMemory ? '' : '-single'}.wasm`;
}

const modules = new Map<WasmFile, WasmModule>();

function checkFlavor(flavor: KernelFlavor): void {
  if (flavor === 'relaxed' && !relaxedSimdSupported()) throw new Error('wasm backend: relaxed SIMD is not supported by this engine');
}

/** The compiled module of a build if it is loaded or can be loaded synchronously (Node), else null. */
export function kernelModuleSync(flavor: KernelFlavor, sharedMemory: boolean): WasmModule | null {
  const file = kernelFile(flavor, sharedMemory);
  let m = modules.get(file);
  if (m) return m;
  checkFlavor(flavor);
  const bytes = getPlatform().readWasmSync(file);
  if (bytes === null) return null;
  m = new WA.Module(bytes);
  modules.set(file, m);
  return m;
}

/** Loads and compiles a build (cached); in browsers this fetches the file. */
export async function loadKernelModule(flavor: KernelFlavor, sharedMemory: boolean): Promise<WasmModule> {
  const file = kernelFile(flavor, sharedMemory);
  const have = modules.get(file);
  if (have) return have;
  checkFlavor(flavor);
  const m = await WA.compile(await getPlatform().fetchWasm(file));
  modules.set(file, m);
  return m;
}
