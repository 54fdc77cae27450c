/** The pure-TypeScript reference backend: readable kernels that every faster backend is tested against. */
import type { Backend } from '../backend.js';
import { activationBackward, binary, unary } from './elementwise.js';
import { argReduce, permute, reduce } from './reduce.js';
import { gemm } from './gemm.js';
import { conv2d, conv2dBackward, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { batchNormBackward, channelAffine, channelStats } from './batchnorm.js';

export const refBackend: Backend = {
  name: 'js',
  allocFloat32: (n: number) => new Float32Array(n),
  freeFloat32: () => undefined,
  unary, activationBackward, binary, reduce, argReduce, permute, gemm,
  conv2d, conv2dBackwardInput, conv2dBackwardWeight, conv2dBackward,
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward,
  channelStats, channelAffine, batchNormBackward,
};
