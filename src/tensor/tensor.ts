/**
 * The Tensor: a handle on storage (backend memory for float32, see storage.ts), a shape, a dtype,
 * and autograd bookkeeping. Methods are thin wrappers over the op functions in `./ops/`, whose
 * differentiable primitives are defined once, in the op registry (`./ops/registry.ts`).
 */
import type { DType, DataArray } from './dtype.js';
import { TensorStorage } from './storage.js';
import { trackTensor } from './lifetime.js';
import { formatShape, normalizeDim, sizeOf, type Shape } from '../shape/index.js';
import { runBackward, type GradNode } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import * as ix from './ops/indexing.js';
import { matmul } from './ops/matmul.js';
import { addOf, copyOf, emptyFloat, emptyJs, fillTensor, onesLikeFloat } from './ops/kernels.js';
import { formatTensor } from './format.js';

/** A scalar or a tensor: every binary op takes either. */
export type TensorLike = Tensor | number;

/** Shared by a tensor and its views (reshape, detach) so in-place writes are seen by all of them. */
export interface VersionBox { v: number }

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The node that computed this tensor, null for leaves. */
  gradFn: GradNode | null = null;
  retainsGrad = false;
  /** Internal: the tensor this one is a reshape view of (shares storage), like PyTorch's `_base`. */
  viewBase: Tensor | null = null;
  /**
   * Internal: not the library's temporary to release. Set for parameters, buffers, gradients a user
   * has read, optimiser state, tensors assigned to a module, and graph-owned copies (whose node
   * releases them); only dispose(), an owner, or the garbage collector ends a pinned handle.
   */
  pinned = false;
  /**
   * Internal: owned by a graph node, a gradient slot or an optimiser, which release it themselves;
   * scopes leave it alone.
   */
  owned = false;
  /** Internal: duck-type marker (lifetime.ts tells tensors apart without importing this class); on the prototype. */
  declare readonly isTensorHandle: true;
  /** @internal */ readonly storage: TensorStorage;
  private _grad: Tensor | null = null;
  private _requiresGrad = false;
  private readonly _version: VersionBox;
  /** Handles of this tensor's history before each recorded in-place op, by version (see historyAt). */
  private _rebased: { version: number; handle: Tensor }[] | null = null;
  /** Why this handle no longer holds its storage (dispose(), a library release), or null while live. */
  private _released: string | null = null;
  /** False for graph-edge handles (detachHistory), which hold no reference to the storage. */
  private readonly _owns: boolean;

  /**
   * A tensor over `data` (a typed array, used as it is: no copy) or over shared storage (a view).
   * Op results are made by the ops; construct directly only to wrap an existing array.
   */
  constructor(data: DataArray | TensorStorage, shape: Shape, dtype: DType, versionBox?: VersionBox, owns = true) {
    const storage = data instanceof TensorStorage ? data : new TensorStorage(data, null);
    if (storage.length !== sizeOf(shape)) {
      throw new Error(`Tensor: storage has ${storage.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.storage = storage;
    // Shapes are immutable: a frozen one (another tensor's) is shared, not copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this.dtype = dtype;
    this._version = versionBox ?? { v: 0 };
    this._owns = owns;
    if (owns) {
      storage.retain();
      trackTensor(this);
    } else {
      this._released = 'a graph edge (it holds no values)';
    }
  }

  /**
   * The values as a live typed array (row-major), for CPU backends: writes change the tensor (call
   * bumpVersion() after writing to a tensor autograd has saved). A disposed or released tensor throws.
   * `await t.read()` works on every backend.
   */
  get data(): DataArray {
    if (this._released !== null) throw this.releasedError('data');
    return this.storage.array!;
  }

  /** A copy of the values, for every backend (a backend with asynchronous reads resolves it later). */
  async read(): Promise<DataArray> {
    return this.data.slice();
  }

  /**
   * Give this handle's memory back now (like `del t` in PyTorch): views and anything autograd saved
   * keep theirs, so the storage is freed once they are gone too. Using the tensor afterwards throws.
   */
  dispose(): void {
    this.releaseHandle('dispose()');
  }

  /** Has this handle been disposed (or released by the library as an intermediate)? */
  get isDisposed(): boolean { return this._released !== null; }

  /** @internal Drop this handle's reference to its storage; `reason` is shown if it is used afterwards. */
  releaseHandle(reason: string): void {
    if (this._released !== null) return;
    this._released = reason;
    if (this._owns) this.storage.release();
  }

  private releasedError(what: string): Error {
    const fn = this.gradFn ? `, grad_fn=<${this.gradFn.name}>` : '';
    return new Error(`Tensor.${what}: this ${this.dtype} tensor of shape ${formatShape(this.shape)}${fn} was released ` +
      `(${this._released}); its memory may already hold other values. Keep what you need by copying it out ` +
      '(tolist(), toFloat32Array(), item()) or by assigning the tensor to a module attribute before it is released.');
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

  /**
   * Gradient accumulated by backward() (leaves, or tensors that called retainGrad()). Reading it
   * hands it to the caller: the library will no longer release it when zeroGrad() replaces it.
   */
  get grad(): Tensor | null {
    if (this._grad !== null) this._grad.pinned = true;
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) g.pinned = true;
    this.setGradInternal(g);
  }
  /** @internal The gradient without handing it out (optimisers, gradient clipping). */
  get gradInternal(): Tensor | null { return this._grad; }
  /** @internal Replace the gradient, releasing the old one unless a user holds it. */
  setGradInternal(g: Tensor | null): void {
    const old = this._grad;
    if (g !== null) g.owned = true;
    this._grad = g;
    if (old !== null && old !== g && !old.pinned) old.releaseHandle('replaced as a gradient (zeroGrad or a new backward)');
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean { return this.gradFn === null; }

  /** Counts in-place modifications; autograd uses it to detect stale saved values. */
  get version(): number { return this._version.v; }
  /** Mark an in-place write (call after mutating `data` directly). */
  bumpVersion(): void { this._version.v++; }

  /** Keep `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this { this.retainsGrad = true; this.pinned = true; return this; }

  /** Internal: attach a graph node (called by ops when recording). */
  setGradFn(node: GradNode): void {
    this.gradFn = node;
    this._requiresGrad = true;
  }

  /**
   * Internal: add `g` into `.grad` (leaves and retained tensors). Takes over the handle `g`: like
   * PyTorch's AccumulateGrad it keeps g's storage when nothing else shares it, else copies it.
   */
  accumulateGrad(g: Tensor): void {
    if (this._grad === null) {
      if (g.storage.refs === 1) {
        this.setGradInternal(g);
      } else {
        this.setGradInternal(copyOf(g));
        g.releaseHandle('copied into a gradient');
      }
      return;
    }
    const sum = addOf(this._grad, g);
    g.releaseHandle('added into a gradient');
    this.setGradInternal(sum);
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
      g = onesLikeFloat(this.shape);
    } else {
      // The engine owns and releases the handles it holds: give it its own on the caller's tensor.
      g = typeof gradient === 'number' ? fillTensor(this.shape, gradient) : gradient.detach();
      if (g.shape.join(',') !== this.shape.join(',')) {
        throw new Error(`backward: gradient has shape ${formatShape(g.shape)} but the output has shape ${formatShape(this.shape)}`);
      }
    }
    g.owned = true;
    runBackward(this, g, opts.retainGraph ?? false);
  }

  /** A tensor sharing this storage, cut from the graph. */
  detach(): Tensor {
    if (this._released !== null) throw this.releasedError('detach');
    return new Tensor(this.storage, this.shape, this.dtype, this._version);
  }

  /** Internal: a view with another shape over the same storage (no graph). */
  viewStorage(shape: Shape): Tensor {
    if (this._released !== null) throw this.releasedError('view');
    return new Tensor(this.storage, shape, this.dtype, this._version);
  }

  /** Internal: a handle the graph owns (pinned, released by its node), sharing storage and version. */
  graphAlias(): Tensor {
    if (this._released !== null) throw this.releasedError('a graph node saving it');
    const t = new Tensor(this.storage, this.shape, this.dtype, this._version);
    t.owned = true;
    return t;
  }

  /** Internal: a handle that takes over this tensor's place in the graph before an in-place op records over it. */
  detachHistory(): Tensor {
    // An edge only: it routes gradients to the old history and holds no values.
    const old = new Tensor(this.storage, this.shape, this.dtype, undefined, false);
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

  numel(): number { return this.storage.length; }
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
    const data = this.data;
    const conv = (v: number): number | boolean => (this.dtype === 'bool' ? v !== 0 : v);
    const rec = (d: number, off: number): unknown => {
      if (d === this.ndim) return conv(data[off]!);
      const stride = sizeOf(this.shape.slice(d + 1));
      return Array.from({ length: this.shape[d]! }, (_, i) => rec(d + 1, off + i * stride));
    };
    return rec(0, 0);
  }
  /** A copy of the data as a flat Float32Array. */
  toFloat32Array(): Float32Array { return Float32Array.from(this.data); }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this._released !== null ? `Tensor(<released: ${this._released}>, shape ${formatShape(this.shape)})` : formatTensor(this);
  }

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
    return red.std(this, dim, opts.unbiased ?? true, opts.keepdim ?? false);
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
    ix.fillInPlace(this, v);
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

Object.defineProperty(Tensor.prototype, 'isTensorHandle', { value: true });

function flatArgs(a: number[] | [number[]]): number[] {
  return a.length === 1 && Array.isArray(a[0]) ? a[0] : (a as number[]);
}

/** A zeroed tensor (float32 in the current backend's storage); used by ops and creation functions. */
export function emptyTensor(shape: Shape, dtype: DType = 'float32'): Tensor {
  return dtype === 'float32' ? emptyFloat(shape) : emptyJs(shape, dtype);
}
