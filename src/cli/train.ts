/** `convnet train <model>`: d2l's Trainer on Fashion-MNIST with progress, JSON records, checkpoints and plots. */
import * as fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { setRngState } from '../tensor/rng.js';
import { getBackend } from '../backend/registry.js';
import { SGD } from '../optim/sgd.js';
import { Adam } from '../optim/adam.js';
import { Trainer, type EpochRecord } from '../train/trainer.js';
import { boardToPng } from '../train/plot-png.js';
import type { Classifier } from '../train/classifier.js';
import type { ProgressBoard } from '../train/progress-board.js';
import { FileFormatError } from '../io/errors.js';
import { Flags, parseArgs, UsageError, type FlagSpec } from './args.js';
import { buildModel, checkSavedModel, DATA_FLAGS, modelSpecArg, setupData, thousands, type Io } from './common.js';
import { epochJson, formatEpochLine, ProgressReporter } from './progress.js';
import { DOWNLOAD_FLAGS, ensureData } from './data.js';

/** Options of `convnet train`. */
export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  epochs: { type: 'int', min: 0, metavar: 'N', help: 'total epochs to reach (default 10; with --resume, counting the epochs already done)' },
  lr: { type: 'float', min: 0, metavar: 'LR', help: "learning rate (default: the model's d2l rate with sgd, 0.1 for LeNet; 0.001 with adam)" },
  optimizer: { type: 'string', choices: ['sgd', 'adam'], metavar: 'sgd|adam', help: 'optimiser (default sgd, as in d2l)' },
  momentum: { type: 'float', min: 0, metavar: 'M', help: 'SGD momentum (default 0)' },
  'weight-decay': { type: 'float', min: 0, metavar: 'WD', help: 'L2 weight decay (default 0)' },
  'grad-clip': { type: 'float', min: 0, metavar: 'V', help: 'clip the global gradient norm to V (default off)' },
  ...DATA_FLAGS,
  ...DOWNLOAD_FLAGS,
  save: { type: 'string', metavar: 'FILE', help: 'write a safetensors checkpoint after every epoch' },
  resume: { type: 'string', metavar: 'FILE', help: 'continue from a checkpoint (weights, optimiser state, epoch, RNG)' },
  plot: { type: 'string', metavar: 'FILE.svg|png', help: 'write d2l-style loss/accuracy curves (SVG, or a plain PNG rendering) after every epoch' },
  json: { type: 'bool', help: 'print one JSON record per epoch on stdout (human output goes to stderr)' },
  quiet: { type: 'bool', help: 'no progress bar' },
};

/** Run `convnet train`; returns the process exit status. */
export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  const { positionals, flags } = parseArgs(argv, TRAIN_FLAGS);
  const f = new Flags(flags);
  const [name, spec] = modelSpecArg(positionals, 'train');
  const plot = f.str('plot');
  if (plot !== undefined && !/\.(svg|png)$/i.test(plot)) throw new UsageError(`option --plot: '${plot}' must be an .svg or .png file`);
  for (const k of ['save', 'plot']) checkWritableTarget(k, f.str(k));
  const optName = f.str('optimizer') ?? 'sgd';
  const lr = f.num('lr') ?? (optName === 'adam' ? 0.001 : spec.defaultLr);
  const maxEpochs = f.num('epochs') ?? 10;
  const json = f.bool('json');
  const info = json ? io.err : io.out;

  await ensureData(f, info);
  const data = setupData(f, spec);
  const model = buildModel(spec, data, lr);
  const optimizer = makeOptimizer(optName, model, lr, f);
  let startEpoch = 0;
  const resume = f.str('resume');
  if (resume !== undefined) {
    const ck = loadCheckpoint(resume, model, { optimizer });
    checkSavedModel(resume, ck.metadata.model, name);
    startEpoch = ck.epoch ?? 0;
    // Continue the shuffling sequence where the saved run stopped, so a resumed run repeats an uninterrupted one.
    if (ck.rngState !== null) setRngState(ck.rngState);
    restoreBoard(ck.metadata, model.board, resume);
    info.write(`resumed from ${resume} at epoch ${startEpoch}\n`);
  }
  const nParams = model.parameters().reduce((s, p) => s + p.numel(), 0);
  info.write(`training ${name} (${thousands(nParams)} parameters) on ${data.train.length} Fashion-MNIST images ` +
    `${data.resize[0]}x${data.resize[1]}, validating on ${data.val.length}; ${optName} lr ${lr}, batch ${data.batchSize}, epochs ${startEpoch + 1}..${maxEpochs}; backend ${getBackend().name}\n`);
  if (startEpoch >= maxEpochs) info.write(`nothing to do: the checkpoint is already at epoch ${startEpoch} (--epochs ${maxEpochs})\n`);

  const progress = f.bool('quiet') ? null : new ProgressReporter(io.err, maxEpochs);
  const trainer = new Trainer({
    maxEpochs, gradientClipVal: f.num('grad-clip') ?? 0,
    callbacks: {
      onBatchEnd: (b) => progress?.batch(b),
      onEpochEnd: (r: EpochRecord) => {
        progress?.endEpoch();
        if (json) io.out.write(JSON.stringify(epochJson(r, maxEpochs)) + '\n');
        else io.out.write(formatEpochLine(r, maxEpochs) + '\n');
        const save = f.str('save');
        // The plot's points ride along, so a resumed run's plot shows the epochs before it too.
        if (save !== undefined) {
          saveCheckpoint(save, model, { optimizer, epoch: r.epoch, metadata: { model: name, board: JSON.stringify(model.board.state()) } });
        }
        if (plot !== undefined) writeFileAtomic(plot, /\.png$/i.test(plot) ? boardToPng(model.board) : Buffer.from(model.board.toSvg(), 'utf8'));
      },
    },
  });
  trainer.fit(model, data, { optimizer, startEpoch });
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

/** Fail before training, not after the first epoch, when an output file's directory is missing or read-only, or the path is a directory. */
function checkWritableTarget(flag: string, file: string | undefined): void {
  if (file === undefined) return;
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`option --${flag}: cannot write '${file}': directory '${dir}' ${fs.existsSync(dir) ? 'is not writable' : 'does not exist'}`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`option --${flag}: '${file}' is a directory`);
}

function makeOptimizer(kind: string, model: Classifier, lr: number, f: Flags): SGD | Adam {
  const weightDecay = f.num('weight-decay') ?? 0;
  if (kind === 'adam') {
    if (f.has('momentum')) throw new UsageError('option --momentum applies to sgd only');
    return new Adam(model.parameters(), { lr, weightDecay });
  }
  return new SGD(model.parameters(), { lr, momentum: f.num('momentum') ?? 0, weightDecay });
}
