/** `convnet eval <model> --weights FILE`: test loss and accuracy of a checkpoint on Fashion-MNIST. */
import { loadWeights } from '../io/weights.js';
import { Flags, parseArgs, UsageError, type FlagSpec } from './args.js';
import { DOWNLOAD_FLAGS, ensureData } from './data.js';
import { buildModel, checkSavedModel, DATA_FLAGS, modelSpecArg, setupData, type Io } from './common.js';
import { ensureNamedData, EVAL_IMAGE_FLAGS, usesImageData } from './image-data.js';
import { evalOnImages } from './eval-images.js';
import { evaluate, formatPerClass, perClassJson } from './evaluate.js';
import { FASHION_MNIST_LABELS } from '../data/fashion-mnist-files.js';

/** Options of `convnet eval`. */
export const EVAL_FLAGS: Record<string, FlagSpec> = {
  weights: { type: 'string', metavar: 'FILE', help: 'weights: a safetensors checkpoint (ours, or a PyTorch state_dict) or a torch.save state dict (.pt)' },
  ...DATA_FLAGS,
  ...DOWNLOAD_FLAGS,
  ...EVAL_IMAGE_FLAGS,
  json: { type: 'bool', help: 'print the result as one JSON record' },
};

/** Evaluate a checkpoint on the test split. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EVAL_FLAGS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'eval');
  const weights = f.str('weights');
  if (weights === undefined) throw new UsageError(`eval: --weights FILE is required (e.g. convnet eval ${name} --weights lenet.safetensors, or a torch.save'd lenet.pt)`);
  if (usesImageData(f)) {
    await ensureNamedData(f, io.err);
    return evalOnImages(name, spec, weights, f, io);
  }
  await ensureData(f, io.err);
  const data = setupData(f, spec);
  const model = buildModel(spec, data, 0.1);
  const ck = loadWeights(weights, model);
  checkSavedModel(weights, ck.metadata.model, name);
  const ev = evaluate(model, data.getDataloader(false), FASHION_MNIST_LABELS.length);
  const rec = { model: name, weights, epoch: ck.epoch, test_examples: ev.n, test_loss: ev.loss, test_acc: ev.acc, per_class: perClassJson(ev, FASHION_MNIST_LABELS) };
  if (f.bool('json')) io.out.write(JSON.stringify(rec) + '\n');
  else {
    io.out.write(`${name} ${weights}${ck.epoch !== null ? ` (epoch ${ck.epoch})` : ''}: test loss ${rec.test_loss.toFixed(4)}  test acc ${rec.test_acc.toFixed(4)}  on ${ev.n} images\n`);
    io.out.write(formatPerClass(ev, FASHION_MNIST_LABELS));
  }
  return 0;
}
