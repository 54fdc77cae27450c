/** Optimiser trajectories against torch.optim (fixtures/nn/optim.json from scripts/fixtures/gen_nn.py). */
import { test } from 'node:test';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { Parameter } from '../../src/nn/parameter.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

interface OptimFixture {
  A: TensorJson; B: TensorJson; w0: TensorJson; v0: TensorJson;
  cases: { name: string; optimizer: 'SGD' | 'Adam' | 'AdamW'; options: Record<string, unknown>; trajectory: { w: TensorJson; v: TensorJson }[] }[];
}

const fx = loadFixture<OptimFixture>('nn/optim.json');

for (const c of fx.cases) {
  test(`${c.name}: 5-step trajectory matches torch.optim`, () => {
    const w = new Parameter(fromJson(fx.w0)), v = new Parameter(fromJson(fx.v0));
    const A = fromJson(fx.A), B = fromJson(fx.B);
    const params = [w, v];
    const opt: Optimizer<object> = c.optimizer === 'SGD' ? new SGD(params, c.options as { lr: number })
      : c.optimizer === 'Adam' ? new Adam(params, c.options) : new AdamW(params, c.options);
    c.trajectory.forEach((want, step) => {
      opt.zeroGrad();
      const loss = A.mul(w).mul(w).sum().mul(0.5).add(B.mul(w).sum()).add(v.mul(v).sum().mul(0.5));
      loss.backward();
      opt.step();
      assertClose(w, want.w, { what: `w after step ${step + 1}`, atol: 1e-5 });
      assertClose(v, want.v, { what: `v after step ${step + 1}`, atol: 1e-5 });
    });
  });
}
