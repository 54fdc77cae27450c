/**
 * d2l 8.7 (DenseNet) cells: a dense block's channel growth, a transition block halving channels and
 * resolution, and DenseNet's layer summary on 96×96. Prints what PyTorch prints.
 *
 *   node dist/examples/ch08/densenet.js
 */
import { fileURLToPath } from 'node:url';
import { randn } from '../../src/tensor/creation.js';
import { formatShape } from '../../src/tensor/shape.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { DenseBlock, DenseNet, transitionBlock } from '../../src/models/densenet.js';

/** Run the 8.7 cells, sending each printed line to `print`; returns the DenseNet it summarised. */
export function main(print: (line: string) => void = console.log): DenseNet {
  manualSeed(0);
  noGrad(() => {
    // 8.7.2: 3 input channels + 2 conv blocks × 10 channels = 23 channels.
    const Y = new DenseBlock(2, 10).call(randn(4, 3, 8, 8));
    print(`torch.Size(${formatShape(Y.shape)})`);
    // 8.7.3: the transition block brings it down to 10 channels at half the resolution.
    print(`torch.Size(${formatShape(transitionBlock(10).call(Y).shape)})`);
  });
  // 8.7.4: DenseNet().layer_summary((1, 1, 96, 96))
  const model = new DenseNet();
  model.layerSummary([1, 1, 96, 96], print);
  return model;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
