/**
 * Models and checkpoints for the convnet-ts → PyTorch interop fixtures. `makeOursCheckpoints()` is
 * run once by scripts/fixtures/gen_ours_checkpoints.mjs; scripts/fixtures/check_ours_in_torch.py
 * then loads the files into PyTorch and records its logits (fixtures/interop/ours_in_torch.json).
 */
import { Sequential } from '../../src/nn/container.js';
import { LazyConv2d } from '../../src/nn/conv.js';
import { LazyLinear } from '../../src/nn/linear.js';
import { LazyBatchNorm1d, LazyBatchNorm2d } from '../../src/nn/batchnorm.js';
import { AvgPool2d } from '../../src/nn/pooling.js';
import { Sigmoid } from '../../src/nn/activation.js';
import { Flatten } from '../../src/nn/flatten.js';
import { Classifier } from '../../src/train/classifier.js';
import { LeNet } from '../../src/models/lenet.js';
import { initCnn } from '../../src/train/init-cnn.js';
import { SGD } from '../../src/optim/sgd.js';
import { encodeCheckpoint } from '../../src/io/checkpoint.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { TensorJson } from '../helpers/fixtures.js';

/** d2l 8.5's BNLeNet (LeNet with BatchNorm after every conv and hidden linear layer). */
export class BNLeNet extends Classifier {
  constructor(lr = 0.1) {
    super({ lr });
    this.net = new Sequential(
      new LazyConv2d(6, { kernelSize: 5 }), new LazyBatchNorm2d(), new Sigmoid(), new AvgPool2d(2, { stride: 2 }),
      new LazyConv2d(16, { kernelSize: 5 }), new LazyBatchNorm2d(), new Sigmoid(), new AvgPool2d(2, { stride: 2 }),
      new Flatten(), new LazyLinear(120), new LazyBatchNorm1d(), new Sigmoid(),
      new LazyLinear(84), new LazyBatchNorm1d(), new Sigmoid(), new LazyLinear(10));
  }
}

/** The variants in the interop fixtures and their constructors. */
export const INTEROP_MODELS: Record<string, () => Classifier> = {
  lenet: () => new LeNet(),
  'lenet-modern': () => new LeNet({ variant: 'modern' }),
  bnlenet: () => new BNLeNet(),
};

/** Train each model 3 SGD-momentum steps on the fixture batch (so weights, momentum and BN statistics are not at init) and encode it. */
export function makeOursCheckpoints(X: TensorJson, y: TensorJson): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, make] of Object.entries(INTEROP_MODELS)) {
    manualSeed(7);
    const m = make();
    const x = new Tensor(Float32Array.from(X.data), X.shape, 'float32');
    const t = new Tensor(Int32Array.from(y.data), y.shape, 'int32');
    m.applyInit([x], initCnn);
    const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) { opt.zeroGrad(); m.loss(m.call(x), t).backward(); opt.step(); }
    out[name] = encodeCheckpoint(m, { optimizer: opt, epoch: 1, metadata: { model: name } });
  }
  return out;
}
