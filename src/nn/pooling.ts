/** Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, with PyTorch's repr. */
import type { Tensor } from '../tensor/tensor.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, poolSpec, type AdaptiveSize, type AvgPool2dOptions, type MaxPool2dOptions,
  type PoolSpec } from '../tensor/ops/pool.js';
import type { Pair } from '../tensor/ops/conv.js';
import { Module } from './module.js';

/** Python's repr of an int or a tuple: 2, (3, 3), None. */
const py = (v: number | null | readonly (number | null)[]): string =>
  v === null ? 'None' : typeof v === 'number' ? String(v) : `(${v.map((e) => (e === null ? 'None' : String(e))).join(', ')})`;

/** Max pooling over windows (padding acts as -inf). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export class MaxPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: Pair, opts: MaxPool2dOptions = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
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

/** Average pooling over windows (countIncludePad defaults to true). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export class AvgPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(readonly kernelSize: Pair, opts: AvgPool2dOptions = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
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
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${py(this.outputSize)}`;
  }
}
