/** Run a block of tests once per backend (the pure-TS reference and WebAssembly), restoring the previous one after. */
import { after, before, describe } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { setBackend } from '../../src/backend/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';

/** Each backend under test, by name; `make` builds it, `dispose` frees what it built. */
const BACKENDS: { name: string; make: () => Backend; dispose: (b: Backend) => void }[] = [
  { name: 'ref', make: () => refBackend, dispose: () => undefined },
  // parallelMinFlops 0 sends even tiny calls through the worker split, so it is tested too.
  { name: 'wasm', make: () => new WasmBackend({ threads: 2, parallelMinFlops: 0 }), dispose: (b) => (b as WasmBackend).dispose() },
];

/** `describe('<label> [<backend>]')` per backend, with that backend active while `body`'s tests run. */
export function forEachBackend(label: string, body: (backend: string) => void): void {
  for (const { name, make, dispose } of BACKENDS) {
    describe(`${label} [${name}]`, () => {
      let prev: Backend | null = null, b: Backend | null = null;
      before(() => { b = make(); prev = setBackend(b); });
      after(() => { setBackend(prev); if (b !== null) dispose(b); });
      body(name);
    });
  }
}
