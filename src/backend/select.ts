/**
 * Backend selection by name, the hook behind the CLI's `--backend`. 'js' is the pure-TypeScript
 * reference backend; 'auto' picks the fastest backend available (today: the reference one).
 * Faster backends register here as they land.
 */
import type { Backend } from './backend.js';
import { setBackend } from './registry.js';
import { refBackend } from './ref/index.js';

/** Names `selectBackend` accepts. */
export const BACKEND_NAMES: readonly string[] = ['js', 'auto'];

/** Make the named backend current and return it; unknown names are an error listing the known ones. */
export function selectBackend(name: string): Backend {
  let b: Backend;
  switch (name) {
    case 'js':
    case 'auto':
      b = refBackend;
      break;
    default:
      throw new Error(`unknown backend '${name}' (expected one of: ${BACKEND_NAMES.join(', ')})`);
  }
  setBackend(b);
  return b;
}
