import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequential } from '../../src/nn/container.js';
import { Linear, LazyLinear } from '../../src/nn/linear.js';
import { ReLU } from '../../src/nn/activation.js';
import { Parameter } from '../../src/nn/parameter.js';
import { manualSeed, uniform } from '../../src/tensor/rng.js';
import { DataLoader, TensorDataset } from '../../src/data/dataloader.js';
import { Classifier, DataModule, Trainer, NonFiniteLossError, type BatchInfo, type EpochRecord } from '../../src/train/index.js';
import type { StepMetrics } from '../../src/train/types.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { SGD } from '../../src/optim/sgd.js';

/** Three separable blobs in 2-D; labels 0..2. */
function blobs(n: number): TensorDataset {
  const X = new Float32Array(n * 2), y = new Int32Array(n);
  const centres = [[2, 0], [-1, 1.7], [-1, -1.7]];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    X[2 * i] = centres[c]![0]! + (uniform() - 0.5);
    X[2 * i + 1] = centres[c]![1]! + (uniform() - 0.5);
    y[i] = c;
  }
  return new TensorDataset(X, y, [2]);
}

class Blobs extends DataModule {
  readonly train = blobs(240);
  readonly val = blobs(90);
  getDataloader(train: boolean): DataLoader {
    return new DataLoader(train ? this.train : this.val, { batchSize: 32, shuffle: train });
  }
}

class Mlp extends Classifier {
  constructor(lr = 0.5) {
    super({ lr });
    this.net = new Sequential(new LazyLinear(16), new ReLU(), new Linear(16, 3));
  }
}

test('Trainer.fit: loss falls, validation accuracy rises, one record per epoch with d2l plot points', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp();
  model.applyInit([data.train.batch([0, 1])[0]]);
  const batches: BatchInfo[] = [], epochs: EpochRecord[] = [];
  const trainer = new Trainer({ maxEpochs: 3, callbacks: { onBatchEnd: (b) => batches.push(b), onEpochEnd: (r) => epochs.push(r) } });
  const hist = trainer.fit(model, data);
  assert.equal(hist.length, 3);
  assert.deepEqual(epochs, hist);
  assert.deepEqual(hist.map((r) => r.epoch), [1, 2, 3]);
  assert.equal(batches.length, 3 * 8);
  assert.deepEqual(batches.slice(0, 8).map((b) => b.batch), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(hist[0]!.trainExamples, 240);
  assert.ok(hist[2]!.trainLoss < hist[0]!.trainLoss * 0.5, `train loss ${hist.map((r) => r.trainLoss)}`);
  assert.ok(hist[2]!.val.acc! > 0.95, `val acc ${hist[2]!.val.acc}`);
  assert.ok(hist[2]!.val.loss! < hist[0]!.val.loss!);
  assert.ok(hist.every((r) => r.imagesPerSec > 0 && r.seconds >= r.trainSeconds));
  // d2l's plot: train loss averaged per half epoch at x = batch index / batches (read before the index advances), validation once per epoch at epoch + 1.
  assert.deepEqual(model.board.data.get('train_loss')!.map((p) => p.x), [0.1875, 0.6875, 1.1875, 1.6875, 2.1875, 2.6875]);
  assert.deepEqual(model.board.data.get('val_acc')!.map((p) => p.x), [1, 2, 3]);
  assert.deepEqual(model.board.xlim, [0, 3]);
  assert.equal(model.trainer, trainer);
  assert.equal(model.training, true);
});

test('Trainer stops with an error naming epoch and batch when the loss is not finite', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp();
  model.applyInit([data.train.batch([0])[0]]);
  const b = model.parameters().at(-1) as Parameter;
  b.data[0] = Number.NaN;
  const trainer = new Trainer({ maxEpochs: 2 });
  assert.throws(() => trainer.fit(model, data), (e: unknown) => {
    assert.ok(e instanceof NonFiniteLossError);
    assert.match(e.message, /training loss became NaN at epoch 1, batch 1 of 8/);
    return true;
  });
});

test('Trainer stops with an error naming epoch and validation batch when the validation loss is not finite', () => {
  // Finite training losses, then parameters that give NaN: what a last optimiser step can leave
  // behind in the last epoch, where no later training loss would catch it.
  class NanValidation extends Mlp {
    override validationStep(batch: Tensor[]): StepMetrics {
      const m = super.validationStep(batch);
      return this.trainer!.valBatchIdx >= 2 ? { ...m, loss: Number.NaN } : m;
    }
  }
  manualSeed(0);
  const data = new Blobs();
  const model = new NanValidation();
  model.applyInit([data.train.batch([0])[0]]);
  const records: EpochRecord[] = [];
  const trainer = new Trainer({ maxEpochs: 1, callbacks: { onEpochEnd: (r) => records.push(r) } });
  assert.throws(() => trainer.fit(model, data), (e: unknown) => {
    assert.ok(e instanceof NonFiniteLossError);
    assert.equal(e.phase, 'validation');
    assert.match(e.message, /validation loss became NaN at epoch 1, validation batch 3 of \d+/);
    return true;
  });
  assert.equal(records.length, 0, 'no epoch record with a NaN validation loss');
});

test('Trainer: gradientClipVal rescales the global gradient norm; resume continues the epoch count', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp(0.1);
  model.applyInit([data.train.batch([0])[0]]);
  const [X, y] = data.train.batch([0, 1, 2, 3]);
  model.loss(model.call(X), y).mul(1000).backward();
  const trainer = new Trainer({ maxEpochs: 1, gradientClipVal: 0.5 });
  const before = trainer.clipGradients(0.5, model);
  assert.ok(before > 0.5);
  let sq = 0;
  for (const p of model.parameters()) for (const v of p.grad!.data) sq += v * v;
  assert.ok(Math.abs(Math.sqrt(sq) - 0.5) < 1e-4, `norm after clipping ${Math.sqrt(sq)}`);

  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const t2 = new Trainer({ maxEpochs: 3 });
  const hist = t2.fit(model, data, { optimizer, startEpoch: 2 });
  assert.deepEqual(hist.map((r) => r.epoch), [3]);
  assert.equal(t2.optim, optimizer);
  assert.throws(() => new Trainer({ maxEpochs: -1 }), /Trainer: maxEpochs must be an integer >= 0, got a number \(-1\)/);
  assert.throws(() => new Trainer({ maxEpoch: 3 } as never), /Trainer: unknown option 'maxEpoch' \(did you mean 'maxEpochs'\?\)/);
  assert.throws(() => new Trainer({ maxEpochs: 3, verbose: 'yes' } as never), /Trainer: verbose must be true or false/);
  assert.equal(new Trainer(4).maxEpochs, 4, "d2l's positional Trainer(max_epochs)");
});

/** Run `fn` with console.log/warn captured. */
function captureConsole<T>(fn: () => T): { value: T; log: string[]; warn: string[] } {
  const log: string[] = [], warn: string[] = [];
  const saved = { log: console.log, warn: console.warn };
  console.log = (...a: unknown[]) => { log.push(a.join(' ')); };
  console.warn = (...a: unknown[]) => { warn.push(a.join(' ')); };
  try {
    return { value: fn(), log, warn };
  } finally {
    console.log = saved.log;
    console.warn = saved.warn;
  }
}

test('Trainer prints an epoch line per epoch like d2l shows progress; verbose: false is silent', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp();
  model.applyInit([data.train.batch([0, 1])[0]]);
  const loud = captureConsole(() => new Trainer({ maxEpochs: 2 }).fit(model, data));
  assert.equal(loud.log.length, 2, loud.log.join('\n'));
  loud.log.forEach((l, i) => assert.match(l, new RegExp(`^epoch ${i + 1}/2  train loss \\d\\.\\d{4}  val loss \\d\\.\\d{4}  val acc \\d\\.\\d{4}  \\d+\\.\\ds  \\d+ img/s$`)));
  const quiet = captureConsole(() => new Trainer({ maxEpochs: 2, verbose: false }).fit(model, data));
  assert.deepEqual([quiet.log, quiet.warn], [[], []]);
});

test('CONVNET_MAX_BATCHES caps every epoch (training and validation) and says so', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp();
  model.applyInit([data.train.batch([0, 1])[0]]);
  const batches: BatchInfo[] = [], val: number[] = [];
  process.env.CONVNET_MAX_BATCHES = '2';
  try {
    const r = captureConsole(() => new Trainer({
      maxEpochs: 2, verbose: false, callbacks: { onBatchEnd: (b) => batches.push(b), onValBatchEnd: (v) => val.push(v.batch) },
    }).fit(model, data));
    assert.deepEqual(batches.map((b) => `${b.epoch}:${b.batch}/${b.numBatches}`), ['1:1/2', '1:2/2', '2:1/2', '2:2/2']);
    assert.deepEqual(val, [1, 2, 1, 2]);
    assert.deepEqual(r.value.map((e) => e.trainExamples), [64, 64]);
    assert.equal(r.warn.length, 1);
    assert.match(r.warn[0]!, /^Trainer: CONVNET_MAX_BATCHES=2: each epoch runs 2 of 8 training and 2 of 3 validation batches \(a quick run, not a real result\)$/);
    process.env.CONVNET_MAX_BATCHES = 'lots';
    assert.throws(() => new Trainer({ maxEpochs: 1, verbose: false }).fit(model, data), /CONVNET_MAX_BATCHES=lots: expected a positive integer/);
  } finally {
    delete process.env.CONVNET_MAX_BATCHES;
  }
});

test('on a terminal the verbose Trainer draws live training and validation bars on stderr', () => {
  manualSeed(0);
  const data = new Blobs();
  const model = new Mlp();
  model.applyInit([data.train.batch([0, 1])[0]]);
  const err = process.stderr as unknown as { isTTY?: boolean; write: (s: string) => boolean };
  const saved = { isTTY: err.isTTY, write: err.write };
  const drawn: string[] = [];
  err.isTTY = true;
  err.write = (s: string) => { drawn.push(s); return true; };
  let r: ReturnType<typeof captureConsole>;
  try {
    r = captureConsole(() => new Trainer({ maxEpochs: 1 }).fit(model, data));
  } finally {
    err.isTTY = saved.isTTY;
    err.write = saved.write;
  }
  assert.ok(drawn.some((s) => /^\r\x1b\[Kepoch 1\/1 \[#{24}\] 8\/8  loss /.test(s)), 'training bar');
  assert.ok(drawn.some((s) => /^\r\x1b\[Kepoch 1\/1 validating \[#{24}\] 3\/3 /.test(s)), 'validation bar');
  assert.equal(drawn.at(-1), '\r\x1b[K', 'the bar is cleared before the epoch line');
  assert.equal(r.log.length, 1);
});
