/** The `nn` namespace: modules and layers. */
export { Module, type StateDict } from './module.js';
export { Parameter, UninitializedParameter, UninitializedBuffer } from './parameter.js';
export { Sequential, ModuleList } from './container.js';
export * as init from './init.js';
export { Conv1d, Conv2d, LazyConv1d, LazyConv2d, type Conv1dModuleOptions, type Conv2dModuleOptions } from './conv.js';
export { ConvTranspose2d, LazyConvTranspose2d, type ConvTranspose2dModuleOptions } from './conv-transpose.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
export { Linear, LazyLinear, type LinearOptions } from './linear.js';
export { ReLU, Sigmoid, Tanh, Softmax } from './activation.js';
export { Flatten } from './flatten.js';
export { Identity } from './identity.js';
export { Dropout } from './dropout.js';
export { CrossEntropyLoss, NLLLoss, MSELoss } from './loss.js';
export { BatchNorm1d, BatchNorm2d, LazyBatchNorm1d, LazyBatchNorm2d, BatchNormBase, type BatchNormOptions } from './batchnorm.js';
