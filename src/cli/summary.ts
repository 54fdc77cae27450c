/** `convnet summary <model> [--input 1,1,28,28]`: d2l's layer_summary table and the parameter count. */
import { manualSeed } from '../tensor/rng.js';
import { Flags, parseArgs, UsageError } from './args.js';
import { SUMMARY_OPTIONS } from './options.js';
import { modelSpecArg, thousands, type Io } from './common.js';

/** Print each layer's output shape and the number of parameters. */
export function summaryCommand(argv: readonly string[], io: Io): number {
  const { positionals, flags } = parseArgs(argv, SUMMARY_OPTIONS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'summary');
  const shape = f.shape('input') ?? [1, 1, ...spec.defaultResize];
  if (shape.length !== 4) throw new UsageError(`option --input: expected 4 dims N,C,H,W (got ${shape.join(',')})`);
  manualSeed(0);
  const model = spec.create({});
  try {
    model.layerSummary(shape, (line) => io.out.write(line + '\n'));
  } catch (e) {
    throw new Error(`summary: ${name} does not accept input [${shape.join(', ')}]: ${(e as Error).message}`);
  }
  // layerSummary's forward pass materialised the lazy layers, so every parameter has its shape now.
  const n = model.parameters().reduce((s, p) => s + p.numel(), 0);
  io.out.write(`Total parameters: ${thousands(n)}\n`);
  return 0;
}
