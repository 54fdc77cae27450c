/**
 * d2l 8.8 (Designing Convolution Network Architectures): RegNetX-32's layer summary on 96×96, as
 * d2l prints it (`RegNetX32().layer_summary((1, 1, 96, 96))`). Training (8.8.4: lr 0.05, resize 96)
 * is `convnet train regnetx32`.
 *
 *   node dist/examples/ch08/regnet.js
 */
import { fileURLToPath } from 'node:url';
import { manualSeed } from '../../src/tensor/rng.js';
import { RegNetX32 } from '../../src/models/regnet.js';

/** Print the summary; returns the RegNetX32 it summarised. */
export function main(print: (line: string) => void = console.log): RegNetX32 {
  manualSeed(0);
  const model = new RegNetX32();
  model.layerSummary([1, 1, 96, 96], print);
  return model;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
