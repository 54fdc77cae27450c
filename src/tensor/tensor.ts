/**
 * The Tensor: a contiguous row-major buffer, a shape, a dtype, and autograd bookkeeping.
 * Methods are thin wrappers over the op functions in `./ops/`, so the op files hold the
 * validation, the kernel call and the gradient side by side.
 */
import { allocStorage, type DType, type Storage } from './dtype.js';
import { formatShape, normalizeDim, sizeOf, type Shape } from './shape.js';
import { runBackward, type GradNode } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import * as ix from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import { formatTensor } from './format.js';
import { renameGradFn } from './ops/record.js';

/** A scalar or a tensor: every binary op takes either. */
export type TensorLike = Tensor | number;

/** Shared by a tensor and its views (reshape, detach) so in-place writes are seen by all of them. */
interface VersionBox { v: number }

export class Tensor {
  /** Contiguous row-major storage; views made by reshape/detach share it. */
  readonly data: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Gradient accumulated by backward() (leaves, or tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** The node that computed this tensor, null for leaves. */
  gradFn: GradNode | null = null;
  retainsGrad = false;
  /** Internal: the tensor this one is a reshape view of (shares storage), like PyTorch's `_base`. */
  viewBase: Tensor | null = null;
  private _requiresGrad = false;
  private readonly _version: VersionBox;
  /** Handles of this tensor's history before each recorded in-place op, by version (see historyAt). */
  private _rebased: { version: number; handle: Tensor }[] | null = null;

  constructor(data: Storage, shape: Shape, dtype: DType, versionBox?: VersionBox) {
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: storage has ${data.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
    this._version = versionBox ?? { v: 0 };
  }

  // ---- autograd -------------------------------------------------------------------------

  get requiresGrad(): boolean { return this._requiresGrad; }
  set requiresGrad(v: boolean) {
    if (v && this.dtype !== 'float32') {
      throw new Error(`requiresGrad: only floating point tensors can require gradients (got dtype ${this.dtype})`);
    }
    if (!v && this.gradFn !== null) {
      throw new Error('requiresGrad: you can only change the flag of leaf tensors; use detach() for a non-leaf');
    }
    this._requiresGrad = v;
  }

  /** Set requiresGrad in place and return this, like `tensor.requires_grad_()`. */
  requiresGrad_(v = true): this { this.requiresGrad = v; return this; }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean { return this.gradFn === null; }

  /** Counts in-place modifications; autograd uses it to detect stale saved values. */
  get version(): number { return this._version.v; }
  /** Mark an in-place write (call after mutating `data` directly). */
  bumpVersion(): void { this._version.v++; }

  /** Keep `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this { this.retainsGrad = true; return this; }

  /** Internal: attach a graph node (called by ops when recording). */
  setGradFn(node: GradNode): void {
    this.gradFn = node;
    this._requiresGrad = true;
  }

  /** Internal: add `g` into `.grad` (leaves and retained tensors). */
  accumulateGrad(g: Tensor): void {
    // Copy on first store: `g` may be shared with other branches of the graph.
    this.grad = this.grad === null
      ? new Tensor(Float32Array.from(g.data), g.shape, 'float32')
      : this.grad.add(g);
  }

  /** Backpropagate from this tensor; scalars need no `gradient`. */
  backward(gradient?: TensorLike, opts: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new Error('backward: element 0 of tensors does not require grad and does not have a grad_fn');
    }
    let g: Tensor;
    if (gradient === undefined) {
      if (this.numel() !== 1) {
        throw new Error(`backward: grad can be implicitly created only for scalar outputs (output has shape ${formatShape(this.shape)}); pass a gradient of the same shape`);
      }
      g = new Tensor(new Float32Array([1]), this.shape, 'float32');
    } else {
      g = typeof gradient === 'number' ? sh.fullLike(this, gradient) : gradient;
      if (g.shape.join(',') !== this.shape.join(',')) {
        throw new Error(`backward: gradient has shape ${formatShape(g.shape)} but the output has shape ${formatShape(this.shape)}`);
      }
    }
    runBackward(this, g, opts.retainGraph ?? false);
  }

  /** A tensor sharing this storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.dtype, this._version);
  }

  /** Internal: a view with another shape over the same storage (no graph). */
  viewStorage(shape: Shape): Tensor {
    return new Tensor(this.data, shape, this.dtype, this._version);
  }

  /** Internal: a handle that takes over this tensor's place in the graph before an in-place op records over it. */
  detachHistory(): Tensor {
    const old = new Tensor(this.data, this.shape, this.dtype);
    old.gradFn = this.gradFn;
    old._requiresGrad = this._requiresGrad;
    // Ops that consumed this tensor before the in-place op must still send their gradient to
    // the old history (PyTorch's edges point at grad_fns, ours at tensors): remember the handle.
    (this._rebased ??= []).push({ version: this.version, handle: old });
    return old;
  }

  /**
   * Internal: the tensor standing for this one's history as it was at `version` (when an op
   * recorded it as an input): this tensor, or the handle made by a later recorded in-place op.
   */
  historyAt(version: number): Tensor {
    if (this._rebased !== null) for (const r of this._rebased) if (r.version >= version) return r.handle;
    return this;
  }

  /** Leaf tensors that require grad must not be modified in place while recording. */
  checkInplace(op: string): void {
    if (!isGradEnabled()) return;
    if (this.requiresGrad && this.isLeaf) {
      throw new Error(`${op}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad(() => ...)`);
    }
    // Autograd here does not rebase a view's base onto an in-place op (PyTorch does), so the
    // base's gradient would silently ignore the change: refuse instead.
    if (this.viewBase !== null && this.viewBase.requiresGrad) {
      throw new Error(`${op}: this tensor of shape ${formatShape(this.shape)} is a view (reshape/view/flatten/squeeze/unsqueeze) of a ` +
                      `tensor of shape ${formatShape(this.viewBase.shape)} that requires grad; in-place changes through a view are not ` +
                      'tracked by autograd. Use clone() first, or modify it under noGrad(() => ...).');
    }
  }

  // ---- info -----------------------------------------------------------------------------

  numel(): number { return this.data.length; }
  /** Number of dimensions. */
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  /** Size of one dim (negative allowed), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.ndim, 'size')]!;
  }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: a Tensor with ${this.numel()} elements cannot be converted to a scalar (shape ${formatShape(this.shape)})`);
    }
    return this.data[0]!;
  }
  /** Nested JS arrays (numbers; booleans for bool tensors), like `tolist()`. */
  tolist(): unknown {
    const conv = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    const rec = (d: number, off: number): unknown => {
      if (d === this.ndim) return conv(this.data[off]!);
      const stride = sizeOf(this.shape.slice(d + 1));
      return Array.from({ length: this.shape[d]! }, (_, i) => rec(d + 1, off + i * stride));
    };
    return rec(0, 0);
  }
  /** A copy of the data as a flat Float32Array. */
  toFloat32Array(): Float32Array { return Float32Array.from(this.data); }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return formatTensor(this); }

  // ---- dtype ----------------------------------------------------------------------------

  /** Convert to another dtype (a copy; gradients flow through float→float only). */
  to(dtype: DType): Tensor { return ew.cast(this, dtype); }
  float(): Tensor { return ew.cast(this, 'float32'); }
  int(): Tensor { return ew.cast(this, 'int32'); }
  long(): Tensor { return ew.cast(this, 'int32'); }
  bool(): Tensor { return ew.cast(this, 'bool'); }
  /** A differentiable copy. */
  clone(): Tensor { return ew.clone(this); }
  /** All tensors are contiguous here; returns this (for ported code). */
  contiguous(): Tensor { return this; }

  // ---- elementwise ----------------------------------------------------------------------

  add(o: TensorLike, alpha?: number): Tensor { return ew.add(this, o, alpha); }
  sub(o: TensorLike, alpha?: number): Tensor { return ew.sub(this, o, alpha); }
  mul(o: TensorLike): Tensor { return ew.mul(this, o); }
  div(o: TensorLike): Tensor { return ew.div(this, o); }
  pow(o: TensorLike): Tensor { return ew.pow(this, o); }
  maximum(o: TensorLike): Tensor { return ew.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return ew.minimum(this, o); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  abs(): Tensor { return ew.abs(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  square(): Tensor { return ew.square(this); }
  relu(): Tensor { return ew.relu(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  clamp(min?: number, max?: number): Tensor { return ew.clamp(this, min, max); }
  eq(o: TensorLike): Tensor { return ew.compare('eq', this, o); }
  ne(o: TensorLike): Tensor { return ew.compare('ne', this, o); }
  lt(o: TensorLike): Tensor { return ew.compare('lt', this, o); }
  le(o: TensorLike): Tensor { return ew.compare('le', this, o); }
  gt(o: TensorLike): Tensor { return ew.compare('gt', this, o); }
  ge(o: TensorLike): Tensor { return ew.compare('ge', this, o); }

  // ---- reductions -----------------------------------------------------------------------

  sum(dim?: number | number[], keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /** Maximum over all elements or over `dim` (values only, like `amax`). */
  max(dim?: number | number[], keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  min(dim?: number | number[], keepdim = false): Tensor { return red.min(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return red.argReduce('argmax', this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return red.argReduce('argmin', this, dim, keepdim); }
  /** Variance (unbiased by default, like PyTorch). */
  var(dim?: number | number[], opts: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return red.variance(this, dim, opts.unbiased ?? true, opts.keepdim ?? false);
  }
  std(dim?: number | number[], opts: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return renameGradFn(red.variance(this, dim, opts.unbiased ?? true, opts.keepdim ?? false).sqrt(), 'StdBackward0', [this]);
  }
  softmax(dim: number): Tensor { return red.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return red.logSoftmax(this, dim); }

  // ---- shape ----------------------------------------------------------------------------

  reshape(...shape: number[] | [number[]]): Tensor { return sh.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return sh.view(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  permute(...dims: number[] | [number[]]): Tensor { return sh.permute(this, flatArgs(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /** Transpose of a matrix (≤ 2-D), like `X.t()`. */
  t(): Tensor { return sh.t(this); }
  get T(): Tensor { return sh.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  expand(...shape: number[] | [number[]]): Tensor { return sh.expand(this, flatArgs(shape)); }

  // ---- matmul ---------------------------------------------------------------------------

  matmul(o: Tensor): Tensor { return matmul(this, o); }
  mm(o: Tensor): Tensor { return matmul(this, o); }

  // ---- indexing -------------------------------------------------------------------------

  /** Read `X[i, a:b, ...]`: numbers pick (and drop) a dim, `[start, end, step?]` or `'a:b'` slice it. */
  get(...index: ix.Index[]): Tensor { return ix.get(this, index); }
  /** Write `X[index] = value` in place (value broadcast to the selected region). */
  set(index: string | ix.Index[], value: TensorLike): this {
    ix.set(this, typeof index === 'string' ? [index] : index, value);
    return this;
  }

  // ---- in-place -------------------------------------------------------------------------

  /** Fill with zeros in place. */
  zero_(): this { return this.fill_(0); }
  fill_(v: number): this {
    this.checkInplace('fill_');
    // On a tensor in the graph, record it (the old history gets zero gradient) like PyTorch's FillBackward.
    if (this.requiresGrad && isGradEnabled()) { ix.set(this, [], v); return this; }
    this.data.fill(v);
    this.bumpVersion();
    return this;
  }
  /** Copy `src` (broadcast to this shape) into this tensor in place. */
  copy_(src: TensorLike): this { ix.set(this, [], src); return this; }
  /** this += alpha * o, in place (`Y += X`); recorded when grad mode is on and either side requires grad. */
  add_(o: TensorLike, alpha = 1): this { return ew.inplace(this, 'add', o, alpha); }
  sub_(o: TensorLike, alpha = 1): this { return ew.inplace(this, 'add', o, -alpha); }
  mul_(o: TensorLike): this { return ew.inplace(this, 'mul', o, 1); }
  div_(o: TensorLike): this { return ew.inplace(this, 'div', o, 1); }
}

function flatArgs(a: number[] | [number[]]): number[] {
  return a.length === 1 && Array.isArray(a[0]) ? a[0] : (a as number[]);
}

/** Allocate an uninitialised (zeroed) tensor; used by ops and creation functions. */
export function emptyTensor(shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(allocStorage(dtype, sizeOf(shape)), shape, dtype);
}
