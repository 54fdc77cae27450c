/**
 * The backend seam: every numeric kernel the library runs goes through this interface.
 *
 * Kernels work on plain row-major, contiguous typed arrays and write into a caller-provided
 * `out` buffer, so a backend never allocates tensors and never needs to know about autograd.
 * The pure-TypeScript reference backend (`backend/ref`) is the oracle; faster backends
 * (`backend/wasm`) implement the same entry points and are tested against it.
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
 * A pooling fused after a convolution's activation (Conv2d → activation → MaxPool2d/AvgPool2d in
 * Sequential): `g` pools the activation's output, written to `y` (with `argmax`, for max pooling).
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

/** Numeric kernels over contiguous row-major float32 buffers. */
export interface Backend {
  readonly name: string;

  /** Zeroed float32 storage of n elements owned by this backend (a view into wasm memory for the wasm backend). */
  allocFloat32(n: number): Float32Array;
  /** Give storage from allocFloat32 back; the array must not be used afterwards. */
  freeFloat32(a: Float32Array): void;

  /** out[i] = op(x[i]); out may alias x. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;

  /**
   * dx = g · op'(x), written through the op's output y = op(x): relu: g where y > 0 or y is NaN
   * (PyTorch's threshold_backward), else 0; sigmoid: g·y·(1 − y); tanh: g·(1 − y²). dx may alias g.
   */
  activationBackward(op: ActivationOp, y: Float32Array, g: Float32Array, dx: Float32Array): void;

  /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape; comparison ops write 0/1. */
  binary(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[],
         outShape: readonly number[], out: Float32Array): void;

  /** Reduce x: shape over the (sorted, unique) axes; out has the kept-dims-removed size. */
  reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array): void;

  /** Index of the max (or min) along one axis; first occurrence wins, like PyTorch. */
  argReduce(op: 'argmax' | 'argmin', x: Float32Array, shape: readonly number[], axis: number, out: Int32Array): void;

  /** out = x permuted: out.shape[i] = shape[perm[i]]. */
  permute(x: Float32Array, shape: readonly number[], perm: readonly number[], out: Float32Array): void;

  /**
   * C = alpha * op(A) @ op(B) + beta * C, row-major, op(A): [m, k], op(B): [k, n], C: [m, n].
   * A is stored [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).
   * Offsets let batched matmul address sub-matrices without copies.
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, beta: number,
       c: Float32Array, cOffset: number): void;

  /**
   * y[n, o, oh, ow] = conv(x, w) (+ bias[o] when given), then `activation` (when given) applied to
   * every element: the fused conv + bias + activation of a Conv2d followed by ReLU/Sigmoid/Tanh.
   * With `pool` (only after an activation) y is then pooled into pool.y as well.
   */
  conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
         activation?: ActivationOp, pool?: FusedPool): void;
  /** dx = gradient of conv2d w.r.t. its input; dx is overwritten. */
  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /**
   * dw = gradient of conv2d w.r.t. its weight; dw is overwritten. When `db` is given it is
   * overwritten with the bias gradient, dy summed over images and output pixels per channel.
   */
  conv2dBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db?: Float32Array | null): void;
  /**
   * All gradients of one conv2d (+ activation) node from one call, so dy crosses into the backend
   * once: with `activation`, dy is the gradient of the activation's output `activation.y` and is
   * first taken through it (as activationBackward); then dx, dw and db, each when given, are
   * overwritten as conv2dBackwardInput / conv2dBackwardWeight would write them. With `pool` (after
   * the activation, as in conv2d), dy is the gradient of pool.y and is first taken back through
   * the pooling (pool.argmax from the forward, for max pooling).
   */
  conv2dBackward(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, grads: Conv2dGrads,
                 activation?: FusedActivation, pool?: FusedPool): void;

  /** Max pooling; argmax (flat index into each [h, w] plane, -1 if the window is all padding) feeds the backward. */
  maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void;
  /** dx is overwritten: dy scattered to the argmax positions. */
  maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void;
  /** dx is overwritten. */
  avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void;

  /** Per-channel mean and biased variance of x viewed as [n, c, s] (accumulated in double precision). */
  channelStats(x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void;
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
}
