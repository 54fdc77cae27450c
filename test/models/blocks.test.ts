/** Shape contracts of the zoo's building blocks (d2l's examples) and the errors for misuse. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randn } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { vggBlock } from '../../src/models/vgg.js';
import { ninBlock } from '../../src/models/nin.js';
import { Inception, GoogLeNet } from '../../src/models/googlenet.js';
import { Residual, ResNet } from '../../src/models/resnet.js';
import { ResNeXtBlock } from '../../src/models/resnext.js';
import { DenseBlock, transitionBlock } from '../../src/models/densenet.js';

const shape = (f: () => { shape: readonly number[] }): number[] => [...noGrad(f).shape];

describe('building blocks: output shapes', () => {
  it('vggBlock(2, 16): channels set, resolution halved (odd sizes floor)', () => {
    assert.deepEqual(shape(() => vggBlock(2, 16).call(randn(2, 3, 9, 8))), [2, 16, 4, 4]);
  });

  it('ninBlock(8, 11, 4, 0) on 67×67 → 15×15; its 1×1 convs keep the size', () => {
    const blk = ninBlock(8, 11, 4, 0);
    assert.deepEqual(shape(() => blk.call(randn(1, 1, 67, 67))), [1, 8, 15, 15]);
    assert.equal(blk.length, 6);
  });

  it('Inception(64, [96, 128], [16, 32], 32) concatenates 64 + 128 + 32 + 32 = 256 channels at the same H, W', () => {
    assert.deepEqual(shape(() => new Inception(64, [96, 128], [16, 32], 32).call(randn(1, 8, 5, 7))), [1, 256, 5, 7]);
  });

  it('Residual with strides 2 and odd input: ⌈H/2⌉ from both the 3×3 path and the 1×1 shortcut', () => {
    assert.deepEqual(shape(() => new Residual({ numChannels: 4, use1x1conv: true, strides: 2 }).call(randn(2, 3, 7, 5))), [2, 4, 4, 3]);
  });

  it('ResNeXtBlock(32, 16, 1) keeps [4, 32, H, W]; its 3×3 conv has 32 / 16 = 2 groups (d2l reads groups as group width)', () => {
    const blk = new ResNeXtBlock({ numChannels: 32, groups: 16, botMul: 1 });
    assert.deepEqual(shape(() => blk.call(randn(4, 32, 6, 6))), [4, 32, 6, 6]);
    assert.deepEqual([...blk.conv2.weight.shape], [32, 16, 3, 3]);
  });

  it('ResNeXtBlock with botMul 0.5, 1×1 shortcut, strides 2: bottleneck 16 channels, output halved', () => {
    const blk = new ResNeXtBlock({ numChannels: 32, groups: 8, botMul: 0.5, use1x1conv: true, strides: 2 });
    assert.deepEqual(shape(() => blk.call(randn(2, 16, 6, 6))), [2, 32, 3, 3]);
    assert.deepEqual([...blk.conv1.weight.shape], [16, 16, 1, 1]);
    assert.deepEqual([...blk.conv2.weight.shape], [16, 8, 3, 3]);
  });

  it('DenseBlock(2, 10): 3 + 2·10 = 23 channels; transitionBlock(10) → [4, 10, 4, 4]', () => {
    const Y = noGrad(() => new DenseBlock(2, 10).call(randn(4, 3, 8, 8)));
    assert.deepEqual([...Y.shape], [4, 23, 8, 8]);
    assert.deepEqual(shape(() => transitionBlock(10).call(Y)), [4, 10, 4, 4]);
  });
});

describe('building blocks: misuse is reported clearly', () => {
  it('Residual without the 1×1 conv on a channel change names the fix', () => {
    assert.throws(() => noGrad(() => new Residual({ numChannels: 6 }).call(randn(1, 3, 6, 6))),
      /Residual: the block's output \[1, 6, 6, 6\] and its identity shortcut \[1, 3, 6, 6\] differ; .*use1x1conv: true/);
  });

  it('ResNeXtBlock with strides 2 but no 1×1 shortcut names the fix', () => {
    assert.throws(() => noGrad(() => new ResNeXtBlock({ numChannels: 8, groups: 4, botMul: 1, strides: 2 }).call(randn(1, 8, 6, 6))),
      /ResNeXtBlock: .*\[1, 8, 3, 3\].*\[1, 8, 6, 6\].*use1x1conv: true/);
  });

  it('ResNet whose first stage is not 64 channels is rejected at construction', () => {
    assert.throws(() => new ResNet({ arch: [[2, 32], [2, 64]] }), /ResNet: .*needs 64 channels \(arch\[0\] = \[2, 32\]\)/);
  });

  it('GoogLeNet widthDivisor must keep channel counts integral', () => {
    assert.throws(() => new GoogLeNet({ widthDivisor: 3 }), /widthDivisor must be 1, 2, 4 or 8 \(got 3\)/);
  });
});
