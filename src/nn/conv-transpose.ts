/** Transposed convolution layers: ConvTranspose2d and LazyConvTranspose2d, with PyTorch's init, parameter names and repr. */
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad-mode.js';
import { convTranspose2d } from '../tensor/ops/conv-transpose.js';
import { formatShape } from '../tensor/shape.js';
import { Module } from './module.js';
import { Parameter, UninitializedParameter } from './parameter.js';
import { defaultLayerInit_ } from './init.js';
import { pyTuple, tuple, type Tuple } from './conv.js';

/** Options of ConvTranspose2d / LazyConvTranspose2d; kernelSize is required. */
export interface ConvTranspose2dModuleOptions {
  kernelSize: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /** Extra output rows/cols at the bottom/right; must be smaller than stride or dilation. */
  outputPadding?: number | readonly [number, number];
  groups?: number;
  bias?: boolean;
  dilation?: number | readonly [number, number];
}

/** Sentinel inChannels with which LazyConvTranspose2d asks for a lazy module. */
const LAZY = -0.5;

/**
 * 2-D transposed convolution layer (the adjoint of Conv2d, d2l 14.10). weight: [inChannels,
 * outChannels/groups, kh, kw], bias: [outChannels], PyTorch's layout and state_dict names.
 * x: [N, inChannels, H, W] (or unbatched [C, H, W]) → [N, outChannels, (H−1)·s − 2p + d·(kh−1) + outputPadding + 1, …].
 */
export class ConvTranspose2d extends Module {
  inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Tuple;
  readonly stride: Tuple;
  readonly padding: Tuple;
  readonly outputPadding: Tuple;
  readonly dilation: Tuple;
  readonly groups: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, opts: ConvTranspose2dModuleOptions) {
    super();
    const lazy = inChannels === LAZY;
    const name = lazy ? 'LazyConvTranspose2d' : 'ConvTranspose2d';
    this.groups = opts.groups ?? 1;
    if (!Number.isInteger(outChannels) || outChannels < 1) throw new Error(`${name}: outChannels must be a positive integer, got ${outChannels}`);
    if (!lazy && (!Number.isInteger(inChannels) || inChannels < 1)) throw new Error(`${name}: inChannels must be a positive integer, got ${inChannels}`);
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`${name}: groups must be a positive integer, got ${this.groups}`);
    if (!lazy && inChannels % this.groups !== 0) throw new Error(`${name}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`${name}: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    if (opts.kernelSize === undefined) throw new Error(`${name}: kernelSize is required`);
    if (typeof opts.padding === 'string') throw new Error(`${name}: padding must be integers (PyTorch's ConvTranspose2d has no '${String(opts.padding)}' padding)`);
    this.inChannels = lazy ? 0 : inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(opts.kernelSize, 2, 'kernelSize', 1, name);
    this.stride = tuple(opts.stride ?? 1, 2, 'stride', 1, name);
    this.padding = tuple(opts.padding ?? 0, 2, 'padding', 0, name);
    this.outputPadding = tuple(opts.outputPadding ?? 0, 2, 'outputPadding', 0, name);
    this.dilation = tuple(opts.dilation ?? 1, 2, 'dilation', 1, name);
    const hasBias = opts.bias ?? true;
    if (lazy) {
      this.weight = new UninitializedParameter(name);
      this.bias = hasBias ? new UninitializedParameter(name) : null;
      if (!hasBias) this.registerParameter('bias', null);
    } else {
      this.weight = new Parameter(zeros([inChannels, outChannels / this.groups, ...this.kernelSize]));
      if (hasBias) this.bias = new Parameter(zeros([outChannels]));
      else this.registerParameter('bias', null);
      this.resetParameters();
    }
  }

  /** PyTorch's default init (as Conv2d's): kaiming_uniform_(a=√5) weight, U(±1/√fanIn) bias with fanIn = weight dim 1 × kh × kw. */
  resetParameters(): void {
    if (this.hasUninitializedParams()) return;
    noGrad(() => defaultLayerInit_(this.weight, this.bias));
  }

  /** Has the lazy weight been given its shape yet? */
  hasUninitializedParams(): boolean {
    return this.weight instanceof UninitializedParameter || this.bias instanceof UninitializedParameter;
  }

  /** Lazy modules: allocate weight [inChannels, out/groups, kh, kw] and bias, initialise them, become a ConvTranspose2d. */
  initializeParameters(inChannels: number): void {
    if (!Number.isInteger(inChannels) || inChannels < 1 || inChannels % this.groups !== 0) {
      throw new Error(`LazyConvTranspose2d: inChannels must be a positive multiple of groups (${this.groups}), got ${inChannels}`);
    }
    if (this.weight instanceof UninitializedParameter) {
      this.weight = new Parameter(zeros([inChannels, this.outChannels / this.groups, ...this.kernelSize]));
      if (this.bias instanceof UninitializedParameter) this.bias = new Parameter(zeros([this.outChannels]));
      this.resetParameters();
    }
    this.inChannels = inChannels;
    Object.setPrototypeOf(this, ConvTranspose2d.prototype);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number], padding: this.padding as [number, number],
      outputPadding: this.outputPadding as [number, number], dilation: this.dilation as [number, number],
      groups: this.groups,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

/** ConvTranspose2d whose inChannels is learnt from the first input (PyTorch's nn.LazyConvTranspose2d). x: [N, C, H, W] → [N, outChannels, …]. */
export class LazyConvTranspose2d extends ConvTranspose2d {
  constructor(outChannels: number, opts: ConvTranspose2dModuleOptions) {
    super(LAZY, outChannels, opts);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim === 3 || x.ndim === 4) {
      if (!(this.weight instanceof UninitializedParameter)) {
        // Weights came from loadStateDict: only the bookkeeping is missing.
        this.initializeParameters(this.weight.shape[0]!);
      } else {
        const c = x.shape[x.ndim - 3]!;
        if (c % this.groups !== 0) {
          throw new Error(`LazyConvTranspose2d: input ${formatShape(x.shape)} has ${c} channels, not divisible by groups (${this.groups})`);
        }
        this.initializeParameters(c);
      }
    }
    return super.forward(x);
  }
}
