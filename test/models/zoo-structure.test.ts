/**
 * Full-size zoo models against PyTorch running the same d2l definitions: layerSummary prints the
 * same lines, the parameter count and every state_dict key/shape are the same (fixture:
 * scripts/fixtures/gen_models.py → fixtures/models/summaries.json). Forward passes at 224×224 are
 * ~1–2 GFLOP each, so this file runs on the wasm backend; shapes do not depend on the backend
 * (the numeric checks against PyTorch run on the reference backend, in zoo-fixtures.test.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { setBackend } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Classifier } from '../../src/train/classifier.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, VGG11_ARCH, VGG16_ARCH, VGG19_ARCH, VGG11_NARROW_ARCH, type VGGArch } from '../../src/models/vgg.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';
import { ResNet18, ResNet34 } from '../../src/models/resnet.js';
import { DenseNet } from '../../src/models/densenet.js';
import { RegNetX32 } from '../../src/models/regnet.js';
import { countParams, stateKeys, type SummaryFixture } from './zoo-helpers.js';

const fx = loadFixture<Record<string, SummaryFixture>>('models/summaries.json');

let wasm: WasmBackend | null = null;
let previous: Backend | null = null;
before(() => { wasm = new WasmBackend(); previous = setBackend(wasm); });
after(() => { setBackend(previous); wasm?.dispose(); });

/** Summary, parameter count and state_dict layout at the fixture's input size. */
function checkFullSize(name: string, model: Classifier): void {
  const f = fx[name]!;
  manualSeed(0);
  const lines = model.layerSummary(f.input_shape, () => {});
  assert.deepEqual(lines, f.summary, `${name}: layerSummary`);
  assert.equal(countParams(model), f.num_params, `${name}: parameter count`);
  assert.deepEqual(stateKeys(model), f.state_keys, `${name}: state_dict keys and shapes`);
}

describe('model zoo at full size: summary, parameter count, state_dict layout equal PyTorch', () => {
  it('AlexNet on [1, 1, 224, 224]: Conv2d [1, 96, 54, 54] … Flatten [1, 6400] … Linear [1, 10]', () => {
    checkFullSize('alexnet', new AlexNet());
    assert.equal(fx['alexnet']!.summary[0], 'Conv2d output shape:\t torch.Size([1, 96, 54, 54])');
    assert.equal(fx['alexnet']!.summary[13], 'Flatten output shape:\t torch.Size([1, 6400])');
  });

  it('NiN on [1, 1, 224, 224]: … Sequential [1, 10, 5, 5], AdaptiveAvgPool2d, Flatten [1, 10]', () => {
    checkFullSize('nin', new NiN());
  });

  it('GoogLeNet on [1, 1, 96, 96]: b5 gives [1, 1024]', () => {
    checkFullSize('googlenet', new GoogLeNet());
    assert.equal(fx['googlenet']!.summary[4], 'Sequential output shape:\t torch.Size([1, 1024])');
  });

  it('ResNet-18 on [1, 1, 96, 96]: [1, 64, 24, 24] … [1, 512, 3, 3], [1, 10]; keys net.0.1.*, net.b3.0.conv3, net.last.2', () => {
    checkFullSize('resnet18', new ResNet18());
    const keys = new Map(fx['resnet18']!.state_keys);
    assert.deepEqual(keys.get('net.0.0.weight'), [64, 1, 7, 7]);
    assert.deepEqual(keys.get('net.0.1.num_batches_tracked'), []);
    assert.deepEqual(keys.get('net.b3.0.conv3.weight'), [128, 64, 1, 1]);
    assert.deepEqual(keys.get('net.last.2.weight'), [10, 512]);
  });

  it('ResNet-34 on [1, 1, 96, 96]', () => {
    checkFullSize('resnet34', new ResNet34());
  });

  it('DenseNet (64, 32, (4, 4, 4, 4)) on [1, 1, 96, 96]', () => {
    checkFullSize('densenet', new DenseNet());
  });

  it('RegNetX32 on [1, 1, 96, 96]: [1, 32, 48, 48], [1, 32, 24, 24], [1, 80, 12, 12], [1, 10]', () => {
    checkFullSize('regnetx32', new RegNetX32());
  });

  // A full VGG forward at 224 is 7–20 GFLOP, too slow for a unit test on the reference backend
  // (the VGG-11 one runs in the ch08 example test). The convolutions' parameters do not depend on
  // the resolution, so build at 32×32 and compare every key; only the first Linear's in-features
  // (512 at 32×32, 512·7·7 at 224) differ.
  const vggs: [string, VGGArch][] = [['vgg11', VGG11_ARCH], ['vgg16', VGG16_ARCH], ['vgg19', VGG19_ARCH], ['vgg11_narrow', VGG11_NARROW_ARCH]];
  for (const [name, arch] of vggs) {
    it(`${name}: state_dict layout and parameter count (convolutions sized at 32×32)`, () => {
      const f = fx[name]!;
      const model = new VGG({ arch });
      const lines = model.layerSummary([1, 1, 32, 32], () => {});
      assert.equal(lines.length, f.summary.length);
      const lastC = arch[arch.length - 1]![1];
      const headKey = `net.${arch.length + 1}.weight`;
      const expected = f.state_keys.map(([k, s]): [string, number[]] => (k === headKey ? [k, [4096, lastC]] : [k, s]));
      assert.deepEqual(stateKeys(model), expected);
      assert.equal(countParams(model), f.num_params - 4096 * lastC * (49 - 1));
      // The printed block channels are the arch's; only the spatial sizes differ from 224.
      f.summary.slice(0, arch.length).forEach((l, i) => assert.match(l, new RegExp(`^Sequential output shape:\\t torch\\.Size\\(\\[1, ${arch[i]![1]}, \\d+, \\d+\\]\\)$`)));
      assert.equal(lines[arch.length], `Flatten output shape:\t torch.Size([1, ${lastC}])`);
    });
  }
});
