/**
 * Deterministic release of temporaries, internal to the library (there is no public `tidy()`).
 *
 * JavaScript has no reference counting and FinalizationRegistry callbacks never run inside a
 * synchronous loop, so the library releases what it knows nobody else holds: `scoped(label, fn)`
 * runs library code (a backward rule, a composite op, an optimiser step, a zoo block's forward)
 * and releases every tensor handle created inside it that it does not return and that was not
 * pinned or owned. Pinned handles — parameters, buffers, gradients a user has read, tensors
 * assigned to a module — are never released by the library; only `dispose()` or the garbage
 * collector ends them. Owned handles — a graph node's saved values, a gradient slot, optimiser
 * state — are released by their owner.
 */
import type { Tensor } from './tensor.js';

// One array of the handles every open scope tracks, innermost scope last; `starts` holds where
// each open scope's handles begin (no allocation per scope).
const tracked: Tensor[] = [];
const starts: number[] = [];

/** @internal Called by the Tensor constructor: the innermost open scope owns the new handle. */
export function trackTensor(t: Tensor): void {
  if (starts.length > 0) tracked.push(t);
}

/** Does `v` (a tensor, or arrays/plain objects of them, two levels deep) contain `t`? */
function contains(v: unknown, t: Tensor, depth = 0): boolean {
  if (v === t) return true;
  if (v === null || typeof v !== 'object' || depth > 2 || (v as Tensor).isTensorHandle === true) return false;
  if (Array.isArray(v)) { for (const e of v) if (contains(e, t, depth + 1)) return true; return false; }
  if (Object.getPrototypeOf(v) === Object.prototype) for (const e of Object.values(v)) if (contains(e, t, depth + 1)) return true;
  return false;
}

/** Close the innermost scope: release its handles except those in `result`, which pass to the enclosing scope. */
function close(result: unknown, label: string): void {
  const start = starts.pop()!;
  const end = tracked.length;
  let keep = start;
  for (let i = start; i < end; i++) {
    const t = tracked[i]!;
    if (result !== undefined && contains(result, t)) tracked[keep++] = t;
    else releaseTemporary(t, `an intermediate of ${label}`);
  }
  // Kept handles stay tracked (by the enclosing scope, if any).
  tracked.length = starts.length > 0 ? keep : 0;
}

/**
 * Run `fn`; tensors it creates and neither returns (directly, or in an array or plain object) nor
 * pinned are released when it returns or throws. Returned tensors pass to the enclosing scope.
 * `label` names the code in the error a released tensor gives when used.
 */
export function scoped<T>(label: string, fn: () => T): T {
  starts.push(tracked.length);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    close(undefined, label);
    throw e;
  }
  close(result, label);
  return result;
}

/**
 * Release the library's temporary `t` (`reason` is what a later use reports), unless it is pinned
 * (escaped to a module or a user) or owned (by a graph node, a gradient slot, an optimiser).
 */
export function releaseTemporary(t: Tensor, reason: string): void {
  if (!t.pinned && !t.owned && keeping === 0) t.releaseHandle(reason);
}

let keeping = 0;

/**
 * Run `fn` with the library's releases of temporaries switched off, for code that walks a forward
 * pass's graph afterwards (the ONNX exporter's trace reads every intermediate). What it made is
 * left to the garbage collector (the FinalizationRegistry safety net), so use it for one pass, not
 * in a loop.
 */
export function keepTemporaries<T>(fn: () => T): T {
  keeping++;
  try {
    return fn();
  } finally {
    keeping--;
  }
}

/** Mark `t` as escaped: the library will never release it (dispose() and the garbage collector still can). */
export function pin<T extends Tensor>(t: T): T {
  t.pinned = true;
  return t;
}
