/** convnet-ts: convolutional networks in TypeScript with PyTorch semantics. */
export { Tensor, type TensorLike } from './tensor/tensor.js';
export type { DType } from './tensor/dtype.js';
export { formatShape, type Shape } from './tensor/shape.js';
export {
  tensor, fromArray, full, zeros, ones, arange, linspace, eye, rand, randn, normal, randint,
  zerosLike, onesLike, fullLike, randLike, randnLike, type TensorOptions, type NestedArray,
} from './tensor/creation.js';
export { manualSeed, randperm, getRngState, setRngState } from './tensor/rng.js';
export {
  add, sub, mul, div, pow, maximum, minimum, neg, exp, log, abs, sqrt, square, relu, sigmoid, tanh, clamp,
} from './tensor/ops/elementwise.js';
export { sum, mean, max, min, softmax, logSoftmax } from './tensor/ops/reduce.js';
export { cat, stack, reshape, flatten, permute, transpose, unsqueeze, squeeze, expand } from './tensor/ops/shape.js';
export { matmul } from './tensor/ops/matmul.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './autograd/anomaly.js';
export type { Backend, Conv2dGeometry, Pool2dGeometry } from './backend/backend.js';
export { getBackend, setBackend, selectBackend } from './backend/registry.js';
export { BACKEND_NAMES, resolveBackend, sharedWasmBackend } from './backend/select.js';
export { WasmBackend, type WasmBackendOptions } from './backend/wasm/index.js';
export { refBackend } from './backend/ref/index.js';
export { ArgumentError } from './util/check.js';
export { FileFormatError, CheckpointMismatchError, FileWriteError } from './io/errors.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as optim from './optim/index.js';
export * as d2l from './d2l/index.js';
export * as train from './train/index.js';
export * as models from './models/index.js';
