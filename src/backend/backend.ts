/**
 * The backend seam: every numeric kernel the library runs goes through this interface.
 *
 * A backend owns float32 storage (`allocFloat32` / `freeFloat32`); the tensor layer keeps its float
 * tensors in that storage and passes it to the kernels, which read their inputs and write into a
 * caller-provided `out`. Every kernel accepts any Float32Array for inputs and outputs and uses
 * arrays from its own `allocFloat32` in place (a fast backend copies foreign arrays in and out; the
 * wasm backend's own arrays are views into its memory). Kernels never see tensors or autograd.
 *
 * The required entries are primitives; the pure-TypeScript reference backend (`backend/ref`), the
 * oracle, implements exactly those. Fused kernels (`conv2dFused`, `conv2dBackward`) are optional
 * capabilities: when a backend lacks one, the tensor layer composes the primitives instead
 * (`tensor/ops/conv-fused.ts`), so the results are the same either way.
 */

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'abs' | 'sqrt' | 'relu' | 'sigmoid' | 'tanh' | 'sign' | 'square' | 'reciprocal';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min';

/** Activations whose gradient is computed from their own output. */
export type ActivationOp = 'relu' | 'sigmoid' | 'tanh';

/** Geometry of a 2-D convolution, NCHW input, OIHW weight (PyTorch layout). */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;     // input [n, c, h, w]
  o: number; kh: number; kw: number;              // weight [o, c / groups, kh, kw]
  oh: number; ow: number;                         // output [n, o, oh, ow]
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  groups: number;
}

/** The gradients Backend.conv2dBackward writes; null ones are not computed. */
export interface Conv2dGrads {
  dx: Float32Array | null;
  dw: Float32Array | null;
  db: Float32Array | null;
}

/** An activation fused onto a convolution's output, known in the backward by that output y. */
export interface FusedActivation {
  op: ActivationOp;
  y: Float32Array;
}

/**
 * A pooling fused after a convolution's activation (Conv2d → activation → MaxPool2d/AvgPool2d):
 * `g` pools the activation's output, written to `y` (with `argmax`, for max pooling).
 */
export interface FusedPool {
  kind: 'max' | 'avg';
  g: Pool2dGeometry;
  y: Float32Array;
  argmax: Int32Array | null;
}

/** Geometry of a 2-D pooling window over NCHW input. */
export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;     // input [n, c, h, w]
  oh: number; ow: number;                         // output [n, c, oh, ow]
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  countIncludePad: boolean;                       // avg pool only
  dilationH?: number; dilationW?: number;         // max pool only: taps kh·dilationH apart (default 1)
}

/**
 * The target of a softmax cross-entropy over rows of c logits: class labels (rows whose label is
 * `ignoreIndex` are skipped) or class probabilities [n, c]; `smoothing` mixes the target with the
 * uniform distribution, (1 − ε)·target + ε/c (PyTorch's label_smoothing).
 */
export type CrossEntropyTarget =
  | { kind: 'labels'; labels: Int32Array; ignoreIndex: number; smoothing: number }
  | { kind: 'probs'; probs: Float32Array; smoothing: number };

/** How a loss reduces its per-row values: 'mean' divides the sum by `count`. */
export interface LossReduction { reduction: 'none' | 'sum' | 'mean'; count: number }

/** Hyperparameters of one SGD step (torch.optim.SGD's). `first`: the momentum buffer is new. */
export interface SgdStep {
  lr: number; momentum: number; dampening: number; weightDecay: number;
  nesterov: boolean; maximize: boolean; first: boolean;
}

/** Hyperparameters of one Adam step; `step` counts from 1; `decoupled`: AdamW's weight decay. */
export interface AdamStep {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  decoupled: boolean; maximize: boolean; step: number;
}

/** BatchNorm's running statistics, updated in place by batchNormCoefficients while training. */
export interface RunningStats {
  mean: Float32Array; variance: Float32Array;
  momentum: number;
  /** Elements per channel in the batch: the running variance takes the unbiased variance·count/(count − 1). */
  count: number;
}

/** Numeric kernels over contiguous row-major float32 buffers. */
export interface Backend {
  readonly name: string;

  // ---- storage ------------------------------------------------------------------------------

  /** Zeroed float32 storage of n elements owned by this backend (a view into wasm memory for the wasm backend). */
  allocFloat32(n: number): Float32Array;
  /** Give storage from allocFloat32 back; the array must not be used afterwards. */
  freeFloat32(a: Float32Array): void;

  // ---- elementwise --------------------------------------------------------------------------

  /** out[i] = op(x[i]); out may alias x. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;

  /**
   * dx = g · op'(x), written through the op's output y = op(x): relu: g where y > 0 or y is NaN
   * (PyTorch's threshold_backward), else 0; sigmoid: g·y·(1 − y); tanh: g·(1 − y²). dx may alias g.
   */
  activationBackward(op: ActivationOp, y: Float32Array, g: Float32Array, dx: Float32Array): void;

  /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape; comparison ops write 0/1. out may alias a. */
  binary(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[],
         outShape: readonly number[], out: Float32Array): void;

  /** out = cond ≠ 0 ? a : b with broadcasting of all three shapes to outShape (NaN in the unpicked side is dropped). */
  where(cond: Float32Array, condShape: readonly number[], a: Float32Array, aShape: readonly number[],
        b: Float32Array, bShape: readonly number[], outShape: readonly number[], out: Float32Array): void;

  /**
   * Strided copy: for every index i of `shape`, dst[dstOffset + Σ i_d·dstStrides_d] =
   * src[srcOffset + Σ i_d·srcStrides_d]. Source strides may be 0 (broadcast); destination positions
   * must be distinct. Serves permute, expand, cat, slicing and fills (a 1-element source, strides 0).
   */
  copy(src: Float32Array, srcOffset: number, srcStrides: readonly number[], dst: Float32Array, dstOffset: number,
       dstStrides: readonly number[], shape: readonly number[]): void;

  // ---- reductions ---------------------------------------------------------------------------

  /** Reduce x: shape over the (sorted, unique) axes; out has the kept-dims-removed size. */
  reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array): void;

  /** Index of the max (or min) along one axis; first occurrence wins, like PyTorch. */
  argReduce(op: 'argmax' | 'argmin', x: Float32Array, shape: readonly number[], axis: number, out: Int32Array): void;

  /** log(softmax) along the middle axis of x viewed as [outer, len, inner], computed stably (max subtracted). */
  logSoftmax(x: Float32Array, outer: number, len: number, inner: number, out: Float32Array): void;

  /**
   * Softmax cross-entropy over logits x [n, c]: writes the softmax of each row to `soft` (kept for
   * the backward) and the loss to `out`: per row ([n]) for reduction 'none', else one value, the sum
   * (divided by `count` for 'mean'). Per-row terms and their sum are accumulated in double precision.
   */
  crossEntropyForward(x: Float32Array, n: number, c: number, target: CrossEntropyTarget, r: LossReduction,
                      soft: Float32Array, out: Float32Array): void;
  /** dx [n, c] of crossEntropyForward from its softmax and the output gradient g ([n] for 'none', else [1]). */
  crossEntropyBackward(soft: Float32Array, n: number, c: number, target: CrossEntropyTarget, r: LossReduction,
                       g: Float32Array, dx: Float32Array): void;

  // ---- matrix products, convolution, pooling ------------------------------------------------

  /**
   * C = alpha * op(A) @ op(B) + beta * C, row-major, op(A): [m, k], op(B): [k, n], C: [m, n].
   * A is stored [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).
   * Offsets let batched matmul address sub-matrices without copies.
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, beta: number,
       c: Float32Array, cOffset: number): void;

  /** y[n, o, oh, ow] = conv(x, w) (+ bias[o] when given). */
  conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void;
  /** dx = gradient of conv2d w.r.t. its input; dx is overwritten. */
  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /**
   * dw = gradient of conv2d w.r.t. its weight; dw is overwritten. When `db` is given it is
   * overwritten with the bias gradient, dy summed over images and output pixels per channel.
   */
  conv2dBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db?: Float32Array | null): void;

  /**
   * Optional fused kernel: conv2d, then `activation` applied to every element of y, then (with
   * `pool`) y pooled into pool.y, in one call. Without it the tensor layer composes conv2d, unary
   * and the pooling kernel.
   */
  conv2dFused?(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
               activation: ActivationOp, pool?: FusedPool): void;
  /**
   * Optional fused kernel: all gradients of one conv2d (+ activation (+ pool)) node from one call,
   * so dy crosses into the backend once: with `pool`, dy is the gradient of pool.y and is first
   * taken back through the pooling; with `activation`, then through the activation (as
   * activationBackward, from activation.y); then dx, dw and db, each when given, are overwritten as
   * conv2dBackwardInput / conv2dBackwardWeight would write them. Without it the tensor layer composes.
   */
  conv2dBackward?(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, grads: Conv2dGrads,
                  activation?: FusedActivation, pool?: FusedPool): void;

  /** Max pooling; argmax (flat index into each [h, w] plane, -1 if the window is all padding) feeds the backward. */
  maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void;
  /** dx is overwritten: dy scattered to the argmax positions. */
  maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void;
  /** dx is overwritten. */
  avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void;

  // ---- batch norm ---------------------------------------------------------------------------

  /** Per-channel mean and biased variance of x viewed as [n, c, s] (accumulated in double precision). */
  channelStats(x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void;
  /**
   * Per-channel coefficients of batch norm over c channels: invstd = 1/√(variance + eps),
   * scale = (weight ?? 1)·invstd, shift = (bias ?? 0) − mean·scale (each computed in double
   * precision and rounded once). With `running`, the running statistics are first updated in place:
   * mean ← (1 − m)·mean + m·batchMean, variance ← (1 − m)·variance + m·batchVariance·count/(count − 1).
   */
  batchNormCoefficients(c: number, mean: Float32Array, variance: Float32Array, weight: Float32Array | null,
                        bias: Float32Array | null, eps: number, invstd: Float32Array, scale: Float32Array,
                        shift: Float32Array, running: RunningStats | null): void;
  /** y[i, ch, k] = x[i, ch, k] * scale[ch] + shift[ch] over [n, c, s]; y may alias x. */
  channelAffine(x: Float32Array, n: number, c: number, s: number, scale: Float32Array, shift: Float32Array, y: Float32Array): void;
  /**
   * Batch-norm backward over [n, c, s] with x̂ = (x − mean[ch])·invstd[ch]: writes sumG[ch] = Σg and
   * sumGX[ch] = Σg·x̂; then, when dx is given, dx = scale[ch]·(g − sumG/count − x̂·sumGX/count) if
   * `training` (the batch statistics depend on x), else scale[ch]·g. count = n·s.
   */
  batchNormBackward(g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float32Array,
                    invstd: Float32Array, scale: Float32Array, training: boolean,
                    sumG: Float32Array, sumGX: Float32Array, dx: Float32Array | null): void;

  // ---- optimisers ---------------------------------------------------------------------------

  /**
   * One SGD step over w in place (PyTorch's rule): d = ±grad + wd·w; with momentum, buf = d on the
   * first step, else momentum·buf + (1 − dampening)·d, and d = nesterov ? d + momentum·buf : buf;
   * w −= lr·d. `buf` is null without momentum.
   */
  sgdStep(w: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdStep): void;
  /**
   * One Adam step over w in place, updating the moments m, v (and vmax, the running maximum of v,
   * for AMSGrad) as torch.optim.Adam / AdamW do.
   */
  adamStep(w: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, h: AdamStep): void;
}
