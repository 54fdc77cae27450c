/** Convolution layers: Conv1d, Conv2d and their lazy forms, with PyTorch's init, parameter names and repr. */
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { ActivationOp } from '../backend/backend.js';
import { conv1d, conv2dActivation } from '../tensor/ops/conv.js';
import type { PoolSpec } from '../tensor/ops/pool.js';
import { formatShape } from '../shape/index.js';
import { Module } from './module.js';
import { Parameter, UninitializedParameter } from './parameter.js';
import { defaultLayerInit_ } from './init.js';
import { parseArgs, unsupported } from './args.js';
import { expectBool } from '../util/check.js';

/** Options of Conv2d / LazyConv2d; kernelSize is required. */
export interface Conv2dModuleOptions {
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number] | 'same' | 'valid';
  dilation?: number | readonly [number, number];
  groups?: number;
  bias?: boolean;
}

/** Options of Conv1d / LazyConv1d; kernelSize is required. */
export interface Conv1dModuleOptions {
  kernelSize: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** Per-spatial-dim sizes, e.g. [5, 5]. */
export type Tuple = number[];

type P2 = number | readonly [number, number];
const CONV_KEYS = ['kernelSize', 'stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'] as const;

/**
 * The arguments after (inChannels,) outChannels: an options object, or PyTorch's positional
 * kernel_size, stride, padding, dilation, groups, bias, padding_mode (optionally followed by options).
 */
export type Conv2dArgs =
  | [options: Conv2dModuleOptions]
  | [kernelSize: P2, options?: Omit<Conv2dModuleOptions, 'kernelSize'>]
  | [kernelSize: P2, stride?: P2, padding?: P2 | 'same' | 'valid', dilation?: P2, groups?: number, bias?: boolean, paddingMode?: 'zeros'];

/** Conv1d's counterpart of Conv2dArgs. */
export type Conv1dArgs =
  | [options: Conv1dModuleOptions]
  | [kernelSize: number, options?: Omit<Conv1dModuleOptions, 'kernelSize'>]
  | [kernelSize: number, stride?: number, padding?: number | 'same' | 'valid', dilation?: number, groups?: number, bias?: boolean, paddingMode?: 'zeros'];

/** Options from either call form, with the types the constructor cannot check later (bias, paddingMode). */
function convArgs(fn: string, rest: readonly unknown[]): Conv2dModuleOptions & Conv1dModuleOptions {
  const o = parseArgs(fn, rest, { positional: CONV_KEYS, options: CONV_KEYS });
  if (o.bias !== undefined) expectBool(fn, 'bias', o.bias);
  unsupported(fn, 'paddingMode', o.paddingMode, 'zeros', "only 'zeros' padding is implemented");
  delete o.paddingMode;
  return o as unknown as Conv2dModuleOptions & Conv1dModuleOptions;
}

/** Sentinel inChannels with which Lazy* subclasses ask the base constructor for a lazy module. */
const LAZY = -0.5;

/** `v` repeated to `d` entries (an int means the same size on every spatial dim), checked to be integers >= min. */
export function tuple(v: number | readonly number[], d: number, what: string, min: number, name: string): Tuple {
  const t = typeof v === 'number' ? new Array<number>(d).fill(v) : [...v];
  if (t.length !== d || !t.every((e) => Number.isInteger(e) && e >= min)) {
    throw new Error(`${name}: ${what} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer` +
                    `${d > 1 ? ` or ${d} of them` : ''}, got ${JSON.stringify(v)}`);
  }
  return t;
}
/** Python's tuple repr: (5, 5) and (3,). */
export const pyTuple = (t: Tuple): string => (t.length === 1 ? `(${t[0]},)` : `(${t.join(', ')})`);

/** Shared machinery of Conv1d/Conv2d (PyTorch's _ConvNd). */
abstract class ConvNd extends Module {
  inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Tuple;
  readonly stride: Tuple;
  readonly padding: Tuple | 'same' | 'valid';
  readonly dilation: Tuple;
  readonly groups: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(readonly nd: 1 | 2, inChannels: number, outChannels: number,
              o: Conv2dModuleOptions | Conv1dModuleOptions, lazy: boolean) {
    super();
    const name = lazy ? `LazyConv${nd}d` : `Conv${nd}d`;
    this.groups = o.groups ?? 1;
    if (!Number.isInteger(outChannels) || outChannels < 1) throw new Error(`${name}: outChannels must be a positive integer, got ${outChannels}`);
    if (!lazy && (!Number.isInteger(inChannels) || inChannels < 1)) throw new Error(`${name}: inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`${name}: groups must be a positive integer, got ${this.groups}`);
    if (!lazy && inChannels % this.groups !== 0) throw new Error(`${name}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`${name}: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    if (o.kernelSize === undefined) throw new Error(`${name}: kernelSize is required`);
    this.inChannels = lazy ? 0 : inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(o.kernelSize, nd, 'kernelSize', 1, name);
    this.stride = tuple(o.stride ?? 1, nd, 'stride', 1, name);
    this.padding = typeof o.padding === 'string' ? o.padding : tuple(o.padding ?? 0, nd, 'padding', 0, name);
    this.dilation = tuple(o.dilation ?? 1, nd, 'dilation', 1, name);
    if (typeof this.padding === 'string' && this.padding !== 'same' && this.padding !== 'valid') {
      throw new Error(`${name}: padding must be 'same', 'valid', or integers, got '${String(this.padding)}'`);
    }
    if (this.padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new Error(`${name}: padding='same' is not supported for strided convolutions (stride ${pyTuple(this.stride)})`);
    }
    const hasBias = o.bias ?? true;
    if (lazy) {
      this.weight = new UninitializedParameter(name);
      this.bias = hasBias ? new UninitializedParameter(name) : null;
      if (!hasBias) this.registerParameter('bias', null);
    } else {
      this.weight = Parameter.adopt(zeros([outChannels, inChannels / this.groups, ...this.kernelSize]));
      if (hasBias) this.bias = Parameter.adopt(zeros([outChannels]));
      else this.registerParameter('bias', null);
      this.resetParameters();
    }
  }

  /** PyTorch's default init: kaiming_uniform_(a=√5) weight, U(±1/√fanIn) bias (a no-op while lazy). */
  resetParameters(): void {
    if (this.hasUninitializedParams()) return;
    noGrad(() => defaultLayerInit_(this.weight, this.bias));
  }

  /** Has the lazy weight been given its shape yet? */
  hasUninitializedParams(): boolean {
    return this.weight instanceof UninitializedParameter || this.bias instanceof UninitializedParameter;
  }

  /**
   * Lazy modules: allocate weight [out, inChannels / groups, ...kernel] and bias for `inChannels`
   * and initialise them; the module then is a plain Conv1d/Conv2d (PyTorch's cls_to_become), so
   * its repr and constructor.name read `Conv2d`.
   */
  initializeParameters(inChannels: number): void {
    const name = `LazyConv${this.nd}d`;
    if (!Number.isInteger(inChannels) || inChannels < 1 || inChannels % this.groups !== 0) {
      throw new Error(`${name}: inChannels must be a positive multiple of groups (${this.groups}), got ${inChannels}`);
    }
    if (this.weight instanceof UninitializedParameter) {
      this.weight = Parameter.adopt(zeros([this.outChannels, inChannels / this.groups, ...this.kernelSize]));
      if (this.bias instanceof UninitializedParameter) this.bias = Parameter.adopt(zeros([this.outChannels]));
      this.resetParameters();
    }
    this.inChannels = inChannels;
    Object.setPrototypeOf(this, this.nd === 1 ? Conv1d.prototype : Conv2d.prototype);
  }

  /** First forward of a lazy module: channels are dim -(nd + 1) of x ([N, C, ...] or unbatched [C, ...]). */
  protected materialize(x: Tensor): void {
    if (x.ndim !== this.nd + 2 && x.ndim !== this.nd + 1) return; // the op reports the rank error
    if (!(this.weight instanceof UninitializedParameter)) {
      // Weights came from loadStateDict: only the bookkeeping is missing.
      this.initializeParameters(this.weight.shape[1]! * this.groups);
      return;
    }
    const c = x.shape[x.ndim - this.nd - 1]!;
    if (c % this.groups !== 0) {
      throw new Error(`LazyConv${this.nd}d: input ${formatShape(x.shape)} has ${c} channels, not divisible by groups (${this.groups})`);
    }
    this.initializeParameters(c);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const pad = this.padding;
    if (typeof pad === 'string') s += `, padding=${pad}`;
    else if (pad.some((p) => p !== 0)) s += `, padding=${pyTuple(pad)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

/** 2-D convolution layer. x: [N, inChannels, H, W] (or unbatched [C, H, W]) → [N, outChannels, oh, ow]. */
export class Conv2d extends ConvNd {
  /** `new Conv2d(1, 6, { kernelSize: 5, padding: 2 })`, or PyTorch's positional `new Conv2d(1, 6, 5, 1, 2)`. */
  constructor(inChannels: number, outChannels: number, ...args: Conv2dArgs) {
    const lazy = inChannels === LAZY;
    super(2, inChannels, outChannels, convArgs(lazy ? 'LazyConv2d' : 'Conv2d', args), lazy);
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x);
  }

  /**
   * `activation(this.forward(x))` as one fused kernel: Sequential runs a Conv2d followed by ReLU,
   * Sigmoid or Tanh this way. Same values and gradients; the pre-activation is never stored. With
   * `pool` (a pooling layer's fusedPool), the activation's output is also pooled in the same call.
   */
  forwardActivated(x: Tensor, activation?: ActivationOp, pool?: (shape: readonly number[]) => PoolSpec): Tensor {
    return conv2dActivation(x, this.weight, this.bias, {
      stride: this.stride as [number, number],
      padding: typeof this.padding === 'string' ? this.padding : (this.padding as [number, number]),
      dilation: this.dilation as [number, number],
      groups: this.groups,
    }, activation, pool);
  }
}

/** Conv2d whose inChannels is learnt from the first input (d2l's nn.LazyConv2d). x: [N, C, H, W] → [N, outChannels, oh, ow]. */
export class LazyConv2d extends Conv2d {
  /** `new LazyConv2d(6, { kernelSize: 5, padding: 2 })`, or PyTorch's positional `new LazyConv2d(6, 5, 1, 2)`. */
  constructor(outChannels: number, ...args: Conv2dArgs) {
    super(LAZY, outChannels, ...args);
  }

  override forward(x: Tensor): Tensor {
    return this.forwardActivated(x);
  }

  override forwardActivated(x: Tensor, activation?: ActivationOp, pool?: (shape: readonly number[]) => PoolSpec): Tensor {
    if (this.hasUninitializedParams() || this.inChannels === 0) this.materialize(x);
    return super.forwardActivated(x, activation, pool);
  }
}

/** 1-D convolution layer. x: [N, inChannels, L] (or unbatched [C, L]) → [N, outChannels, L_out]. */
export class Conv1d extends ConvNd {
  /** `new Conv1d(1, 4, { kernelSize: 3 })`, or PyTorch's positional `new Conv1d(1, 4, 3, 1, 1)`. */
  constructor(inChannels: number, outChannels: number, ...args: Conv1dArgs) {
    const lazy = inChannels === LAZY;
    super(1, inChannels, outChannels, convArgs(lazy ? 'LazyConv1d' : 'Conv1d', args), lazy);
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride[0]!,
      padding: typeof this.padding === 'string' ? this.padding : this.padding[0]!,
      dilation: this.dilation[0]!,
      groups: this.groups,
    });
  }
}

/** Conv1d whose inChannels is learnt from the first input. x: [N, C, L] → [N, outChannels, L_out]. */
export class LazyConv1d extends Conv1d {
  /** `new LazyConv1d(4, { kernelSize: 3 })`, or positional `new LazyConv1d(4, 3)`. */
  constructor(outChannels: number, ...args: Conv1dArgs) {
    super(LAZY, outChannels, ...args);
  }

  override forward(x: Tensor): Tensor {
    if (this.hasUninitializedParams() || this.inChannels === 0) this.materialize(x);
    return super.forward(x);
  }
}
