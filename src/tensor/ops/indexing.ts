/**
 * Basic indexing, read and write: `X.get(':', '2:6')` is `X[:, 2:6]`, `X.get([i, i + h], [j, j + w])`
 * is `X[i:i + h, j:j + w]`, `X.set([':', '2:6'], 0)` is `X[:, 2:6] = 0`.
 */
import { allocStorage } from '../dtype.js';
import { formatShape, sizeOf, stridesOf } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asTensor, f32, fromF32, needsGrad, record } from './record.js';
import { sumToShape } from './elementwise.js';
import { expand } from './shape.js';

/** One dim's index: an integer (picks and drops the dim), a `'a:b:s'` string, or `[start, end?, step?]`. */
export type Index = number | string | readonly [number | null, (number | null)?, (number | null)?];

interface DimSel { int: boolean; start: number; step: number; count: number }

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
function selections(shape: readonly number[], index: readonly Index[]): DimSel[] {
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

/** Flat source offsets of every selected element, in row-major order of the selection. */
function offsets(shape: readonly number[], sels: DimSel[]): { map: Int32Array; selShape: number[] } {
  const strides = stridesOf(shape);
  const selShape = sels.filter((s) => !s.int).map((s) => s.count);
  const n = sizeOf(sels.map((s) => s.count));
  const map = new Int32Array(n);
  if (n === 0) return { map, selShape };
  const rank = sels.length;
  const idx = new Array<number>(rank).fill(0);
  let base = 0;
  for (let d = 0; d < rank; d++) base += sels[d]!.start * strides[d]!;
  for (let i = 0; i < n; i++) {
    let off = base;
    for (let d = 0; d < rank; d++) off += idx[d]! * sels[d]!.step * strides[d]!;
    map[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < sels[d]!.count) break;
      idx[d] = 0;
    }
  }
  return { map, selShape };
}

/** Read a sub-tensor (a copy); differentiable. */
export function get(a: Tensor, index: readonly Index[]): Tensor {
  const sels = selections(a.shape, index);
  const { map, selShape } = offsets(a.shape, sels);
  const out = allocStorage(a.dtype, map.length);
  for (let i = 0; i < map.length; i++) out[i] = a.data[map[i]!]!;
  const res = new Tensor(out, selShape, a.dtype);
  // PyTorch names the node after the last indexing step: integer picks alone are a select.
  const whole = (s: DimSel, d: number) => s.start === 0 && s.step === 1 && s.count === a.shape[d];
  const select = sels.some((s) => s.int) && sels.every((s, d) => s.int || whole(s, d));
  return record(res, select ? 'SelectBackward0' : 'SliceBackward0', [a], (g) => {
    const gx = new Float32Array(a.numel());
    const gd = f32(g);
    for (let i = 0; i < map.length; i++) gx[map[i]!] += gd[i]!;
    return [fromF32(gx, a.shape)];
  }, false, []);
}

/** Write `value` (broadcast to the selection) into `a` in place; recorded like PyTorch's CopySlices. */
export function set(a: Tensor, index: readonly Index[], valueIn: TensorLike): void {
  a.checkInplace('set');
  const { map, selShape } = offsets(a.shape, selections(a.shape, index));
  let value = asTensor(valueIn, a);
  const origShape = value.shape;
  // Like PyTorch, leading size-1 dims of the value beyond the selection's rank are dropped.
  let lead = 0;
  while (value.ndim - lead > selShape.length && value.shape[lead] === 1) lead++;
  if (lead > 0) value = value.reshape(value.shape.slice(lead));
  if (value.ndim > selShape.length || value.shape.some((d, i) => d !== 1 && d !== selShape[selShape.length - value.ndim + i])) {
    throw new Error(`set: value of shape ${formatShape(value.shape)} cannot be broadcast to the selected region of shape ${formatShape(selShape)}`);
  }
  const vShape = value.shape;
  if (value.numel() !== map.length) value = expand(value, selShape);
  const vd = value.data;
  const recording = needsGrad(a, value);
  const old = recording ? a.detachHistory() : null;
  for (let i = 0; i < map.length; i++) a.data[map[i]!] = vd[i]!;
  a.bumpVersion();
  if (old === null) return;
  const valueIn0 = valueIn instanceof Tensor ? valueIn : value;
  record(a, 'CopySlices', [old, valueIn0], (g) => {
    const gd = f32(g);
    const gOld = Float32Array.from(gd);
    const gVal = new Float32Array(map.length);
    for (let i = 0; i < map.length; i++) { gVal[i] = gd[map[i]!]!; gOld[map[i]!] = 0; }
    return [fromF32(gOld, a.shape), sumToShape(fromF32(gVal, selShape), vShape).viewStorage(origShape)];
  }, false, []);
}
