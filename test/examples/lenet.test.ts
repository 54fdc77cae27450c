/** examples/ch07/lenet.ts: d2l 7.6's cells print what PyTorch printed (fixtures/lenet/layer_summary.json) and train. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../examples/ch07/lenet.js';
import { loadFixture } from '../helpers/fixtures.js';

const golden = loadFixture<{ classic: string; modern: string }>('lenet/layer_summary.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'convnet-lenet-ex-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

for (const variant of ['classic', 'modern'] as const) {
  test(`lenet example (${variant}): layer_summary output equals PyTorch's print() byte for byte; one epoch trains and plots`, () => {
    const printed: string[] = [];
    const svg = path.join(tmp, `${variant}.svg`);
    const { summary, history } = main({ epochs: 1, limitTrain: 256, limitTest: 128, variant, plot: svg }, (s) => printed.push(s));
    assert.equal(summary.map((l) => `${l}\n`).join(''), golden[variant]);
    assert.equal(printed.slice(0, 12).map((l) => `${l}\n`).join(''), golden[variant], 'printed, not just returned');
    assert.equal(history.length, 1);
    assert.equal(history[0]!.trainExamples, 256);
    assert.match(printed[12]!, /^epoch 1: train loss \d+\.\d{4}, val loss \d+\.\d{4}, val acc 0\.\d{4}, \d+ img\/s$/);
    assert.ok(Number.isFinite(history[0]!.trainLoss) && history[0]!.val.acc! >= 0);
    assert.equal(printed[13], `curves written to ${svg}`);
    const doc = readFileSync(svg, 'utf8');
    for (const label of ['train_loss', 'val_loss', 'val_acc']) assert.ok(doc.includes(`data-label="${label}"`), label);
  });
}
