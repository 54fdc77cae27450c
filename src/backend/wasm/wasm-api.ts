/**
 * The slice of the WebAssembly JS API this backend uses. The project compiles with lib ES2022 and
 * no DOM types, so the global is typed here locally instead of declaring a global that could clash.
 */

/** A compiled module (structured-cloneable to workers). */
export interface WasmModule { readonly __wasmModule?: never }
/** A linear memory; `buffer` is a SharedArrayBuffer when shared. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
/** Exports of an instance, by name. */
export type WasmExports = Record<string, unknown>;

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: WasmExports };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/** The engine's WebAssembly namespace (undefined in an engine without WebAssembly). */
export const WA: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
