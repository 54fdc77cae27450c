/** Which backend the tensor ops call. The reference backend is the default until a faster one is chosen. */
import type { Backend } from './backend.js';
import { refBackend } from './ref/index.js';

let current: Backend = refBackend;

/** The backend every op dispatches to. */
export function getBackend(): Backend {
  return current;
}

/** Make `b` the active backend; returns the previous one. */
export function setBackend(b: Backend): Backend {
  const prev = current;
  current = b;
  return prev;
}
