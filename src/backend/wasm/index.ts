/** The WebAssembly SIMD backend: kernels in assembly/, built into gen/ by scripts/build-wasm.mjs. */
export { WasmBackend, type WasmBackendOptions } from './backend.js';
export { winogradTile, directForwardEligible, directWeightEligible, type ConvPlan, type ConvPass, type ConvAlgo } from './plan.js';
export { bestFlavor, relaxedSimdSupported, simdSupported, sharedMemorySupported, loadKernelModule, type KernelFlavor } from './loader.js';
