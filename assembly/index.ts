// Entry point of the wasm kernel module; every export takes byte pointers into the imported shared memory.
export { sgemm, sgemmScratchBytes } from './gemm';
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight, sumPartials } from './conv';
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool';
export { expForward, sigmoidForward, tanhForward, reluForward, activationBackward } from './elementwise';
export { channelStats, channelAffine, batchNormBackward } from './batchnorm';
export { directScratchBytes, conv1BackwardWeight } from './conv-direct';
export { channelSum } from './bias';
