import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeNet } from '../../src/models/lenet.js';
import { initCnn } from '../../src/train/init-cnn.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import { UninitializedParameter } from '../../src/nn/parameter.js';
import { loadFixture } from '../helpers/fixtures.js';

// d2l 7.6: model.layer_summary((1, 1, 28, 28)) as PyTorch printed it (scripts/fixtures/gen_lenet_summary.py).
const golden = loadFixture<{ classic: string; modern: string }>('lenet/layer_summary.json');
const SEED_TABLE = golden.classic.trimEnd().split('\n');

test('LeNet.layerSummary([1, 1, 28, 28]) prints the seed notebook table exactly', () => {
  const printed: string[] = [];
  const lines = new LeNet().layerSummary([1, 1, 28, 28], (l) => printed.push(l));
  assert.deepEqual(lines, SEED_TABLE);
  assert.deepEqual(printed, SEED_TABLE);
});

test('modern LeNet (7.6 exercise) summary uses ReLU and MaxPool2d', () => {
  const lines = new LeNet({ variant: 'modern' }).layerSummary([1, 1, 28, 28], () => {});
  assert.deepEqual(lines, golden.modern.trimEnd().split('\n'));
});

test('applyInit materialises the lazy layers and initCnn draws Xavier-uniform weights; state dict names are d2l/PyTorch', () => {
  manualSeed(0);
  const m = new LeNet();
  assert.ok(m.parameters().some((p) => p instanceof UninitializedParameter));
  m.applyInit([randn(2, 1, 28, 28)], initCnn);
  const sd = m.stateDict();
  assert.deepEqual([...sd].map(([k, v]) => `${k} [${v.shape.join(', ')}]`), [
    'net.0.weight [6, 1, 5, 5]', 'net.0.bias [6]', 'net.3.weight [16, 6, 5, 5]', 'net.3.bias [16]',
    'net.7.weight [120, 400]', 'net.7.bias [120]', 'net.9.weight [84, 120]', 'net.9.bias [84]',
    'net.11.weight [10, 84]', 'net.11.bias [10]',
  ]);
  assert.equal(m.parameters().reduce((s, p) => s + p.numel(), 0), 61706);
  // Xavier bound for net.7.weight: sqrt(6 / (400 + 120)) ≈ 0.1074, wider than PyTorch's default 1/sqrt(400) = 0.05.
  const w = sd.get('net.7.weight')!.data;
  let maxAbs = 0;
  for (const v of w) maxAbs = Math.max(maxAbs, Math.abs(v));
  assert.ok(maxAbs <= Math.sqrt(6 / 520) && maxAbs > 0.1, `max |w| ${maxAbs}`);
  const logits = m.call(randn(3, 1, 28, 28));
  assert.deepEqual(logits.shape, [3, 10]);
});

test('initCnn before materialisation is a clear error', () => {
  assert.throws(() => new LeNet().net.apply(initCnn), /has not seen an input yet/);
});

test('Classifier.accuracy and loss follow d2l (argmax vs label; mean cross-entropy)', () => {
  const m = new LeNet();
  const yHat = randn(4, 10);
  const y = yHat.argmax(1);
  y.data[3] = (y.data[3]! + 1) % 10;
  assert.equal(m.accuracy(yHat, y).item(), 0.75);
  assert.deepEqual(Array.from(m.accuracy(yHat, y, false).data), [1, 1, 1, 0]);
  assert.deepEqual(m.loss(yHat, y, false).shape, [4]);
  assert.ok(Math.abs(m.loss(yHat, y).item() - m.loss(yHat, y, false).mean().item()) < 1e-6);
});
