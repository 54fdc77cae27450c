/** `convnet train <model>`: d2l's Trainer on Fashion-MNIST with progress, JSON records, checkpoints and plots. */
import { writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { FileFormatError } from '../io/errors.js';
import { setRngState } from '../tensor/rng.js';
import { getBackend } from '../backend/index.js';
import { loadWeights } from '../io/weights.js';
import { initCnn } from '../train/init-cnn.js';
import { FASHION_MNIST_LABELS } from '../data/fashion-mnist-files.js';
import { SGD } from '../optim/sgd.js';
import { Adam } from '../optim/adam.js';
import { Trainer, type EpochRecord } from '../train/trainer.js';
import { boardToPng } from '../train/plot-png.js';
import { epochJson, formatEpochLine, ProgressReporter } from '../train/progress.js';
import type { Classifier } from '../train/classifier.js';
import type { ProgressBoard } from '../train/progress-board.js';
import { Flags, parseArgs, UsageError } from './args.js';
import { TRAIN_OPTIONS } from './options.js';
import {
  buildModel, checkInputSize, checkWritableTarget, firstBatch, loadTrainData, modelSpecArg, resizeOf, savedModelCheck, setupRuntime, thousands, type Io,
} from './common.js';
import { ensureData } from './data.js';
import { dataMetadata, ensureNamedData, setupImageData, usesImageData } from './image-data.js';

/** Run `convnet train`; returns the process exit status. */
export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, TRAIN_OPTIONS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'train');
  // Everything that can be checked without data is checked first, so a mistake costs no loading time.
  const plot = f.str('plot');
  if (plot !== undefined && !/\.(svg|png)$/i.test(plot)) throw new UsageError(`option --plot: '${plot}' must be an .svg or .png file`);
  for (const k of ['save', 'plot']) checkWritableTarget(k, f.str(k));
  const resume = f.str('resume');
  const init = f.str('init');
  if (init !== undefined && resume !== undefined) throw new UsageError('options --init and --resume exclude each other (--resume already restores the weights)');
  const maxEpochs = f.num('epochs') ?? 10;
  if (maxEpochs === 0 && resume === undefined) throw new UsageError('option --epochs: 0 epochs trains nothing (give N >= 1; with --resume, N counts the epochs already done)');
  const optName = f.str('optimizer') ?? 'sgd';
  if (optName === 'adam' && f.has('momentum')) throw new UsageError('option --momentum applies to sgd only');
  const lr = f.num('lr') ?? (optName === 'adam' ? 0.001 : spec.defaultLr);
  setupRuntime(f);
  checkInputSize(name, spec, resizeOf(f, spec));
  const json = f.bool('json');
  const info = json ? io.err : io.out;

  const images = usesImageData(f);
  let data, model, describe: string, meta;
  if (images) {
    await ensureNamedData(f, info);
    const r = f.num('resize');
    const imageData = await setupImageData(f, {
      mode: 'train', size: r !== undefined ? [r, r] : [spec.defaultResize[0], spec.defaultResize[1]],
      batchSize: f.num('batch-size') ?? 128, warn: (s) => io.err.write(s),
    });
    data = imageData;
    model = spec.create({ lr, numClasses: imageData.meta.classes.length });
    model.applyInit([imageData.sampleBatch()], initCnn);
    describe = imageData.describe;
    meta = imageData.meta;
  } else {
    await ensureData(f, info);
    const fm = loadTrainData(f, spec);
    data = fm;
    model = buildModel(spec, firstBatch(fm.train, fm.batchSize), lr);
    describe = `${fm.train.length} Fashion-MNIST images ${fm.resize[0]}x${fm.resize[1]}, validating on ${fm.val.length}`;
    meta = { classes: [...FASHION_MNIST_LABELS], channels: 1 as const, size: [fm.resize[0], fm.resize[1]] as [number, number] };
  }
  if (init !== undefined) {
    loadWeights(init, model, { checkMetadata: savedModelCheck(init, name, 'train') });
    info.write(`initialised ${name} from ${init}\n`);
  }
  const optimizer = makeOptimizer(optName, model, lr, f);
  let startEpoch = 0;
  if (resume !== undefined) {
    const ck = loadCheckpoint(resume, model, { optimizer, checkMetadata: savedModelCheck(resume, name, 'train') });
    startEpoch = ck.epoch ?? 0;
    // Continue the shuffling sequence where the saved run stopped, so a resumed run repeats an uninterrupted one.
    if (ck.rngState !== null) setRngState(ck.rngState);
    restoreBoard(ck.metadata, model.board, resume);
    info.write(`resumed from ${resume} at epoch ${startEpoch}\n`);
  }
  const nParams = model.parameters().reduce((s, p) => s + p.numel(), 0);
  info.write(`training ${name} (${thousands(nParams)} parameters) on ${describe}; ` +
    `${optName} lr ${lr}, batch ${data.batchSize}, epochs ${startEpoch + 1}..${maxEpochs}; backend ${getBackend().name}\n`);
  if (startEpoch >= maxEpochs) info.write(`nothing to do: the checkpoint is already at epoch ${startEpoch} (--epochs ${maxEpochs})\n`);

  const progress = f.bool('quiet') ? null : new ProgressReporter(io.err, maxEpochs);
  const save = f.str('save');
  const trainer = new Trainer({
    maxEpochs, gradientClipVal: f.num('grad-clip') ?? 0, verbose: false,
    callbacks: {
      onBatchEnd: (b) => progress?.batch(b),
      onValBatchEnd: (b) => progress?.valBatch(b),
      onEpochEnd: (r: EpochRecord) => {
        progress?.endEpoch();
        if (json) io.out.write(JSON.stringify(epochJson(r, maxEpochs)) + '\n');
        else io.out.write(formatEpochLine(r, maxEpochs) + '\n');
        // The plot's points ride along, so a resumed run's plot shows the epochs before it too.
        if (save !== undefined) {
          saveCheckpoint(save, model, { optimizer, epoch: r.epoch, metadata: { model: name, board: JSON.stringify(model.board.state()), ...dataMetadata(meta) } });
        }
        if (plot !== undefined) writeFileAtomic(plot, /\.png$/i.test(plot) ? boardToPng(model.board) : Buffer.from(model.board.toSvg(), 'utf8'));
      },
    },
  });
  try {
    trainer.fit(model, data, { optimizer, startEpoch });
  } finally {
    if ('close' in data) data.close();
  }
  const last = trainer.history[trainer.history.length - 1];
  if (last !== undefined) {
    const total = trainer.history.reduce((s, r) => s + r.trainExamples, 0);
    const secs = trainer.history.reduce((s, r) => s + r.trainSeconds, 0);
    info.write(`done: val acc ${last.val.acc?.toFixed(4) ?? 'n/a'}, ${(total / secs).toFixed(0)} img/s on average\n`);
  }
  return 0;
}

/** Load the plot's points saved in a checkpoint's metadata (`board`, JSON) into `board`; a malformed entry is a FileFormatError. */
export function restoreBoard(metadata: Record<string, string>, board: ProgressBoard, file: string): void {
  const json = metadata.board;
  if (json === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new FileFormatError(file, 8, "the plot state in the checkpoint's metadata (header at byte 8) is not JSON");
  }
  try {
    board.loadState(parsed, "the checkpoint's plot state");
  } catch (e) {
    throw new FileFormatError(file, 8, `${(e as Error).message} (header at byte 8)`);
  }
}

function makeOptimizer(kind: string, model: Classifier, lr: number, f: Flags): SGD | Adam {
  const weightDecay = f.num('weight-decay') ?? 0;
  if (kind === 'adam') return new Adam(model.parameters(), { lr, weightDecay });
  return new SGD(model.parameters(), { lr, momentum: f.num('momentum') ?? 0, weightDecay });
}
