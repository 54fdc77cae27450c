/** `convnet eval <model> --weights FILE`: test loss and accuracy of a checkpoint on Fashion-MNIST. */
import { scoped } from '../tensor/lifetime.js';
import { noGrad } from '../autograd/grad-mode.js';
import { loadWeights } from '../io/weights.js';
import { Flags, parseArgs, UsageError, type FlagSpec } from './args.js';
import { DOWNLOAD_FLAGS, ensureData } from './data.js';
import { buildModel, checkSavedModel, DATA_FLAGS, modelSpecArg, setupData, type Io } from './common.js';

/** Options of `convnet eval`. */
export const EVAL_FLAGS: Record<string, FlagSpec> = {
  weights: { type: 'string', metavar: 'FILE', help: 'weights: a safetensors checkpoint (ours, or a PyTorch state_dict) or a torch.save state dict (.pt)' },
  ...DATA_FLAGS,
  ...DOWNLOAD_FLAGS,
  json: { type: 'bool', help: 'print the result as one JSON record' },
};

/** Evaluate a checkpoint on the test split. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EVAL_FLAGS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'eval');
  const weights = f.str('weights');
  if (weights === undefined) throw new UsageError(`eval: --weights FILE is required (e.g. convnet eval ${name} --weights lenet.safetensors, or a torch.save'd lenet.pt)`);
  await ensureData(f, io.err);
  const data = setupData(f, spec);
  const model = buildModel(spec, data, 0.1);
  const ck = loadWeights(weights, model);
  checkSavedModel(weights, ck.metadata.model, name);
  model.eval();
  let loss = 0, correct = 0, n = 0;
  noGrad(() => {
    for (const [X, y] of data.getDataloader(false)) {
      // Each batch's tensors are released once its numbers are read.
      scoped('convnet eval', () => {
        const yHat = model.call(X);
        const b = y.shape[0]!;
        loss += model.loss(yHat, y).item() * b;
        correct += model.accuracy(yHat, y).item() * b;
        n += b;
      });
    }
  });
  const rec = { model: name, weights, epoch: ck.epoch, test_examples: n, test_loss: loss / n, test_acc: correct / n };
  if (f.bool('json')) io.out.write(JSON.stringify(rec) + '\n');
  else io.out.write(`${name} ${weights}${ck.epoch !== null ? ` (epoch ${ck.epoch})` : ''}: test loss ${rec.test_loss.toFixed(4)}  test acc ${rec.test_acc.toFixed(4)}  on ${n} images\n`);
  return 0;
}
