/**
 * d2l 8.6 (Residual Networks) as the seed notebooks run it: Residual block shapes, ResNet-18's
 * layer summary on 96×96, and the ResNeXt block of 8.6.5. Prints what PyTorch prints.
 *
 *   node dist/examples/ch08/resnet.js
 */
import { fileURLToPath } from 'node:url';
import { randn } from '../../src/tensor/creation.js';
import { formatShape } from '../../src/tensor/shape.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Residual, ResNet18 } from '../../src/models/resnet.js';
import { ResNeXtBlock } from '../../src/models/resnext.js';

const size = (t: Tensor): string => `torch.Size(${formatShape(t.shape)})`;

/** Run the 8.6 cells, sending each printed line to `print`; returns the ResNet-18 it summarised. */
export function main(print: (line: string) => void = console.log): ResNet18 {
  manualSeed(0);
  noGrad(() => {
    // 8.6.2: same shape in and out; then halve the resolution and change channels with the 1×1 conv.
    const X = randn(4, 3, 6, 6);
    print(size(new Residual({ numChannels: 3 }).call(X)));
    print(size(new Residual({ numChannels: 6, use1x1conv: true, strides: 2 }).call(X)));
  });
  // 8.6.3: ResNet18().layer_summary((1, 1, 96, 96))
  const model = new ResNet18();
  model.layerSummary([1, 1, 96, 96], print);
  // 8.6.5: blk = ResNeXtBlock(32, 16, 1); blk(torch.randn(4, 32, 96, 96)).shape
  noGrad(() => print(size(new ResNeXtBlock({ numChannels: 32, groups: 16, botMul: 1 }).call(randn(4, 32, 96, 96)))));
  return model;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { WasmBackend } = await import('../../src/backend/wasm/index.js');
  const { setBackend } = await import('../../src/backend/index.js');
  const backend = new WasmBackend();
  setBackend(backend);
  try { main(); } finally { backend.dispose(); }
}
