/** The chapter 7–8 model zoo and its registry. */
export { LeNet, type LeNetOptions } from './lenet.js';
export { registerModel, getModelSpec, createModel, modelNames, type ModelSpec, type ModelOptions } from './registry.js';
