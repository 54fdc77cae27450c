/**
 * `F`: the functional forms of the layers (PyTorch's torch.nn.functional). Each takes PyTorch's
 * positional arguments in PyTorch's order (`F.maxPool2d(x, 2, 1)` is kernel 2, stride 1) or an
 * options object last (`F.maxPool2d(x, 2, { stride: 1 })`), checks them, and calls the op.
 */
import type { Tensor } from '../tensor/tensor.js';
import * as ew from '../tensor/ops/elementwise.js';
import * as red from '../tensor/ops/reduce.js';
import * as convOps from '../tensor/ops/conv.js';
import * as poolOps from '../tensor/ops/pool.js';
import * as lossOps from '../tensor/ops/nn-loss.js';
import { linear as linearOp } from '../tensor/ops/nn-linear.js';
import { dropout as dropoutOp } from '../tensor/ops/nn-dropout.js';
import { batchNorm as batchNormOp } from '../tensor/ops/nn-batchnorm.js';
import { ArgumentError, describe, expectInt, expectNumber, isPlainObject, isTensorLike, noExtraArgs } from '../util/check.js';
import { boolArg, dimArg, optionalTensorArg, pairArg, parseArgs, probArg, reductionArg, tensorArg, unsupported, type IntOrPair } from './args.js';

export type { Conv2dOptions, Conv1dOptions, Pair } from '../tensor/ops/conv.js';
export type { MaxPool2dOptions, AvgPool2dOptions, AdaptiveSize } from '../tensor/ops/pool.js';
export type { CrossEntropyOptions, Reduction } from '../tensor/ops/nn-loss.js';

const noInplace = (fn: string, inplace: unknown): void =>
  unsupported(fn, 'inplace', inplace, false, 'convnet-ts ops return new tensors (drop the argument; the values are the same)');

/** max(x, 0), any shape. */
export function relu(x: Tensor, inplace?: boolean): Tensor {
  tensorArg('F.relu', 'input', x);
  noInplace('F.relu', inplace);
  return ew.relu(x);
}
/** Logistic sigmoid, any shape. */
export function sigmoid(x: Tensor, ...rest: never[]): Tensor {
  tensorArg('F.sigmoid', 'input', x);
  noExtraArgs('F.sigmoid', [x, ...rest], 1, 'one tensor');
  return ew.sigmoid(x);
}
/** tanh, any shape. */
export function tanh(x: Tensor, ...rest: never[]): Tensor {
  tensorArg('F.tanh', 'input', x);
  noExtraArgs('F.tanh', [x, ...rest], 1, 'one tensor');
  return ew.tanh(x);
}
/** softmax over `dim` (required, as PyTorch's implicit dim is deprecated), any shape. */
export function softmax(x: Tensor, dim: number): Tensor {
  tensorArg('F.softmax', 'input', x);
  return red.softmax(x, dimArg('F.softmax', dim));
}
/** log-softmax over `dim` (stable). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  tensorArg('F.logSoftmax', 'input', x);
  return red.logSoftmax(x, dimArg('F.logSoftmax', dim));
}

const CONV = { positional: ['stride', 'padding', 'dilation', 'groups'], options: ['stride', 'padding', 'dilation', 'groups'] } as const;
const CONV2D = { positional: CONV.positional, options: [...CONV.options, 'activation'] } as const;
const ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
type ConvRest<O> = [options?: O] | [stride?: IntOrPair, padding?: IntOrPair | 'same' | 'valid', dilation?: IntOrPair, groups?: number];

function convOptions(fn: string, rest: readonly unknown[], nd: 1 | 2): Record<string, unknown> {
  const o = parseArgs(fn, rest, nd === 2 ? CONV2D : CONV);
  const one = (name: string, v: unknown, min: number): unknown => (v === undefined ? undefined : nd === 2 ? pairArg(fn, name, v, min) : expectInt(fn, name, v, min));
  const out: Record<string, unknown> = {};
  if (o.stride !== undefined) out.stride = one('stride', o.stride, 1);
  if (o.padding !== undefined) out.padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : one('padding', o.padding, 0);
  if (o.dilation !== undefined) out.dilation = one('dilation', o.dilation, 1);
  if (o.groups !== undefined) out.groups = expectInt(fn, 'groups', o.groups, 1);
  if (o.activation !== undefined) {
    if (!(ACTIVATIONS as readonly unknown[]).includes(o.activation)) {
      throw new ArgumentError(fn, 'activation', `activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(o.activation)}`);
    }
    out.activation = o.activation;
  }
  return out;
}

/** 2-D convolution. x: [N, C, H, W] (or [C, H, W]), weight: [O, C/groups, kh, kw], bias: [O] → [N, O, oh, ow]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, ...rest: ConvRest<convOps.Conv2dOptions>): Tensor {
  tensorArg('F.conv2d', 'input', x);
  tensorArg('F.conv2d', 'weight', weight);
  optionalTensorArg('F.conv2d', 'bias', bias);
  return convOps.conv2d(x, weight, bias ?? null, convOptions('F.conv2d', rest, 2) as convOps.Conv2dOptions);
}

/** 1-D convolution. x: [N, C, L] (or [C, L]), weight: [O, C/groups, k], bias: [O] → [N, O, ol]. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, ...rest: ConvRest<convOps.Conv1dOptions>): Tensor {
  tensorArg('F.conv1d', 'input', x);
  tensorArg('F.conv1d', 'weight', weight);
  optionalTensorArg('F.conv1d', 'bias', bias);
  return convOps.conv1d(x, weight, bias ?? null, convOptions('F.conv1d', rest, 1) as convOps.Conv1dOptions);
}

export { convTranspose2d, convTransposeOutSize, type ConvTranspose2dOptions } from '../tensor/ops/conv-transpose.js';

const MAX_POOL_F = { positional: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], options: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'] } as const;
const AVG_POOL_F = { positional: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], options: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] } as const;

/** Checked options of max pooling (from positionals or an options object). */
export function maxPoolOptions(fn: string, o: Record<string, unknown>): poolOps.MaxPool2dOptions {
  unsupported(fn, 'returnIndices', o.returnIndices, false, 'the indices are not returned (take argmax over the window yourself)');
  const out: poolOps.MaxPool2dOptions = {};
  if (o.stride !== undefined && o.stride !== null) out.stride = pairArg(fn, 'stride', o.stride, 1)!;
  if (o.padding !== undefined) out.padding = pairArg(fn, 'padding', o.padding, 0)!;
  if (o.dilation !== undefined) out.dilation = pairArg(fn, 'dilation', o.dilation, 1)!;
  if (o.ceilMode !== undefined) out.ceilMode = boolArg(fn, 'ceilMode', o.ceilMode)!;
  return out;
}

/** Checked options of average pooling. */
export function avgPoolOptions(fn: string, o: Record<string, unknown>): poolOps.AvgPool2dOptions {
  unsupported(fn, 'divisorOverride', o.divisorOverride, null, 'divide by the window size (countIncludePad) or by the valid elements');
  const out: poolOps.AvgPool2dOptions = {};
  if (o.stride !== undefined && o.stride !== null) out.stride = pairArg(fn, 'stride', o.stride, 1)!;
  if (o.padding !== undefined) out.padding = pairArg(fn, 'padding', o.padding, 0)!;
  if (o.ceilMode !== undefined) out.ceilMode = boolArg(fn, 'ceilMode', o.ceilMode)!;
  if (o.countIncludePad !== undefined) out.countIncludePad = boolArg(fn, 'countIncludePad', o.countIncludePad)!;
  return out;
}

/** Max pooling, PyTorch's F.max_pool2d(input, kernel_size, stride=kernel_size, padding=0, dilation=1, ceil_mode=False). x: [N, C, H, W] → [N, C, oh, ow]. */
export function maxPool2d(x: Tensor, kernelSize: IntOrPair, ...rest: [options?: poolOps.MaxPool2dOptions] | [stride?: IntOrPair | null, padding?: IntOrPair, dilation?: IntOrPair, ceilMode?: boolean, returnIndices?: false]): Tensor {
  tensorArg('F.maxPool2d', 'input', x);
  const k = pairArg('F.maxPool2d', 'kernelSize', kernelSize, 1);
  if (k === undefined) throw new ArgumentError('F.maxPool2d', 'kernelSize', 'kernelSize is required');
  return poolOps.maxPool2d(x, k, maxPoolOptions('F.maxPool2d', parseArgs('F.maxPool2d', rest, MAX_POOL_F)));
}

/** Average pooling, PyTorch's F.avg_pool2d(input, kernel_size, stride=kernel_size, padding=0, ceil_mode=False, count_include_pad=True). */
export function avgPool2d(x: Tensor, kernelSize: IntOrPair, ...rest: [options?: poolOps.AvgPool2dOptions] | [stride?: IntOrPair | null, padding?: IntOrPair, ceilMode?: boolean, countIncludePad?: boolean]): Tensor {
  tensorArg('F.avgPool2d', 'input', x);
  const k = pairArg('F.avgPool2d', 'kernelSize', kernelSize, 1);
  if (k === undefined) throw new ArgumentError('F.avgPool2d', 'kernelSize', 'kernelSize is required');
  return poolOps.avgPool2d(x, k, avgPoolOptions('F.avgPool2d', parseArgs('F.avgPool2d', rest, AVG_POOL_F)));
}

/** An adaptive output size: an int >= 1, or a pair whose entries are ints >= 1 or null (keep that dim). */
export function adaptiveSizeArg(fn: string, v: unknown): poolOps.AdaptiveSize {
  const ok = (e: unknown): boolean => e === null || (typeof e === 'number' && Number.isInteger(e) && e >= 1);
  if ((typeof v === 'number' && ok(v)) || (Array.isArray(v) && v.length === 2 && v.every(ok))) return v as poolOps.AdaptiveSize;
  throw new ArgumentError(fn, 'outputSize', `outputSize must be a positive integer or a pair of them (null keeps a dim), got ${Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
}

/** Average pooling to a fixed output size. x: [N, C, H, W] → [N, C, ...outputSize]. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: poolOps.AdaptiveSize): Tensor {
  tensorArg('F.adaptiveAvgPool2d', 'input', x);
  return poolOps.adaptiveAvgPool2d(x, adaptiveSizeArg('F.adaptiveAvgPool2d', outputSize));
}

/** y = x Wᵀ + b. x: [..., in], weight: [out, in], bias: [out] → [..., out]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  tensorArg('F.linear', 'input', x);
  tensorArg('F.linear', 'weight', weight);
  optionalTensorArg('F.linear', 'bias', bias);
  return linearOp(x, weight, bias ?? null);
}

/** Inverted dropout (PyTorch's F.dropout(input, p=0.5, training=True, inplace=False)); same shape. */
export function dropout(x: Tensor, p = 0.5, training = true, inplace = false): Tensor {
  tensorArg('F.dropout', 'input', x);
  noInplace('F.dropout', inplace);
  return dropoutOp(x, probArg('F.dropout', 'p', p), boolArg('F.dropout', 'training', training)!);
}

/** Batch normalisation of [N, C, *] (PyTorch's F.batch_norm argument order); updates the running buffers in place when training. */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
                          training = false, momentum = 0.1, eps = 1e-5): Tensor {
  const fn = 'F.batchNorm';
  tensorArg(fn, 'input', x);
  for (const [n, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) optionalTensorArg(fn, n, t);
  return batchNormOp(x, runningMean, runningVar, weight, bias, boolArg(fn, 'training', training)!, expectNumber(fn, 'momentum', momentum, 0, 1),
    expectNumber(fn, 'eps', eps, 0));
}

const CE_KEYS = ['reduction', 'labelSmoothing', 'ignoreIndex'] as const;

/**
 * Loss options from PyTorch's call forms: an options object, or PyTorch's positional `weight`
 * (third argument), which we do not support (class weights), so a Tensor there is an error.
 */
function lossOptions(fn: string, rest: readonly unknown[], keys: readonly string[], weighted = true): Record<string, unknown> {
  if (rest.length === 0) return {};
  const [first, ...more] = rest;
  if (isTensorLike(first)) {
    throw new ArgumentError(fn, weighted ? 'weight' : 'options', weighted ? 'class weights (PyTorch\'s third argument, weight) are not supported'
      : `the third argument is an options object { ${keys.join(', ')} }, got a Tensor`);
  }
  if (first !== undefined && first !== null && !isPlainObject(first)) {
    throw new ArgumentError(fn, 'options', `the third argument must be an options object like { ${keys.join(', ')} }, got ${describe(first)}`);
  }
  if (more.length > 0) noExtraArgs(fn, rest, 1, `input, target and an options object { ${keys.join(', ')} }`);
  return parseArgs(fn, [first], { positional: [], options: keys });
}

function checkedLossOptions(fn: string, o: Record<string, unknown>): lossOps.CrossEntropyOptions {
  const out: lossOps.CrossEntropyOptions = {};
  const r = reductionArg(fn, o.reduction);
  if (r !== undefined) out.reduction = r;
  if (o.labelSmoothing !== undefined) out.labelSmoothing = probArg(fn, 'labelSmoothing', o.labelSmoothing);
  if (o.ignoreIndex !== undefined) out.ignoreIndex = expectInt(fn, 'ignoreIndex', o.ignoreIndex);
  return out;
}

/** Cross-entropy of logits [N, C] (or [C]) against int32 labels [N] or float32 probabilities [N, C]; options { reduction, labelSmoothing, ignoreIndex }. */
export function crossEntropy(input: Tensor, target: Tensor, ...opts: [options?: lossOps.CrossEntropyOptions]): Tensor {
  const fn = 'F.crossEntropy';
  tensorArg(fn, 'input', input);
  tensorArg(fn, 'target', target, true);
  return lossOps.crossEntropy(input, target, checkedLossOptions(fn, lossOptions(fn, opts, CE_KEYS)));
}

/** Negative log-likelihood of log-probabilities [N, C] against int32 labels [N]; options { reduction, ignoreIndex }. */
export function nllLoss(input: Tensor, target: Tensor, ...opts: [options?: { reduction?: lossOps.Reduction; ignoreIndex?: number }]): Tensor {
  const fn = 'F.nllLoss';
  tensorArg(fn, 'input', input);
  tensorArg(fn, 'target', target, true);
  return lossOps.nllLoss(input, target, checkedLossOptions(fn, lossOptions(fn, opts, ['reduction', 'ignoreIndex'])));
}

/** Mean squared error of equal shapes; options { reduction }. */
export function mseLoss(input: Tensor, target: Tensor, ...opts: [options?: { reduction?: lossOps.Reduction }]): Tensor {
  const fn = 'F.mseLoss';
  tensorArg(fn, 'input', input);
  tensorArg(fn, 'target', target);
  return lossOps.mseLoss(input, target, checkedLossOptions(fn, lossOptions(fn, opts, ['reduction'], false)));
}
