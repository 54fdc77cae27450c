/** The chapter 7–8 model zoo and its registry. */
export { LeNet, type LeNetOptions } from './lenet.js';
export { registerModel, getModelSpec, createModel, modelNames, type ModelSpec, type ModelOptions } from './registry.js';
export { AlexNet, type AlexNetOptions } from './alexnet.js';
export { VGG, vggBlock, VGG11_ARCH, VGG16_ARCH, VGG19_ARCH, VGG11_NARROW_ARCH, VGG16_NARROW_ARCH, type VGGArch, type VGGOptions } from './vgg.js';
export { NiN, ninBlock, type NiNOptions } from './nin.js';
export { GoogLeNet, GoogleNet, Inception, type GoogLeNetOptions } from './googlenet.js';
export { Residual, ResNet, ResNet18, ResNet34, RESNET18_ARCH, RESNET34_ARCH, type ResidualOptions, type ResNetArch, type ResNetOptions } from './resnet.js';
export { ResNeXtBlock, type ResNeXtBlockOptions } from './resnext.js';
export { DenseNet, DenseBlock, convBlock, transitionBlock, type DenseNetOptions } from './densenet.js';
export { AnyNet, RegNetX32, type AnyNetArch, type AnyNetOptions } from './regnet.js';
