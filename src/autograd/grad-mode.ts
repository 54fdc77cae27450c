/** Global switch for graph recording, like `torch.no_grad()`. */

let enabled = true;

/** Is autograd recording operations right now? */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Run `fn` without recording a graph (results have requiresGrad false); restores the mode even on throw. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Run `fn` with recording switched on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
