/**
 * The test matrix: which backend the op suites run on, chosen by one environment variable,
 * CONVNET_TEST_BACKEND:
 *   ref    the pure-TypeScript reference backend (the oracle)
 *   wasm1  WasmBackend, 1 thread
 *   wasm2  WasmBackend, 2 threads, split thresholds 0 so even tiny calls take the worker path
 *   simd   WasmBackend built without relaxed SIMD (flavor 'simd'), 1 thread
 * Unset, tests use the library's default backend ($CONVNET_BACKEND, else auto). `npm test`
 * (scripts/test-matrix.mjs) runs the op suites once per entry, with this module preloaded
 * (`node --import`), so every suite in the process — not only the ones that ask — runs on it.
 */
import type { Backend } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { setBackend } from '../../src/backend/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';

/** Matrix entries, in the order `npm test` runs them. */
export const MATRIX = ['ref', 'wasm1', 'wasm2', 'simd'] as const;
export type MatrixEntry = typeof MATRIX[number];

/** The environment variable that picks the entry. */
export const MATRIX_ENV = 'CONVNET_TEST_BACKEND';

/** Build the backend of one matrix entry. */
export function makeMatrixBackend(entry: MatrixEntry): Backend {
  switch (entry) {
    case 'ref': return refBackend;
    case 'wasm1': return new WasmBackend({ threads: 1 });
    case 'wasm2': return new WasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0 });
    case 'simd': return new WasmBackend({ flavor: 'simd', threads: 1 });
  }
}

/** The entry named by $CONVNET_TEST_BACKEND, null when unset; an unknown name is an error naming the choices. */
export function matrixEntry(): MatrixEntry | null {
  const v = process.env[MATRIX_ENV];
  if (v === undefined || v === '') return null;
  if (!(MATRIX as readonly string[]).includes(v)) throw new Error(`${MATRIX_ENV}=${v}: expected one of ${MATRIX.join(', ')}`);
  return v as MatrixEntry;
}

let active: { entry: MatrixEntry; backend: Backend } | null = null;

/** The matrix backend of this process (built once), or null when no entry is chosen. */
export function matrixBackend(): { entry: MatrixEntry; backend: Backend } | null {
  const entry = matrixEntry();
  if (entry === null) return null;
  if (active === null || active.entry !== entry) active = { entry, backend: makeMatrixBackend(entry) };
  return active;
}

// Preloaded with `node --import`: make the entry the process's backend before any test runs.
const m = matrixBackend();
if (m !== null) setBackend(m.backend);
