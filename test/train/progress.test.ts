import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochJson, formatEpochLine, ProgressReporter } from '../../src/train/progress.js';
import type { BatchInfo, EpochRecord, ValBatchInfo } from '../../src/train/trainer.js';

const batch = (b: number, n: number): BatchInfo => ({ epoch: 1, batch: b, numBatches: n, loss: 1, runningLoss: 1.5, examples: 64 * b, seconds: b * 0.5 });
const rec: EpochRecord = { epoch: 2, trainLoss: 0.51234, val: { loss: 0.6, acc: 0.789 }, trainExamples: 60000, trainSeconds: 30, seconds: 33.3, imagesPerSec: 2000 };

test('ProgressReporter: a live bar redrawn in place on a TTY, cleared at epoch end', () => {
  const out: string[] = [];
  const p = new ProgressReporter({ isTTY: true, write: (s: string) => out.push(s) }, 10);
  p.batch(batch(1, 4));
  p.batch(batch(4, 4));
  p.endEpoch();
  assert.ok(out[0]!.startsWith('\r\x1b[Kepoch 1/10 ['));
  assert.match(out[0]!, /\] 1\/4  loss 1\.5000  128 img\/s$/);
  assert.match(out[1]!, /\[#{24}\] 4\/4/, 'the last batch is always drawn');
  assert.equal(out.at(-1), '\r\x1b[K');
  assert.ok(out.every((s) => !s.includes('\n')));
});

test('ProgressReporter: plain lines at each quarter when not a TTY', () => {
  const out: string[] = [];
  const p = new ProgressReporter({ isTTY: false, write: (s: string) => out.push(s) }, 3);
  for (let b = 1; b <= 8; b++) p.batch(batch(b, 8));
  assert.deepEqual(out.map((s) => s.split('  ')[0]), ['epoch 1/3: batch 2/8', 'epoch 1/3: batch 4/8', 'epoch 1/3: batch 6/8']);
  assert.ok(out.every((s) => s.endsWith('\n') && !s.includes('\r')));
});

test('epoch line and JSON record', () => {
  assert.equal(formatEpochLine(rec, 10), 'epoch 2/10  train loss 0.5123  val loss 0.6000  val acc 0.7890  33.3s  2000 img/s');
  assert.deepEqual(epochJson(rec, 10), {
    epoch: 2, epochs: 10, train_loss: 0.51234, val_loss: 0.6, val_acc: 0.789, train_examples: 60000, seconds: 33.3, train_seconds: 30, images_per_sec: 2000,
  });
});

test('ProgressReporter: validation gets its own bar on a TTY (so a long validation never looks frozen)', () => {
  const out: string[] = [];
  const p = new ProgressReporter({ isTTY: true, write: (s: string) => out.push(s) }, 10);
  p.batch(batch(4, 4));
  const v = (b: number, n: number, seconds: number): ValBatchInfo => ({ epoch: 1, batch: b, numBatches: n, examples: 100 * b, seconds });
  p.valBatch(v(1, 79, 0.5));
  p.valBatch(v(79, 79, 30));
  p.endEpoch();
  assert.match(out[1]!, /^\r\x1b\[Kepoch 1\/10 validating \[\.{24}\] 1\/79  200 img\/s$/);
  assert.match(out[2]!, /^\r\x1b\[Kepoch 1\/10 validating \[#{24}\] 79\/79  263 img\/s$/);
  // A standalone evaluation (epoch 0) says so.
  const ev: string[] = [];
  new ProgressReporter({ isTTY: true, write: (s: string) => ev.push(s) }, 1).valBatch({ epoch: 0, batch: 1, numBatches: 2, examples: 64, seconds: 1 });
  assert.match(ev[0]!, /evaluating \[/);
});

test('ProgressReporter: in a log, validation quarters are printed only once validation has run for 2 s', () => {
  const out: string[] = [];
  const p = new ProgressReporter({ isTTY: false, write: (s: string) => out.push(s) }, 3);
  for (let b = 1; b <= 8; b++) p.valBatch({ epoch: 2, batch: b, numBatches: 8, examples: 128 * b, seconds: b * 0.1 });
  assert.equal(out.length, 0, "a quick validation (0.8 s) prints nothing");
  for (let b = 1; b <= 8; b++) p.valBatch({ epoch: 2, batch: b, numBatches: 8, examples: 128 * b, seconds: b * 1.0 });
  assert.deepEqual(out.map((s) => s.split('  ')[0]), ['epoch 2/3: validating 2/8', 'epoch 2/3: validating 4/8', 'epoch 2/3: validating 6/8']);
});
