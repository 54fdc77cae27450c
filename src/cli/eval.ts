/** `convnet eval <model> --weights FILE`: test loss and accuracy of a checkpoint on the Fashion-MNIST test split. */
import { noGrad } from '../autograd/grad-mode.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { DataLoader } from '../data/dataloader.js';
import { ProgressReporter } from '../train/progress.js';
import { Flags, parseArgs, UsageError } from './args.js';
import { ensureData } from './data.js';
import { EVAL_OPTIONS } from './options.js';
import { buildModel, checkInputSize, firstBatch, loadTestData, modelSpecArg, resizeOf, savedModelCheck, setupRuntime, type Io } from './common.js';

/** Evaluate a checkpoint on the test split; only the test files are read. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EVAL_OPTIONS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'eval');
  const weights = f.str('weights');
  if (weights === undefined) throw new UsageError(`eval: --weights FILE is required (e.g. convnet eval ${name} --weights ck.safetensors)`);
  setupRuntime(f);
  checkInputSize(name, spec, resizeOf(f, spec));
  const json = f.bool('json');
  await ensureData(f, json ? io.err : io.out, ['test']);
  const test = loadTestData(f, spec);
  const batchSize = f.num('batch-size') ?? 128;
  const model = buildModel(spec, firstBatch(test, batchSize), 0.1);
  const ck = loadCheckpoint(weights, model, { checkMetadata: savedModelCheck(weights, name, 'eval') });
  model.eval();
  const loader = new DataLoader(test, { batchSize });
  const progress = f.bool('quiet') ? null : new ProgressReporter(io.err, 1);
  const t0 = performance.now();
  let loss = 0, correct = 0, n = 0, b = 0;
  noGrad(() => {
    for (const [X, y] of loader) {
      const yHat = model.call(X);
      const k = y.shape[0]!;
      loss += model.loss(yHat, y).item() * k;
      correct += model.accuracy(yHat, y).item() * k;
      n += k;
      progress?.valBatch({ epoch: 0, batch: ++b, numBatches: loader.length, examples: n, seconds: (performance.now() - t0) / 1000 });
    }
  });
  progress?.endEpoch();
  const rec = { model: name, weights, epoch: ck.epoch, test_examples: n, test_loss: loss / n, test_acc: correct / n };
  if (json) io.out.write(JSON.stringify(rec) + '\n');
  else io.out.write(`${name} ${weights}${ck.epoch !== null ? ` (epoch ${ck.epoch})` : ''}: test loss ${rec.test_loss.toFixed(4)}  test acc ${rec.test_acc.toFixed(4)}  on ${n} images\n`);
  return 0;
}
