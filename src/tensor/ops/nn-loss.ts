/**
 * Losses: argument checks here; the primitives are in rules/loss.ts. crossEntropy runs the
 * backend's fused softmax-cross-entropy kernel, which keeps the softmax for its backward (softmax −
 * target distribution), so a training step never materialises log-probabilities as a separate node.
 */
import { formatShape, shapesEqual } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply } from './registry.js';
import type { Reduction } from './rules/loss.js';

export type { Reduction };

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
function checkLabels(op: string, input: Tensor, target: Tensor, n: number, c: number, ignoreIndex: number): Int32Array {
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
  let labels: Int32Array | null = null;
  if (probs) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new Error(`${op}: float targets are class probabilities and must match the input shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}; pass integer labels with .int()`);
    }
    if (target.requiresGrad) throw new Error(`${op}: gradients with respect to probability targets are not supported; detach() the target`);
  } else {
    labels = checkLabels(op, input, target, n, c, ignoreIndex);
  }
  const count = probs ? n : countKept(labels!, ignoreIndex);
  // The grad_fn name PyTorch's composite cross_entropy ends with, so printed tensors match.
  const name = probs ? (reduction === 'mean' ? 'DivBackward1' : 'NegBackward0') : eps > 0 ? 'AddBackward0' : 'NllLossBackward0';
  return apply('crossEntropy', [input, target], {
    n, c, kind: probs ? 'probs' : 'labels', ignoreIndex, smoothing: eps, r: { reduction, count },
    outShape: reduction === 'none' ? (input.ndim === 1 ? [] : [n]) : [], name,
  });
}

/** Rows whose label is not ignoreIndex (the divisor of a mean). */
function countKept(labels: Int32Array, ignoreIndex: number): number {
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== ignoreIndex) k++;
  return k;
}

/** nllLoss(logProbs [N, C], target int32 [N]) → −logProbs[i, target_i], reduced. */
export function nllLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; ignoreIndex?: number } = {}): Tensor {
  const op = 'nllLoss';
  const reduction = checkReduction(op, opts.reduction ?? 'mean');
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const [n, c] = logitDims(op, input);
  if (target.dtype === 'float32') throw new Error(`${op}: target must hold integer class labels (int32), got float32; use .int()`);
  const labels = checkLabels(op, input, target, n, c, ignoreIndex);
  return apply('nllLoss', [input, target], {
    n, c, ignoreIndex, r: { reduction, count: countKept(labels, ignoreIndex) }, outShape: reduction === 'none' ? (input.ndim === 1 ? [] : [n]) : [],
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
  return apply('mseLoss', [input, target], { reduction });
}
