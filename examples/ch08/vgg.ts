/**
 * d2l 8.2 (Networks Using Blocks, VGG) as the seed notebooks run it: a VGG block's output shape and
 * VGG-11's layer summary on a 224×224 Fashion-MNIST-sized input. Prints what PyTorch prints.
 *
 *   node dist/examples/ch08/vgg.js            (about 4 s with the wasm backend, ~15 s on the reference one)
 */
import { fileURLToPath } from 'node:url';
import { randn } from '../../src/tensor/creation.js';
import { formatShape } from '../../src/tensor/shape.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { VGG, VGG11_ARCH, vggBlock } from '../../src/models/vgg.js';

/** Run the 8.2 cells, sending each printed line to `print`; returns the VGG-11 it summarised. */
export function main(print: (line: string) => void = console.log): VGG {
  manualSeed(0);
  // 8.2.1: a block of two 3×3 convolutions halves the resolution and sets the channels.
  const blk = vggBlock(2, 128);
  print(`torch.Size(${formatShape(noGrad(() => blk.call(randn(1, 64, 56, 56))).shape)})`);
  // 8.2.2: VGG(arch=((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))).layer_summary((1, 1, 224, 224))
  const vgg11 = new VGG({ arch: VGG11_ARCH });
  vgg11.layerSummary([1, 1, 224, 224], print);
  return vgg11;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { WasmBackend } = await import('../../src/backend/wasm/index.js');
  const { setBackend } = await import('../../src/backend/registry.js');
  const backend = new WasmBackend();
  setBackend(backend);
  try { main(); } finally { backend.dispose(); }
}
