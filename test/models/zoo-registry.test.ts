/** The chapter 8 models are in the registry (CLI `convnet train <name>`) with d2l's resize and learning rate. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createModel, getModelSpec, modelNames } from '../../src/models/registry.js';
import { randn } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG } from '../../src/models/vgg.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';
import { ResNet18, ResNet34 } from '../../src/models/resnet.js';
import { DenseNet } from '../../src/models/densenet.js';
import { RegNetX32 } from '../../src/models/regnet.js';

const expected: [string, abstract new (...a: never[]) => object, number, number][] = [
  ['alexnet', AlexNet, 224, 0.01], ['vgg', VGG, 224, 0.01], ['vgg11', VGG, 224, 0.01], ['vgg16', VGG, 224, 0.01],
  ['vgg16-narrow', VGG, 224, 0.01], ['vgg19', VGG, 224, 0.01], ['nin', NiN, 224, 0.05], ['googlenet', GoogLeNet, 96, 0.01], ['resnet18', ResNet18, 96, 0.01],
  ['resnet34', ResNet34, 96, 0.01], ['densenet', DenseNet, 96, 0.01], ['regnetx32', RegNetX32, 96, 0.05],
];

describe('model registry: chapter 8 zoo', () => {
  for (const [name, cls, resize, lr] of expected) {
    it(`${name}: ${cls.name}, resize ${resize}, lr ${lr}`, () => {
      assert.ok(modelNames().includes(name));
      const spec = getModelSpec(name);
      assert.deepEqual([...spec.defaultResize], [resize, resize]);
      assert.equal(spec.defaultLr, lr);
      const m = createModel(name, { lr: 0.123 });
      assert.ok(m instanceof cls, `${name} builds a ${cls.name}`);
      assert.equal(m.lr, 0.123);
    });
  }

  it('numClasses reaches the output layer', () => {
    const m = createModel('regnetx32', { numClasses: 7 });
    assert.deepEqual([...noGrad(() => m.call(randn(2, 1, 32, 32))).shape], [2, 7]);
  });
});
