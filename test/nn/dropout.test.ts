import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout } from '../../src/nn/dropout.js';
import { dropout } from '../../src/tensor/ops/nn-dropout.js';
import { ones, randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';

test('Dropout zeroes about p of the elements and scales survivors by 1/(1-p)', () => {
  manualSeed(13);
  const x = ones(100, 100);
  const y = new Dropout(0.3).call(x);
  let zeros = 0;
  for (const v of y.data) {
    if (v === 0) zeros++;
    else assert.ok(Math.abs(v - 1 / 0.7) < 1e-6);
  }
  assert.ok(Math.abs(zeros / 10000 - 0.3) < 0.02, `dropped fraction ${zeros / 10000}`);
});

test('Dropout is the identity in eval mode and for p = 0; p = 1 zeroes everything', () => {
  const x = randn(4, 5);
  const d = new Dropout(0.5);
  d.eval();
  assert.equal(d.call(x), x);
  assert.equal(dropout(x, 0), x);
  assert.ok([...dropout(x, 1).data].every((v) => v === 0));
  assert.equal(d.toString(), 'Dropout(p=0.5, inplace=False)');
});

test('Dropout is repeatable under manualSeed and its gradient uses the same mask', () => {
  manualSeed(14);
  const x = randn(6, 6).requiresGrad_();
  manualSeed(99);
  const a = dropout(x, 0.5);
  manualSeed(99);
  const b = dropout(x, 0.5);
  assert.deepEqual([...a.data], [...b.data]);
  a.sum().backward();
  for (let i = 0; i < 36; i++) assert.equal(x.grad!.data[i], a.data[i] === 0 ? 0 : 2);
});

test('Dropout rejects p outside [0, 1]', () => {
  assert.throws(() => new Dropout(1.5), /probability has to be between 0 and 1, but got 1.5/);
  assert.throws(() => dropout(randn(2), -0.1), /dropout: probability/);
});

test('dropout gradient passes gradcheck with a fixed mask (reseeded per call)', () => {
  manualSeed(15);
  const x = randn(4, 5).requiresGrad_();
  gradcheck((a) => { manualSeed(123); return dropout(a, 0.4); }, [x]);
});
