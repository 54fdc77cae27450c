/** `convnet export <model> --weights FILE --onnx OUT.onnx`: the model's inference graph as an ONNX file (opset 13). */
import { manualSeed } from '../tensor/rng.js';
import { getBackend, selectBackend } from '../backend/index.js';
import { loadWeights } from '../io/weights.js';
import { saveOnnx } from '../io/onnx-file.js';
import { statSync } from 'node:fs';
import { Flags, parseArgs, UsageError, type FlagSpec } from './args.js';
import { checkSavedModel, checkWritableTarget, modelSpecArg, thousands, type Io } from './common.js';

/** Options of `convnet export`. */
export const EXPORT_FLAGS: Record<string, FlagSpec> = {
  weights: { type: 'string', metavar: 'FILE', help: 'weights to export: a safetensors checkpoint or a torch.save state dict (.pt)' },
  onnx: { type: 'string', metavar: 'OUT.onnx', help: 'the ONNX file to write (atomically)' },
  input: { type: 'shape', metavar: 'N,C,H,W', help: "input shape (default 1,1,H,W at the model's size; use the size the weights were trained at)" },
  'dynamic-batch': { type: 'bool', help: 'leave the batch dim symbolic, so the file serves any batch size' },
  backend: { type: 'string', metavar: 'NAME', help: 'compute backend for the tracing pass: auto | js | wasm' },
};

/** Load the weights into the model and write its ONNX graph. */
export function exportCommand(argv: readonly string[], io: Io): number {
  const { positionals, flags } = parseArgs(argv, EXPORT_FLAGS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'export');
  const weights = f.str('weights'), out = f.str('onnx');
  if (weights === undefined) throw new UsageError(`export: --weights FILE is required (e.g. convnet export ${name} --weights ${name}.safetensors --onnx ${name}.onnx)`);
  if (out === undefined) throw new UsageError(`export: --onnx OUT.onnx is required (e.g. convnet export ${name} --weights ${weights} --onnx ${name}.onnx)`);
  checkWritableTarget('onnx', out);
  const shape = f.shape('input') ?? [1, 1, ...spec.defaultResize];
  if (shape.length !== 4) throw new UsageError(`option --input: expected 4 dims N,C,H,W (got ${shape.join(',')})`);
  try {
    const b = f.str('backend');
    if (b !== undefined) selectBackend(b);
    else getBackend();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  manualSeed(0);
  const model = spec.create({});
  // Lazy layers take the checkpoint's shapes, so no data is needed to build the model.
  const ck = loadWeights(weights, model);
  checkSavedModel(weights, ck.metadata.model, name);
  const opts = { dynamicBatch: f.bool('dynamic-batch') };
  let nodes: number;
  try {
    nodes = saveOnnx(out, model, shape, opts).nodes.length;
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.startsWith('exportOnnx:') || msg.includes('atomic write failed')) throw e;
    throw new Error(`export: ${name} with these weights does not accept input [${shape.join(', ')}]: ${msg} ` +
      '(pass --input N,C,H,W with the image size the weights were trained at)');
  }
  const nParams = model.parameters().reduce((s, p) => s + p.numel(), 0);
  io.out.write(`exported ${name} (${thousands(nParams)} parameters) from ${weights} for input [${shape.join(', ')}]` +
    `${opts.dynamicBatch ? ' (any batch size)' : ''} to ${out}: ${nodes} nodes, opset 13, ${thousands(statSync(out).size)} bytes\n`);
  return 0;
}
