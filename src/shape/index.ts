/** Shape arithmetic below both the tensor layer and the backends: sizes, strides, broadcasting, dim normalisation. */

export type Shape = readonly number[];

/** Number of elements of a shape ([] → 1). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** PyTorch's way of printing a shape: `[1, 6, 28, 28]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Equal shapes? */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming `op` and both shapes when they don't broadcast. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast ` +
        `(size ${da} vs ${db} at dimension ${i - n + Math.max(a.length, b.length)})`);
    }
  }
  return out;
}

/** Resolve a possibly negative dim against `rank`; throws naming the op when out of range. */
export function normalizeDim(dim: number, rank: number, op: string): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new Error(`${op}: dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Check a user-given shape: non-negative integers, at most one -1 (resolved against `numel`). */
export function resolveShape(shape: Shape, numel: number, op: string, from?: Shape): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer >= 0) throw new Error(`${op}: only one dimension can be inferred (got ${formatShape(shape)})`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape dimension ${d} in ${formatShape(shape)}`);
    } else {
      known *= d;
    }
  }
  const out = shape.slice();
  const src = from ? `input of size ${numel} (shape ${formatShape(from)})` : `${numel} elements`;
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new Error(`${op}: shape '${formatShape(shape)}' is invalid for ${src}`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new Error(`${op}: shape '${formatShape(shape)}' is invalid for ${src}`);
  }
  return out;
}
