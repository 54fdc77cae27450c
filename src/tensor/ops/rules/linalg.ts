/** Registry rules of the matrix products: (batched, broadcast) matmul and the fused affine map `linear`. */
import { getBackend } from '../../../backend/index.js';
import { broadcastShapes, sizeOf } from '../../../shape/index.js';
import type { Tensor } from '../../tensor.js';
import { copyStrided, emptyFloat, f32, reduceOut } from '../kernels.js';
import type { NoParams, RuleSet } from '../rule.js';
import { sumToShape } from '../elementwise.js';

/** Batched C = op(A) op(B) over broadcast batch dims; a: [...ba, m, k] (or [..., k, m] if ta). No graph. */
export function bmm(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const ra = a.ndim, rb = b.ndim;
  const m = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB, 'matmul');
  const nb = sizeOf(batch);
  const out = emptyFloat([...batch, m, n]);
  const od = out.data as Float32Array, ad = f32(a), bd = f32(b);
  const be = getBackend();
  // Map each output batch index to the (possibly broadcast) source batch index.
  const srcIndex = (bs: readonly number[], i: number): number => {
    let idx = 0, stride = 1, rem = i;
    const off = batch.length - bs.length;
    const coords: number[] = [];
    for (let d = batch.length - 1; d >= 0; d--) { coords[d] = rem % batch[d]!; rem = Math.floor(rem / batch[d]!); }
    for (let d = bs.length - 1; d >= 0; d--) {
      if (bs[d] !== 1) idx += coords[d + off]! * stride;
      stride *= bs[d]!;
    }
    return idx;
  };
  for (let i = 0; i < nb; i++) {
    be.gemm(ta, tb, m, n, k, 1, ad, srcIndex(batchA, i) * m * k, bd, srcIndex(batchB, i) * k * n, 0, od, i * m * n);
  }
  return out;
}

/** Parameters of linear: the input's rank and whether a bias is given (they pick PyTorch's node name). */
export interface LinearParams { xRank: number; hasBias: boolean }

/** The grad_fn name PyTorch prints for F.linear's output, so tensors print the same. */
function linearName(p: LinearParams): string {
  if (p.xRank === 1) return p.hasBias ? 'AddBackward0' : 'SqueezeBackward3';
  if (p.xRank === 2) return p.hasBias ? 'AddmmBackward0' : 'MmBackward0';
  return p.hasBias ? 'ViewBackward0' : 'UnsafeViewBackward0';
}

/** Inputs a product reads: the right operand for the left's gradient and vice versa. */
const crossSaves = (_: unknown, needs: readonly boolean[]): number[] =>
  [...(needs[1] ? [0] : []), ...(needs[0] ? [1] : [])];

/** The matrix-product primitives. */
export const linalgRules: RuleSet<'matmul' | 'linear'> = {
  matmul: {
    name: 'MmBackward0',
    saves: crossSaves,
    forward: ([a, b]) => bmm(a!, b!, false, false),
    backward: (g, s) => [
      s.needs[0] ? sumToShape(bmm(g, s.inputs[1]!, false, true), s.shapes[0]!) : null,
      s.needs[1] ? sumToShape(bmm(s.inputs[0]!, g, true, false), s.shapes[1]!) : null,
    ],
  },
  linear: {
    name: linearName,
    saves: crossSaves,
    // y [rows, out] = x [rows, in] · Wᵀ (+ b): rows pre-filled with the bias so the GEMM accumulates onto it (beta = 1).
    forward: ([x, w, bias]) => {
      const [outF, inF] = w!.shape as [number, number];
      const rows = sizeOf(x!.shape.slice(0, -1));
      const y = emptyFloat([...x!.shape.slice(0, -1), outF]);
      let beta = 0;
      if (bias !== undefined) {
        copyStrided(bias, 0, [0, 1], y, 0, [outF, 1], [rows, outF]);
        beta = 1;
      }
      if (rows > 0 && outF > 0 && inF > 0) getBackend().gemm(false, true, rows, outF, inF, 1, f32(x!), 0, f32(w!), 0, beta, y.data as Float32Array, 0);
      return y;
    },
    backward: (g, s) => {
      const [outF, inF] = s.shapes[1] as [number, number];
      const rows = sizeOf(s.shapes[0]!.slice(0, -1));
      const be = getBackend(), gd = f32(g);
      const work = rows > 0 && outF > 0 && inF > 0;
      let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
      if (s.needs[0]) {
        // dx [rows, in] = g [rows, out] @ W [out, in]
        dx = emptyFloat(s.shapes[0]!);
        if (work) be.gemm(false, false, rows, inF, outF, 1, gd, 0, f32(s.inputs[1]!), 0, 0, dx.data as Float32Array, 0);
      }
      if (s.needs[1]) {
        // dW [out, in] = gᵀ [out, rows] @ x [rows, in]
        dw = emptyFloat(s.shapes[1]!);
        if (work) be.gemm(true, false, outF, inF, rows, 1, gd, 0, f32(s.inputs[0]!), 0, 0, dw.data as Float32Array, 0);
      }
      // db [out] = g summed over rows.
      if (s.needs[2]) db = reduceOut('sum', g.viewStorage([rows, outF]), [0], [outF]);
      return s.shapes.length === 3 ? [dx, dw, db] : [dx, dw];
    },
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface LinalgParams { matmul: NoParams; linear: LinearParams }
