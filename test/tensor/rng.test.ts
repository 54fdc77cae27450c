import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, getRngState, setRngState, randperm, uniform, normalSample } from '../../src/tensor/rng.js';
import { rand, randn, randint } from '../../src/index.js';

test('getRngState/setRngState resume the exact sequence (checkpoints), including the cached normal', () => {
  manualSeed(3);
  normalSample();  // leaves a Box–Muller spare cached
  const st = getRngState();
  const a = [normalSample(), uniform(), normalSample()];
  setRngState(st);
  assert.deepEqual([normalSample(), uniform(), normalSample()], a);
  assert.throws(() => setRngState([1, 2]), /setRngState: expected 5 numbers, got 2/);
});

test('randperm is a permutation and depends on the seed', () => {
  manualSeed(0);
  const p = Array.from(randperm(50));
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  manualSeed(1);
  assert.notDeepEqual(Array.from(randperm(50)), p);
});

test('distributions: ranges and moments (seeded, so deterministic)', () => {
  manualSeed(123);
  const u = rand(20000);
  assert.ok(u.min().item() >= 0 && u.max().item() < 1);
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
  const z = randn(20000);
  assert.ok(Math.abs(z.mean().item()) < 0.03);
  assert.ok(Math.abs(z.std().item() - 1) < 0.03);
  const r = randint(-2, 3, [5000]);
  assert.equal(r.dtype, 'int32');
  assert.equal(r.min().item(), -2);
  assert.equal(r.max().item(), 2);
});
