/**
 * d2l 8.2 (Networks Using Blocks, VGG) as the seed notebooks run it: a VGG block's output shape and
 * VGG-11's layer summary on a 224×224 Fashion-MNIST-sized input, then the exercise's VGG-16 summary.
 * Prints what PyTorch prints. (Training, 8.2.3 and the exercise: `convnet train vgg` / `vgg16-narrow`.)
 *
 *   node dist/examples/ch08/vgg.js            (about 4 s with the wasm backend, ~15 s on the reference one)
 */
import { fileURLToPath } from 'node:url';
import { randn } from '../../src/tensor/creation.js';
import { formatShape } from '../../src/tensor/shape.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { VGG, VGG11_ARCH, VGG16_ARCH, vggBlock } from '../../src/models/vgg.js';

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

/** The seeds' 8.2 exercise 3: VGG-16 from Table 1 of the paper; prints its layer summary on 224×224 and returns it. */
export function exerciseVgg16(print: (line: string) => void = console.log): VGG {
  manualSeed(0);
  // VGG(arch=((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))).layer_summary((1, 1, 224, 224))
  const vgg16 = new VGG({ arch: VGG16_ARCH });
  vgg16.layerSummary([1, 1, 224, 224], print);
  return vgg16;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { WasmBackend } = await import('../../src/backend/wasm/index.js');
  const { setBackend } = await import('../../src/backend/index.js');
  const backend = new WasmBackend();
  setBackend(backend);
  try { main(); exerciseVgg16(); } finally { backend.dispose(); }
}
