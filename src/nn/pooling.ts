/** Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, with PyTorch's repr. */
import type { Tensor } from '../tensor/tensor.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, poolSpec, type AdaptiveSize, type AvgPool2dOptions, type MaxPool2dOptions,
  type PoolSpec } from '../tensor/ops/pool.js';
import type { Pair } from '../tensor/ops/conv.js';
import { Module } from './module.js';
import { adaptiveSizeArg, avgPoolOptions, maxPoolOptions } from './functional.js';
import { pairArg, parseArgs, type IntOrPair } from './args.js';
import { ArgumentError } from '../util/check.js';

const MAX_POOL = { positional: ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], options: ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'] } as const;
const AVG_POOL = { positional: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], options: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] } as const;

function kernelArg(fn: string, k: unknown): Pair {
  const v = pairArg(fn, 'kernelSize', k, 1);
  if (v === undefined) throw new ArgumentError(fn, 'kernelSize', 'kernelSize is required');
  return v;
}

/** Python's repr of an int or a tuple: 2, (3, 3), None. */
const py = (v: number | null | readonly (number | null)[]): string =>
  v === null ? 'None' : typeof v === 'number' ? String(v) : `(${v.map((e) => (e === null ? 'None' : String(e))).join(', ')})`;

/**
 * Max pooling over windows (padding acts as -inf). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow].
 * `new MaxPool2d(3, { stride: 2, padding: 1 })` or PyTorch's positional
 * `new MaxPool2d(kernel_size, stride, padding, dilation, return_indices, ceil_mode)`.
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrPair, opts?: MaxPool2dOptions);
  constructor(kernelSize: IntOrPair, stride?: IntOrPair | null, padding?: IntOrPair, dilation?: IntOrPair, returnIndices?: false, ceilMode?: boolean);
  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    this.kernelSize = kernelArg('MaxPool2d', kernelSize);
    const o = maxPoolOptions('MaxPool2d', parseArgs('MaxPool2d', rest, MAX_POOL));
    this.stride = o.stride ?? this.kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
  }

  private options(): MaxPool2dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options());
  }

  /** This layer's pooling of a 4-D input of `shape`, to fuse after a convolution (Sequential). */
  fusedPool(shape: readonly number[]): PoolSpec {
    return poolSpec('max', shape, this.kernelSize, this.options());
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}, ` +
      `dilation=${py(this.dilation)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`;
  }
}

/**
 * Average pooling over windows (countIncludePad defaults to true). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow].
 * `new AvgPool2d(2, { stride: 2 })` or PyTorch's positional `new AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)`.
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: IntOrPair, opts?: AvgPool2dOptions);
  constructor(kernelSize: IntOrPair, stride?: IntOrPair | null, padding?: IntOrPair, ceilMode?: boolean, countIncludePad?: boolean);
  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    this.kernelSize = kernelArg('AvgPool2d', kernelSize);
    const o = avgPoolOptions('AvgPool2d', parseArgs('AvgPool2d', rest, AVG_POOL));
    this.stride = o.stride ?? this.kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    });
  }

  /** This layer's pooling of a 4-D input of `shape`, to fuse after a convolution (Sequential). */
  fusedPool(shape: readonly number[]): PoolSpec {
    return poolSpec('avg', shape, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}

/** Average pooling to a fixed output size (null keeps that dim). x: [N, C, H, W] or [C, H, W] → [N, C, ...outputSize]. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize, ...rest: never[]) {
    super();
    this.outputSize = adaptiveSizeArg('AdaptiveAvgPool2d', outputSize);
    if (rest.length > 0) throw new ArgumentError('AdaptiveAvgPool2d', 'arguments', 'takes one argument, outputSize');
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
