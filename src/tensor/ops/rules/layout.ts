/**
 * Registry rules of the layout primitives: reshape (a view), permute, expand, cat and basic
 * indexing (index), all strided copies through Backend.copy.
 */
import { promoteTypes } from '../../dtype.js';
import { stridesOf } from '../../../shape/index.js';
import type { Tensor } from '../../tensor.js';
import { broadcastStrides, copyOf, copyStrided, emptyFloat, emptyJs, expandOut, permuteOut } from '../kernels.js';
import { SAVES_NONE, type RuleSet } from '../rule.js';
import { permute } from '../shape.js';
import { sumToShape } from '../elementwise.js';

/** One dim of a basic-indexing selection: an integer index (drops the dim) or a slice start:…:step of `count`. */
export interface DimSel { int: boolean; start: number; step: number; count: number }
/** A selection, one entry per dim of the indexed tensor. */
export type Selection = readonly DimSel[];

/** A selection as a strided block of its tensor: where it starts, its steps, and its size per dim. */
export interface Region {
  offset: number;
  strides: number[];
  /** Per dim of the tensor: the selection's count (1 for integer indices). */
  shape: number[];
  /** The selection's own shape (integer-indexed dims dropped). */
  selShape: number[];
  /** Strides over `shape` for reading a value of `valueShape` broadcast to selShape. */
  valueStrides(valueShape: readonly number[]): number[];
}

/** The block `sel` picks out of a contiguous tensor of `shape`. */
export function regionOf(shape: readonly number[], sel: Selection): Region {
  const st = stridesOf(shape);
  let offset = 0;
  sel.forEach((s, d) => { offset += s.start * st[d]!; });
  const selShape = sel.filter((s) => !s.int).map((s) => s.count);
  return {
    offset,
    strides: sel.map((s, d) => s.step * st[d]!),
    shape: sel.map((s) => s.count),
    selShape,
    valueStrides(valueShape) {
      const vs = broadcastStrides(valueShape, selShape);
      let k = 0;
      return sel.map((s) => (s.int ? 0 : vs[k++]!));
    },
  };
}

/** The selected values of `t` as a new contiguous tensor of the selection's shape. */
export function gather(t: Tensor, sel: Selection): Tensor {
  const r = regionOf(t.shape, sel);
  const out = t.dtype === 'float32' ? emptyFloat(r.selShape) : emptyJs(r.selShape, t.dtype);
  copyStrided(t, r.offset, r.strides, out, 0, stridesOf(r.shape), r.shape);
  return out;
}

/** A copy of `t` with the selected region overwritten by `v` (a tensor of the selection's shape, or one value). */
export function withRegion(t: Tensor, sel: Selection, v: Tensor): Tensor {
  const out = copyOf(t);
  const r = regionOf(t.shape, sel);
  copyStrided(v, 0, v.numel() === 1 ? r.shape.map(() => 0) : stridesOf(r.shape), out, r.offset, r.strides, r.shape);
  return out;
}

/** Zeros of `shape` with `v` (of the selection's shape) written into the selected region. */
function scatterZeros(shape: readonly number[], sel: Selection, v: Tensor): Tensor {
  const out = emptyFloat(shape);
  const r = regionOf(shape, sel);
  copyStrided(v, 0, stridesOf(r.shape), out, r.offset, r.strides, r.shape);
  return out;
}

/** Parameters of reshape / permute / expand / cat / index. */
export interface ShapeParams { shape: readonly number[] }
export interface PermuteParams { perm: readonly number[] }
export interface CatParams { dim: number }
export interface IndexParams { sel: Selection; select: boolean }

/** The layout primitives. */
export const layoutRules: RuleSet<'reshape' | 'permute' | 'expand' | 'cat' | 'index'> = {
  reshape: {
    // PyTorch 1.13 names a reshape of a contiguous tensor ReshapeAliasBackward0 (view() is ViewBackward0).
    name: 'ReshapeAliasBackward0',
    saves: SAVES_NONE,
    forward: ([a], p) => {
      const v = a!.viewStorage(p.shape);
      v.viewBase = a!;
      return v;
    },
    backward: (g, s) => [g.viewStorage(s.shapes[0]!)],
  },
  permute: {
    name: 'PermuteBackward0',
    saves: SAVES_NONE,
    forward: ([a], p) => permuteOut(a!, p.perm),
    backward: (g, _s, p) => {
      const inv = new Array<number>(p.perm.length);
      p.perm.forEach((q, i) => { inv[q] = i; });
      return [permute(g, inv)];
    },
  },
  expand: {
    name: 'ExpandBackward0',
    saves: SAVES_NONE,
    forward: ([a], p) => expandOut(a!, p.shape),
    backward: (g, s) => [sumToShape(g, s.shapes[0]!)],
  },
  cat: {
    name: 'CatBackward0',
    saves: SAVES_NONE,
    forward: (xs, p) => {
      const first = xs[0]!, d = p.dim;
      const outShape = first.shape.slice();
      outShape[d] = xs.reduce((n, x) => n + x.shape[d]!, 0);
      const dtype = xs.reduce((t, x) => promoteTypes(t, x.dtype), first.dtype);
      const out = dtype === 'float32' ? emptyFloat(outShape) : emptyJs(outShape, dtype);
      const ost = stridesOf(outShape);
      let at = 0;
      for (const x of xs) {
        copyStrided(x, 0, stridesOf(x.shape), out, at * ost[d]!, ost, x.shape);
        at += x.shape[d]!;
      }
      return out;
    },
    backward: (g, s, p) => {
      const gst = stridesOf(g.shape);
      let at = 0;
      return s.shapes.map((shape, k) => {
        const start = at;
        at += shape[p.dim]!;
        if (!s.needs[k]) return null;
        const gx = emptyFloat(shape);
        copyStrided(g, start * gst[p.dim]!, gst, gx, 0, stridesOf(shape), shape);
        return gx;
      });
    },
  },
  index: {
    // PyTorch names the node after the last indexing step: integer picks alone are a select.
    name: (p) => (p.select ? 'SelectBackward0' : 'SliceBackward0'),
    saves: SAVES_NONE,
    forward: ([a], p) => gather(a!, p.sel),
    backward: (g, s, p) => [scatterZeros(s.shapes[0]!, p.sel, g)],
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface LayoutParams {
  reshape: ShapeParams; permute: PermuteParams; expand: ShapeParams; cat: CatParams; index: IndexParams;
}

