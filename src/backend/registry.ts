/**
 * Which backend the tensor ops call. Until one is set, the first op resolves the default
 * (`select.ts`: $CONVNET_BACKEND, else the fastest available: wasm where SIMD is supported).
 */
import type { Backend } from './backend.js';
import { defaultBackend, resolveBackend } from './select.js';

let current: Backend | null = null;

/** The backend every op dispatches to. */
export function getBackend(): Backend {
  if (current === null) current = defaultBackend();
  return current;
}

/**
 * Make `b` the active backend; returns the previous one, or null when no op has run and none was
 * set yet (the default is then never built just to be returned). `setBackend(null)` goes back to
 * that state: the next op resolves the default again.
 */
export function setBackend(b: Backend | null): Backend | null {
  const prev = current;
  current = b;
  return prev;
}

/** Make the named backend ('auto' | 'js' | 'wasm') current and return it; unknown names list the known ones. */
export function selectBackend(name: string): Backend {
  const b = resolveBackend(name);
  setBackend(b);
  return b;
}
