/**
 * Fused losses. crossEntropy computes a stable log-softmax and the NLL in one pass per row and
 * keeps the softmax for its backward (softmax − target distribution), so a training step never
 * materialises log-probabilities as a separate graph node.
 */
import { formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Mix the target with the uniform distribution: (1 − ε)·target + ε/C (PyTorch's label_smoothing). */
  labelSmoothing?: number;
  /** Class-index targets equal to this are skipped and excluded from the mean (default -100). */
  ignoreIndex?: number;
}

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

/** Wrap per-sample losses into the reduced output tensor. */
function reduceOut(losses: Float64Array, reduction: Reduction, count: number, shape: readonly number[]): Tensor {
  if (reduction === 'none') return fromF32(Float32Array.from(losses), shape);
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i]!;
  // PyTorch gives NaN for a mean over zero (all ignored) samples; so do we, deliberately.
  return fromF32(new Float32Array([reduction === 'mean' ? s / count : s]), []);
}

/** Per-sample upstream gradient scale for each reduction. */
function gradScale(g: Tensor, reduction: Reduction, count: number): (i: number) => number {
  const gd = f32(g);
  if (reduction === 'none') return (i) => gd[i]!;
  const s = reduction === 'mean' ? gd[0]! / count : gd[0]!;
  return () => s;
}

/** Validate logits [N, C] (or [C]) and return [N, C]. */
function logitDims(op: string, input: Tensor): [number, number] {
  if (input.dtype !== 'float32') throw new Error(`${op}: expected float32 input, got ${input.dtype}`);
  if (input.ndim === 1) return [1, input.shape[0]!];
  if (input.ndim !== 2) {
    throw new Error(`${op}: expected input of shape [N, C] (or [C]), got ${formatShape(input.shape)}; flatten extra dims first`);
  }
  return input.shape as [number, number];
}

/** Integer class labels, validated against C (ignoreIndex allowed). */
function checkLabels(op: string, input: Tensor, target: Tensor, n: number, c: number, ignoreIndex: number): Int32Array | Uint8Array {
  if (target.dtype === 'bool') throw new Error(`${op}: target must hold integer class labels (int32), got bool`);
  const want = input.ndim === 1 ? [] : [n];
  if (!shapesEqual(target.shape, want)) {
    const hint = target.numel() === n && target.ndim > 1 ? `; use target.reshape(-1)` : '';
    throw new Error(`${op}: input ${formatShape(input.shape)} needs a target of shape ${formatShape(want)} (one label per row), got ${formatShape(target.shape)}${hint}`);
  }
  const t = target.data as Int32Array;
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v === ignoreIndex) continue;
    if (v < 0 || v >= c) throw new Error(`${op}: target label ${v} out of range for ${c} classes at index ${i}`);
  }
  return t;
}

/**
 * crossEntropy(logits [N, C], target int32 [N] | probabilities float32 [N, C]) → scalar (or [N] with
 * reduction 'none'); the mean over class-index targets divides by the number of non-ignored rows.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const [n, c] = logitDims(op, input);
  if (c === 0) throw new Error(`${op}: input ${formatShape(input.shape)} has no classes`);
  const probs = target.dtype === 'float32';
  let labels: Int32Array | Uint8Array | null = null;
  let tp: Float32Array | null = null;
  if (probs) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new Error(`${op}: float targets are class probabilities and must match the input shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}; pass integer labels with .int()`);
    }
    if (target.requiresGrad) throw new Error(`${op}: gradients with respect to probability targets are not supported; detach() the target`);
    tp = f32(target);
  } else {
    labels = checkLabels(op, input, target, n, c, ignoreIndex);
  }
  const x = f32(input);
  const soft = new Float32Array(n * c);
  // Per row: the NLL part and, for class-index targets, the smoothing part Σ_k −log p_k (both
  // zero for ignored rows; the mean divides both by the number of kept rows, as PyTorch 1.13 does).
  const nll = new Float64Array(n);
  const smooth = new Float64Array(n);
  const tsum = new Float64Array(n); // Σ_c target'_ic for probability targets: the softmax coefficient
  let count = probs ? n : 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let m = -Infinity;
    for (let k = 0; k < c; k++) if (x[o + k]! > m) m = x[o + k]!;
    let s = 0;
    for (let k = 0; k < c; k++) { const e = Math.exp(x[o + k]! - m); soft[o + k] = e; s += e; }
    const lse = m + Math.log(s);
    const inv = 1 / s;
    for (let k = 0; k < c; k++) soft[o + k] = soft[o + k]! * inv;
    if (labels !== null) {
      const y = labels[i]!;
      if (y === ignoreIndex) continue;
      count++;
      nll[i] = lse - x[o + y]!;
      if (eps > 0) {
        let sumLogp = 0;
        for (let k = 0; k < c; k++) sumLogp += x[o + k]! - lse;
        smooth[i] = -sumLogp;
      }
    } else {
      let l = 0, ts = 0;
      for (let k = 0; k < c; k++) {
        const t = (1 - eps) * tp![o + k]! + eps / c;
        ts += t;
        if (t !== 0) l -= t * (x[o + k]! - lse);
      }
      nll[i] = l;
      tsum[i] = ts;
    }
  }
  const outShape = input.ndim === 1 ? [] : [n];
  const sc = labels !== null ? eps / c : 0;
  const nc = labels !== null ? 1 - eps : 1;
  let out: Tensor;
  if (reduction === 'none') {
    const l = new Float32Array(n);
    for (let i = 0; i < n; i++) l[i] = nc * nll[i]! + sc * smooth[i]!;
    out = fromF32(l, outShape);
  } else {
    let sn = 0, ss = 0;
    for (let i = 0; i < n; i++) { sn += nll[i]!; ss += smooth[i]!; }
    // A mean over zero kept rows is NaN in PyTorch too (0/0), deliberately not hidden.
    const v = reduction === 'mean' ? (nc * sn + sc * ss) / count : nc * sn + sc * ss;
    out = fromF32(new Float32Array([v]), []);
  }
  // The grad_fn name PyTorch's composite cross_entropy ends with, so printed tensors match.
  const name = labels === null ? (reduction === 'mean' ? 'DivBackward1' : 'NegBackward0') : eps > 0 ? 'AddBackward0' : 'NllLossBackward0';
  return record(out, name, [input], (g) => {
    const gd = f32(g);
    const d = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      const o = i * c;
      if (labels !== null && labels[i] === ignoreIndex) continue;
      const gi = reduction === 'none' ? gd[i]! : gd[0]!;
      if (labels !== null) {
        const a = nc * (reduction === 'mean' ? gi / count : gi);
        const b = sc * (reduction === 'mean' ? gi / count : gi);
        // d/dx_j of NLL is p_j − δ_jy; of Σ_k −log p_k it is C·p_j − 1.
        for (let k = 0; k < c; k++) d[o + k] = a * soft[o + k]! + b * (c * soft[o + k]! - 1);
        d[o + labels[i]!] = d[o + labels[i]!]! - a;
      } else {
        const a = reduction === 'mean' ? gi / n : gi;
        const ts = tsum[i]!;
        for (let k = 0; k < c; k++) d[o + k] = a * (soft[o + k]! * ts - ((1 - eps) * tp![o + k]! + eps / c));
      }
    }
    return [fromF32(d, input.shape)];
  });
}

/** nllLoss(logProbs [N, C], target int32 [N]) → −logProbs[i, target_i], reduced. */
export function nllLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; ignoreIndex?: number } = {}): Tensor {
  const op = 'nllLoss';
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const [n, c] = logitDims(op, input);
  if (target.dtype === 'float32') throw new Error(`${op}: target must hold integer class labels (int32), got float32; use .int()`);
  const labels = checkLabels(op, input, target, n, c, ignoreIndex);
  const x = f32(input);
  const losses = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y === ignoreIndex) continue;
    count++;
    losses[i] = -x[i * c + y]!;
  }
  const out = reduceOut(losses, reduction, count, input.ndim === 1 ? [] : [n]);
  return record(out, 'NllLossBackward0', [input], (g) => {
    const scale = gradScale(g, reduction, count);
    const d = new Float32Array(n * c);
    for (let i = 0; i < n; i++) if (labels[i] !== ignoreIndex) d[i * c + labels[i]!] = -scale(i);
    return [fromF32(d, input.shape)];
  });
}

/** mseLoss(input, target) with equal shapes → mean/sum of (input − target)², or elementwise with 'none'. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const op = 'mseLoss';
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  if (!shapesEqual(input.shape, target.shape)) {
    // PyTorch only warns and broadcasts; [N] vs [N, 1] then silently gives an [N, N] loss. Refuse instead.
    throw new Error(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape (reshape one of them; broadcasting here is almost always a bug)`);
  }
  if (input.dtype !== 'float32') throw new Error(`${op}: expected float32 input, got ${input.dtype}`);
  const a = f32(input), b = f32(target);
  const diff = new Float32Array(a.length);
  const losses = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; diff[i] = d; losses[i] = d * d; }
  const out = reduceOut(losses, reduction, a.length, input.shape);
  return record(out, 'MseLossBackward0', [input, target], (g) => {
    const scale = gradScale(g, reduction, a.length);
    const d = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) d[i] = 2 * diff[i]! * scale(i);
    const gi = fromF32(d, input.shape);
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      const e = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) e[i] = -d[i]!;
      gt = fromF32(e, target.shape);
    }
    return [input.requiresGrad ? gi : null, gt];
  });
}
