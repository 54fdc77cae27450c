/** `convnet eval <model> --weights FILE`: test loss and accuracy of a checkpoint on the Fashion-MNIST test split. */
import { loadWeights } from '../io/weights.js';
import { FASHION_MNIST_LABELS } from '../data/fashion-mnist-files.js';
import { DataLoader } from '../data/dataloader.js';
import { ProgressReporter } from '../train/progress.js';
import { Flags, parseArgs, UsageError } from './args.js';
import { ensureData } from './data.js';
import { EVAL_OPTIONS } from './options.js';
import { buildModel, checkInputSize, firstBatch, loadTestData, modelSpecArg, resizeOf, savedModelCheck, setupRuntime, type Io } from './common.js';
import { ensureNamedData, usesImageData } from './image-data.js';
import { evalOnImages } from './eval-images.js';
import { evaluate, formatPerClass, perClassJson } from './evaluate.js';

/** Evaluate a checkpoint on the test split; only the test files are read. */
export async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, EVAL_OPTIONS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'eval');
  const weights = f.str('weights');
  if (weights === undefined) throw new UsageError(`eval: --weights FILE is required (e.g. convnet eval ${name} --weights ck.safetensors, or a torch.save'd lenet.pt)`);
  if (usesImageData(f)) {
    setupRuntime(f);
    await ensureNamedData(f, io.err);
    return evalOnImages(name, spec, weights, f, io);
  }
  setupRuntime(f);
  checkInputSize(name, spec, resizeOf(f, spec));
  const json = f.bool('json');
  await ensureData(f, json ? io.err : io.out, ['test']);
  const test = loadTestData(f, spec);
  const batchSize = f.num('batch-size') ?? 128;
  const model = buildModel(spec, firstBatch(test, batchSize), 0.1);
  // The model is checked from the file's metadata before any key is compared (.pt files have none).
  const ck = loadWeights(weights, model, { checkMetadata: savedModelCheck(weights, name, 'eval') });
  const loader = new DataLoader(test, { batchSize });
  const progress = f.bool('quiet') ? null : new ProgressReporter(io.err, 1);
  const t0 = performance.now();
  const ev = evaluate(model, loader, FASHION_MNIST_LABELS.length, (batch, examples) =>
    progress?.valBatch({ epoch: 0, batch, numBatches: loader.length, examples, seconds: (performance.now() - t0) / 1000 }));
  progress?.endEpoch();
  const rec = { model: name, weights, epoch: ck.epoch, test_examples: ev.n, test_loss: ev.loss, test_acc: ev.acc, per_class: perClassJson(ev, FASHION_MNIST_LABELS) };
  if (json) io.out.write(JSON.stringify(rec) + '\n');
  else {
    io.out.write(`${name} ${weights}${ck.epoch !== null ? ` (epoch ${ck.epoch})` : ''}: test loss ${rec.test_loss.toFixed(4)}  test acc ${rec.test_acc.toFixed(4)}  on ${ev.n} images\n`);
    io.out.write(formatPerClass(ev, FASHION_MNIST_LABELS));
  }
  return 0;
}
