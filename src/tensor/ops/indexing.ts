/**
 * Basic indexing, read and write: `X.get(':', '2:6')` is `X[:, 2:6]`, `X.get([i, i + h], [j, j + w])`
 * is `X[i:i + h, j:j + w]`, `X.set([':', '2:6'], 0)` is `X[:, 2:6] = 0`.
 */
import { formatShape, stridesOf } from '../../shape/index.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { apply, asTensor } from './registry.js';
import { copyStrided } from './kernels.js';
import type { DimSel } from './rules/layout.js';

/** One dim's index: an integer (picks and drops the dim), a `'a:b:s'` string, or `[start, end?, step?]`. */
export type Index = number | string | readonly [number | null, (number | null)?, (number | null)?];

function parseSliceString(s: string): [number | null, number | null, number | null] | number | '...' {
  const t = s.trim();
  if (t === '...') return '...';
  if (!t.includes(':')) {
    const v = Number(t);
    if (t === '' || !Number.isInteger(v)) throw new Error(`index: cannot parse '${s}' (expected an integer or a slice like '1:3')`);
    return v;
  }
  const parts = t.split(':');
  if (parts.length > 3) throw new Error(`index: cannot parse slice '${s}'`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new Error(`index: cannot parse slice '${s}'`);
    return v;
  };
  return [num(parts[0]), num(parts[1]), num(parts[2])];
}

/** Expand an index list (strings may hold several comma-separated entries) into one selection per dim. */
export function selections(shape: readonly number[], index: readonly Index[]): DimSel[] {
  const flat: (number | '...' | readonly [number | null, (number | null)?, (number | null)?])[] = [];
  for (const ix of index) {
    if (typeof ix === 'string') for (const part of ix.split(',')) flat.push(parseSliceString(part));
    else flat.push(ix);
  }
  const ell = flat.indexOf('...');
  const explicit = flat.length - (ell >= 0 ? 1 : 0);
  if (explicit > shape.length) {
    throw new Error(`index: too many indices for tensor of dimension ${shape.length} (got ${explicit}, shape ${formatShape(shape)})`);
  }
  const full: typeof flat = ell >= 0
    ? [...flat.slice(0, ell), ...Array(shape.length - explicit).fill([null]), ...flat.slice(ell + 1)]
    : [...flat, ...Array(shape.length - explicit).fill([null])];
  return full.map((ix, d) => {
    const size = shape[d]!;
    if (ix === '...') throw new Error('index: an index can only have a single ellipsis (...)');
    if (typeof ix === 'number') {
      if (!Number.isInteger(ix) || ix < -size || ix >= size) {
        throw new Error(`index: index ${ix} is out of bounds for dimension ${d} with size ${size}`);
      }
      return { int: true, start: ix < 0 ? ix + size : ix, step: 1, count: 1 };
    }
    const step = ix[2] ?? 1;
    if (!Number.isInteger(step) || step <= 0) throw new Error(`index: slice step must be a positive integer (got ${step} at dimension ${d})`);
    const clampIdx = (v: number | null | undefined, dflt: number) => {
      if (v === null || v === undefined) return dflt;
      const r = v < 0 ? v + size : v;
      return Math.min(Math.max(r, 0), size);
    };
    const start = clampIdx(ix[0], 0), end = clampIdx(ix[1], size);
    return { int: false, start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  });
}

/** Read a sub-tensor (a copy); differentiable. */
export function get(a: Tensor, index: readonly Index[]): Tensor {
  const sel = selections(a.shape, index);
  // PyTorch names the node after the last indexing step: integer picks alone are a select.
  const whole = (s: DimSel, d: number) => s.start === 0 && s.step === 1 && s.count === a.shape[d];
  const select = sel.some((s) => s.int) && sel.every((s, d) => s.int || whole(s, d));
  return apply('index', [a], { sel, select });
}

/** Write `value` (broadcast to the selection) into `a` in place; recorded like PyTorch's CopySlices. */
export function set(a: Tensor, index: readonly Index[], valueIn: TensorLike): void {
  a.checkInplace('set');
  const sel = selections(a.shape, index);
  const selShape = sel.filter((s) => !s.int).map((s) => s.count);
  const value = asTensor(valueIn, a);
  // Like PyTorch, leading size-1 dims of the value beyond the selection's rank are dropped.
  let lead = 0;
  while (value.ndim - lead > selShape.length && value.shape[lead] === 1) lead++;
  const vShape = value.shape.slice(lead);
  if (vShape.length > selShape.length || vShape.some((d, i) => d !== 1 && d !== selShape[selShape.length - vShape.length + i])) {
    throw new Error(`set: value of shape ${formatShape(vShape)} cannot be broadcast to the selected region of shape ${formatShape(selShape)}`);
  }
  apply('copySlices', [a, value], { sel, valueShape: vShape, givenShape: value.shape });
}

/** Fill all of `t` with `v` in place, outside the graph (fill_ on a tensor autograd does not track). */
export function fillInPlace(t: Tensor, v: number): void {
  copyStrided(new Float32Array([v]), 0, t.shape.map(() => 0), t, 0, stridesOf(t.shape), t.shape);
  t.bumpVersion();
}
