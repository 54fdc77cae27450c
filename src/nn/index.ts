/** The `nn` namespace: modules and layers. */
export { Module, type StateDict } from './module.js';
export { Parameter, UninitializedParameter } from './parameter.js';
export { Sequential, ModuleList } from './container.js';
export * as init from './init.js';
export { Conv1d, Conv2d, LazyConv1d, LazyConv2d, type Conv1dModuleOptions, type Conv2dModuleOptions } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
