import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as init from '../../src/nn/init.js';
import { Linear } from '../../src/nn/linear.js';
import { Sequential } from '../../src/nn/container.js';
import { ReLU } from '../../src/nn/activation.js';
import type { Module } from '../../src/nn/module.js';
import { zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';

function stats(t: Tensor): { min: number; max: number; mean: number; variance: number } {
  let min = Infinity, max = -Infinity, s = 0, s2 = 0;
  for (const v of t.data) { min = Math.min(min, v); max = Math.max(max, v); s += v; s2 += v * v; }
  const n = t.numel(), mean = s / n;
  return { min, max, mean, variance: s2 / n - mean * mean };
}

test('xavierUniform_: bounds gain·√(6/(fanIn+fanOut)) and variance bound²/3', () => {
  manualSeed(20);
  const w = zeros(200, 300);
  init.xavierUniform_(w);
  const a = Math.sqrt(6 / 500);
  const s = stats(w);
  assert.ok(s.min >= -a && s.max <= a && s.max > 0.99 * a && s.min < -0.99 * a);
  assert.ok(Math.abs(s.variance - a * a / 3) < 0.03 * a * a / 3, `variance ${s.variance}`);
  assert.ok(Math.abs(s.mean) < 0.01 * a);
  init.xavierUniform_(w, 2);
  assert.ok(stats(w).max <= 2 * a && stats(w).max > 1.9 * a);
});

test('xavierNormal_ and kaiming initialisers have the documented spread', () => {
  manualSeed(21);
  const w = zeros(256, 64, 3, 3); // fanIn 576, fanOut 2304
  init.xavierNormal_(w);
  assert.ok(Math.abs(Math.sqrt(stats(w).variance) - Math.sqrt(2 / (576 + 2304))) < 0.01 * Math.sqrt(2 / 2880));
  init.kaimingNormal_(w, { nonlinearity: 'relu' });
  assert.ok(Math.abs(Math.sqrt(stats(w).variance) - Math.sqrt(2 / 576)) < 0.01 * Math.sqrt(2 / 576));
  init.kaimingNormal_(w, { nonlinearity: 'relu', mode: 'fan_out' });
  assert.ok(Math.abs(Math.sqrt(stats(w).variance) - Math.sqrt(2 / 2304)) < 0.01 * Math.sqrt(2 / 2304));
  init.kaimingUniform_(w, { nonlinearity: 'relu' });
  const b = Math.sqrt(6 / 576);
  const s = stats(w);
  assert.ok(s.max <= b && s.max > 0.99 * b && s.min >= -b);
  assert.throws(() => init.xavierUniform_(zeros(5)), /fewer than 2 dimensions \(shape \[5\]\)/);
});

test('defaultLayerInit_ gives U(±1/√fanIn) for weight and bias, as Linear uses', () => {
  manualSeed(22);
  const w = zeros(50, 400), bias = zeros(50);
  init.defaultLayerInit_(w, bias);
  const bound = 1 / Math.sqrt(400);
  const sw = stats(w), sb = stats(bias);
  assert.ok(sw.max <= bound && sw.min >= -bound && sw.max > 0.98 * bound);
  assert.ok(Math.abs(sw.variance - bound * bound / 3) < 0.05 * bound * bound / 3);
  assert.ok(sb.max <= bound && sb.min >= -bound && sb.max > 0);
  const l = new Linear(400, 50);
  assert.ok(stats(l.weight).max <= bound && stats(l.bias!).max <= bound);
});

test('init applied to layers with Module.apply (d2l init_cnn style)', () => {
  manualSeed(23);
  const net = new Sequential(new Linear(30, 20), new ReLU(), new Linear(20, 10));
  net.apply((m: Module) => {
    if (m instanceof Linear) { init.xavierUniform_(m.weight); init.zeros_(m.bias!); }
  });
  const first = net.at(0) as Linear, last = net.at(2) as Linear;
  assert.ok(stats(first.weight).max <= Math.sqrt(6 / 50) && stats(first.weight).max > 1 / Math.sqrt(30), "xavier bound exceeds the default U(±1/√30)");
  assert.ok(stats(last.weight).max <= Math.sqrt(6 / 30));
  assert.deepEqual([...first.bias!.data].every((v) => v === 0), true);
  // Initialisers work on parameters that require grad (under noGrad internally) and bump the version.
  const v = first.weight.version;
  init.normal_(first.weight, 0, 0.01);
  assert.ok(first.weight.version > v);
  assert.ok(Math.sqrt(stats(first.weight).variance) < 0.02);
});
