/**
 * Registry rules of the in-place primitives: `a op= b` (add_, mul_, div_) and slice assignment
 * (copySlices, PyTorch's CopySlices). apply() rebases input 0's history onto the new node.
 */
import { getBackend } from '../../../backend/index.js';
import { stridesOf } from '../../../shape/index.js';
import type { Tensor } from '../../tensor.js';
import { binaryOut, copyOf, copyStrided, f32 } from '../kernels.js';
import type { NoParams, RuleSet } from '../rule.js';
import { SAVES_NONE } from '../rule.js';
import { div, mul, neg, scalarLike, sumToShape } from '../elementwise.js';
import { scaled, type AlphaParams } from './elementwise.js';
import { gather, regionOf, withRegion, type Selection } from './layout.js';

/** Parameters of copySlices: where the value goes, and its shapes (as given, and without the dropped leading 1s). */
export interface CopySlicesParams { sel: Selection; valueShape: readonly number[]; givenShape: readonly number[] }

/** a op= b (b broadcast to a's shape) through the backend; int/bool `a` via a float copy, converted back. */
function writeInPlace(op: 'add' | 'mul' | 'div', a: Tensor, b: Tensor): void {
  const ad = a.data;
  if (ad instanceof Float32Array) {
    getBackend().binary(op, ad, a.shape, f32(b), b.shape, a.shape, ad);
    return;
  }
  const tmp = binaryOut(op, a, b, a.shape);
  const st = stridesOf(a.shape);
  copyStrided(tmp, 0, st, a, 0, st, a.shape);
  tmp.releaseHandle('a temporary of an in-place op');
}

/** The in-place primitives. */
export const inplaceRules: RuleSet<'add_' | 'mul_' | 'div_' | 'copySlices'> = {
  add_: {
    name: (p) => (p.alpha < 0 ? 'SubBackward0' : 'AddBackward0'),
    inplace: true,
    saves: SAVES_NONE,
    forward: ([a, b], p) => { writeInPlace('add', a!, scaled(b!, p.alpha)); return a!; },
    backward: (g, s, p) => [g, s.needs[1] ? sumToShape(p.alpha === 1 ? g : mul(g, p.alpha), s.shapes[1]!) : null],
  },
  mul_: {
    name: 'MulBackward0',
    inplace: true,
    saves: () => [1],
    forward: ([a, b], _, recording) => {
      // b's gradient needs a's old values, which are about to be overwritten.
      const old = recording && b!.requiresGrad ? [copyOf(a!)] : [];
      writeInPlace('mul', a!, b!);
      return { out: a!, extras: old };
    },
    backward: (g, s) => [mul(g, s.inputs[1]!), s.needs[1] ? sumToShape(mul(g, s.extras[0]!), s.shapes[1]!) : null],
  },
  div_: {
    name: 'DivBackward0',
    inplace: true,
    saves: () => [1],
    forward: ([a, b], _, recording) => {
      writeInPlace('div', a!, b!);
      // b's gradient reads the result, which a later in-place op may change: keep a copy.
      return { out: a!, extras: recording && b!.requiresGrad ? [copyOf(a!)] : [] };
    },
    backward: (g, s) => {
      const b = s.inputs[1]!;
      return [div(g, b), s.needs[1] ? sumToShape(neg(div(mul(g, s.extras[0]!), b)), s.shapes[1]!) : null];
    },
  },
  copySlices: {
    name: 'CopySlices',
    inplace: true,
    saves: SAVES_NONE,
    forward: ([a, value], p) => {
      const r = regionOf(a!.shape, p.sel);
      copyStrided(value!, 0, r.valueStrides(p.valueShape), a!, r.offset, r.strides, r.shape);
      return a!;
    },
    backward: (g, s, p) => {
      // The old values were overwritten where the slice is: they get no gradient there.
      const gOld = s.needs[0] ? withRegion(g, p.sel, scalarLike(0, g)) : null;
      const gVal = s.needs[1] ? sumToShape(gather(g, p.sel), p.valueShape).viewStorage(p.givenShape) : null;
      return [gOld, gVal];
    },
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface InplaceParams { add_: AlphaParams; mul_: NoParams; div_: NoParams; copySlices: CopySlicesParams }

