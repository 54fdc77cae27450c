import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochJson, formatEpochLine, ProgressReporter } from '../../src/cli/progress.js';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import type { BatchInfo, EpochRecord } from '../../src/train/trainer.js';

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

test('parseArgs: --flag value, --flag=value, booleans, shapes; errors name the flag', () => {
  const specs = { epochs: { type: 'int', min: 0, help: '' }, lr: { type: 'float', help: '' }, json: { type: 'bool', help: '' }, input: { type: 'shape', help: '' } } as const;
  const r = parseArgs(['lenet', '--epochs', '3', '--lr=0.05', '--json', '--input', '1,1,28,28'], specs);
  assert.deepEqual(r.positionals, ['lenet']);
  assert.deepEqual([...r.flags], [['epochs', 3], ['lr', 0.05], ['json', true], ['input', [1, 1, 28, 28]]]);
  assert.throws(() => parseArgs(['--epochs'], specs), (e: Error) => e instanceof UsageError && /--epochs needs a value/.test(e.message));
  assert.throws(() => parseArgs(['--epochs', '1.5'], specs), /'1\.5' is not an integer/);
  assert.throws(() => parseArgs(['--epochs', '-1'], specs), /not an integer >= 0/);
  assert.throws(() => parseArgs(['--json=1'], specs), /--json takes no value/);
  assert.throws(() => parseArgs(['-x'], specs), /unknown option '-x'/);
  assert.throws(() => parseArgs(['--lr', 'NaN'], specs), /'NaN' is not a number/);
});
