/** convnet-ts: convolutional networks in TypeScript with PyTorch semantics. */
export { Tensor, type TensorLike } from './tensor/tensor.js';
export type { DType } from './tensor/dtype.js';
export { formatShape, type Shape } from './tensor/shape.js';
export {
  tensor, fromArray, full, zeros, ones, arange, linspace, eye, rand, randn, normal, randint,
  zerosLike, onesLike, fullLike, randLike, randnLike, type TensorOptions, type NestedArray,
} from './tensor/creation.js';
export { manualSeed, randperm, getRngState, setRngState } from './tensor/rng.js';
export { memoryStats, type MemoryStats } from './tensor/storage.js';
export {
  add, sub, mul, div, pow, maximum, minimum, neg, exp, log, abs, sqrt, square, relu, sigmoid, tanh, clamp,
} from './tensor/ops/elementwise.js';
export { sum, mean, max, min, softmax, logSoftmax } from './tensor/ops/reduce.js';
export { cat, stack, reshape, flatten, permute, transpose, unsqueeze, squeeze, expand } from './tensor/ops/shape.js';
export { matmul } from './tensor/ops/matmul.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './autograd/anomaly.js';
export type { Backend, Conv2dGeometry, Pool2dGeometry } from './backend/backend.js';
export { getBackend, setBackend, selectBackend, BACKEND_NAMES, resolveBackend, sharedWasmBackend, ready } from './backend/index.js';
export { setWasmPaths } from './backend/platform/platform.js';
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
// Interop, universal (bytes in, bytes out; no node: imports): torch.save files, ONNX export.
export { FormatError } from './io/format-error.js';
export { decodeTorch, decodeTorchObject, type DecodeTorchOptions } from './io/torch.js';
export { encodeTorch } from './io/torch-writer.js';
export { exportOnnx, onnxGraph, type ExportOnnxOptions } from './io/onnx/export.js';
export type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo, AttrValue as OnnxAttrValue } from './io/onnx/onnx-proto.js';
// File I/O by path (node:fs): these belong to the Node entry.
export { loadTorch, saveTorch } from './io/torch-file.js';
export { saveOnnx } from './io/onnx-file.js';
export { loadWeights, sniffWeightsFormat } from './io/weights.js';
export {
  saveCheckpoint, loadCheckpoint, encodeCheckpoint, decodeCheckpoint,
  type SaveCheckpointOptions, type LoadCheckpointOptions, type LoadedCheckpoint,
} from './io/checkpoint.js';
export * as transforms from './data/transforms/index.js';
export { PixelDataset, PixelSource, type PixelDatasetOptions } from './data/pixel-dataset.js';
export { pixelImage, floatImage, convertChannels, type PixelImage, type FloatImage, type ImageLike } from './data/image.js';
export { ImageLoadError, type SkippedSample } from './data/loader/batch.js';
export { DataFileError, parseCifar, CIFAR10_CLASSES } from './data/cifar.js';
export { Generator } from './tensor/generator.js';
export { ImageList, UrlSource, decodeImageBlob, fetchImage, browserDecodeSupported, WebWorkerPool, type ImageListOptions } from './data/browser/index.js';
