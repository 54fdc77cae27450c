/**
 * The pure-TypeScript reference backend: readable kernels that every faster backend is tested
 * against. It implements the primitives only (no fused capabilities); its storage is plain
 * Float32Arrays on the JavaScript heap, so freeing is left to the garbage collector.
 */
import type { Backend } from '../backend.js';
import { activationBackward, binary, copy, unary, where } from './elementwise.js';
import { argReduce, logSoftmax, reduce } from './reduce.js';
import { gemm } from './gemm.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { batchNormBackward, batchNormCoefficients, channelAffine, channelStats } from './batchnorm.js';
import { crossEntropyBackward, crossEntropyForward } from './loss.js';
import { adamStep, sgdStep } from './optim.js';

export const refBackend: Backend = {
  name: 'js',
  allocFloat32: (n: number) => new Float32Array(n),
  freeFloat32: () => undefined,
  unary, activationBackward, binary, where, copy,
  reduce, argReduce, logSoftmax, crossEntropyForward, crossEntropyBackward,
  gemm, conv2d, conv2dBackwardInput, conv2dBackwardWeight,
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward,
  channelStats, batchNormCoefficients, channelAffine, batchNormBackward,
  sgdStep, adamStep,
};
