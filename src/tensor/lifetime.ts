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

const stack: Tensor[][] = [];

/** @internal Called by the Tensor constructor: the innermost open scope owns the new handle. */
export function trackTensor(t: Tensor): void {
  const n = stack.length;
  if (n > 0) stack[n - 1]!.push(t);
}

/** Add every Tensor in `v` (a tensor, or arrays/plain objects of them, one level deep) to `keep`. */
function collect(v: unknown, keep: Set<Tensor>, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 2) return;
  if ((v as Tensor).isTensorHandle === true) { keep.add(v as Tensor); return; }
  if (Array.isArray(v)) { for (const e of v) collect(e, keep, depth + 1); return; }
  if (Object.getPrototypeOf(v) === Object.prototype) for (const e of Object.values(v)) collect(e, keep, depth + 1);
}

/**
 * Run `fn`; tensors it creates and neither returns (directly, or in an array or plain object) nor
 * pinned are released when it returns or throws. Returned tensors pass to the enclosing scope.
 * `label` names the code in the error a released tensor gives when used.
 */
export function scoped<T>(label: string, fn: () => T): T {
  const list: Tensor[] = [];
  stack.push(list);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of list) releaseTemporary(t, `an intermediate of ${label}`);
    throw e;
  }
  stack.pop();
  const keep = new Set<Tensor>();
  collect(result, keep);
  const parent = stack.length > 0 ? stack[stack.length - 1]! : null;
  for (const t of list) {
    if (keep.has(t)) parent?.push(t);
    else releaseTemporary(t, `an intermediate of ${label}`);
  }
  return result;
}

/**
 * Release the library's temporary `t` (`reason` is what a later use reports), unless it is pinned
 * (escaped to a module or a user) or owned (by a graph node, a gradient slot, an optimiser).
 */
export function releaseTemporary(t: Tensor, reason: string): void {
  if (!t.pinned && !t.owned) t.releaseHandle(reason);
}

/** Mark `t` as escaped: the library will never release it (dispose() and the garbage collector still can). */
export function pin<T extends Tensor>(t: T): T {
  t.pinned = true;
  return t;
}
