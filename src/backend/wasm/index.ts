/** The WebAssembly SIMD backend: kernels in assembly/, built into gen/ by scripts/build-wasm.mjs. */
export { WasmBackend, winogradTile, directForwardEligible, type WasmBackendOptions } from './backend.js';
export { bestFlavor, relaxedSimdSupported, type KernelFlavor } from './loader.js';
