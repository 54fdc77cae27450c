/**
 * Every registered chapter 8 model, at full width (the registry's own constructor, d2l's channel
 * counts), computes what PyTorch computes: eval and train logits and loss, gradients, BatchNorm
 * running statistics (fixtures/models/fullsize.json from scripts/fixtures/gen_models_full.py).
 * Their weights are too big to commit, so both sides fill them with the same hash pattern
 * (loadPatternWeights) and a checksum proves they did. The inputs are small (32–99 px), but up to
 * 39 M parameters are involved, so this file runs on the wasm backend.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture, fromJson, type TensorJson } from '../helpers/fixtures.js';
import { setBackend } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { createModel, modelNames } from '../../src/models/registry.js';
import { closeTo, countParams, loadPatternWeights, trainWithoutDropout } from './zoo-helpers.js';

interface FullFixture {
  state_keys: [string, number[]][];
  input: TensorJson; labels: TensorJson; checksum: number; num_params: number;
  logits_eval: TensorJson; loss_eval: number; logits_train: TensorJson; loss_train: number;
  grads: Record<string, TensorJson>; running_after: Record<string, TensorJson>;
}

const fx = loadFixture<Record<string, FullFixture>>('models/fullsize.json');

let wasm: WasmBackend | null = null;
let previous: Backend | null = null;
before(() => { wasm = new WasmBackend(); previous = setBackend(wasm); });
after(() => { setBackend(previous); wasm?.dispose(); });

const relClose = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `${what}: ${a} vs PyTorch ${b}`);

describe('registered ch08 models at full width reproduce PyTorch (pattern weights, 1e-4 relative)', () => {
  it('the fixture covers every registered model except LeNet (fixtures/lenet)', () => {
    assert.deepEqual(Object.keys(fx).sort(), modelNames().filter((n) => !n.startsWith('lenet')).sort());
  });

  for (const [name, f] of Object.entries(fx)) {
    it(`${name} on [${f.input.shape.join(', ')}]: eval and train logits, loss, gradients`, () => {
      const model = createModel(name);
      const X = fromJson(f.input), y = fromJson(f.labels);
      // Loaded into the still-lazy layers (as PyTorch can): no default init of up to 39 M weights first.
      const sum = loadPatternWeights(model, f.state_keys);
      assert.ok(Math.abs(sum - f.checksum) <= 1e-9 * Math.max(1, Math.abs(f.checksum)), `weights checksum ${sum} vs ${f.checksum}`);
      assert.equal(countParams(model), f.num_params, 'parameter count');

      model.eval();
      const logitsEval = noGrad(() => model.call(X));
      closeTo(logitsEval, f.logits_eval, 'eval logits');
      relClose(noGrad(() => model.loss(logitsEval, y)).item(), f.loss_eval, 'eval loss');

      trainWithoutDropout(model);
      const logits = model.call(X);
      const loss = model.loss(logits, y);
      closeTo(logits, f.logits_train, 'train logits');
      relClose(loss.item(), f.loss_train, 'train loss');
      loss.backward();
      const params = new Map(model.namedParameters());
      for (const [k, g] of Object.entries(f.grads)) closeTo(params.get(k)!.grad!, g, `grad of ${k}`);
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(f.running_after)) closeTo(sd.get(k)!, v, `${k} after the train step`);
    });
  }
});
