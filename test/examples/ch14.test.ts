/** d2l 14.10 (transposed convolution): examples/ch14/trans_conv prints exactly what the book's PyTorch cells print (fixtures/conv/trans_conv.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import * as F from '../../src/nn/functional.js';
import { assertClose, loadFixture } from '../helpers/fixtures.js';
import { main, transConv } from '../../examples/ch14/trans_conv.js';

const golden = loadFixture<Record<string, string>>('conv/trans_conv.json');

test('examples/ch14/trans_conv: every printed cell equals PyTorch\'s str(), and every book cell is printed', () => {
  manualSeed(0);
  const printed: string[] = [];
  const cells = main((s) => printed.push(s));
  assert.deepEqual(printed, Object.values(cells), 'main() prints each cell it returns, in order');
  assert.deepEqual(Object.keys(cells), Object.keys(golden));
  for (const [key, text] of Object.entries(cells)) assert.equal(text, golden[key], `cell '${key}'`);
});

test('the from-scratch transConv equals F.convTranspose2d on random inputs', () => {
  manualSeed(3);
  const X = randn([3, 4]), K = randn([2, 3]);
  assertClose(transConv(X, K), F.convTranspose2d(X.reshape(1, 1, 3, 4), K.reshape(1, 1, 2, 3)).reshape(4, 6), { atol: 1e-5 });
});
