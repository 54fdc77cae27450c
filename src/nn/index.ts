/** The `nn` namespace: modules and layers. */
export { Module, type StateDict } from './module.js';
export { Parameter, UninitializedParameter } from './parameter.js';
export { Sequential, ModuleList } from './container.js';
export * as init from './init.js';
