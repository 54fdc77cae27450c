/**
 * d2l 8.1 (AlexNet), 8.3 (NiN) and 8.4 (GoogLeNet) layer summaries, as the chapter 8 slides print
 * them: AlexNet and NiN on 224×224, GoogLeNet on 96×96.
 *
 *   node dist/examples/ch08/classic.js
 */
import { fileURLToPath } from 'node:url';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Classifier } from '../../src/train/classifier.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';

/** Print the three summaries; returns the models keyed by name. */
export function main(print: (line: string) => void = console.log): Record<'alexnet' | 'nin' | 'googlenet', Classifier> {
  manualSeed(0);
  const alexnet = new AlexNet();
  alexnet.layerSummary([1, 1, 224, 224], print);   // AlexNet().layer_summary((1, 1, 224, 224))
  const nin = new NiN();
  nin.layerSummary([1, 1, 224, 224], print);       // NiN().layer_summary((1, 1, 224, 224))
  const googlenet = new GoogLeNet();
  googlenet.layerSummary([1, 1, 96, 96], print);   // GoogleNet().layer_summary((1, 1, 96, 96))
  return { alexnet, nin, googlenet };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { WasmBackend } = await import('../../src/backend/wasm/index.js');
  const { setBackend } = await import('../../src/backend/index.js');
  const backend = new WasmBackend();
  setBackend(backend);
  try { main(); } finally { backend.dispose(); }
}
