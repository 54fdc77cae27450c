// Entry point of the wasm kernel module; every export takes byte pointers into the imported shared memory.
export { sgemm, sgemmScratchBytes } from './gemm';
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight, sumPartials } from './conv';
export { maxPoolScratchBytes, maxPoolForward, maxPoolForwardUnpadded, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool';
export { expForward, sigmoidForward, tanhForward, reluForward, activationForward, activationBackward } from './elementwise';
export { channelStats, channelAffine, batchNormBackward } from './batchnorm';
export { directForwardScratchBytes, directForward, directWeightScratchBytes, directBackwardWeight } from './conv-direct';
export { winogradScratchBytes, winogradWeights, winogradPackedBytes, winogradPack, winogradConv, winogradWeightAccBytes, winogradBackwardWeight } from './winograd';
export { winograd3ScratchBytes, winograd3Weights, winograd3PackedBytes, winograd3Conv, winograd3WeightAccBytes, winograd3BackwardWeight } from './winograd3';
export { channelSum, zeroFloats } from './bias';
