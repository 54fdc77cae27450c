import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeNet } from '../../src/models/lenet.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { randn } from '../../src/tensor/creation.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

interface LeNetFixture {
  variant: 'classic' | 'modern'; keys: [string, number[]][]; num_params: number;
  X: TensorJson; y: TensorJson; logits: TensorJson; loss: number; grads: Record<string, TensorJson>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

for (const [suffix, variant] of [['', 'classic'], ['_modern', 'modern']] as const) {
  const fx = loadFixture<LeNetFixture>(`lenet/lenet${suffix}_torch.json`);
  const weights = path.join(root, 'fixtures', 'lenet', `lenet${suffix}_torch.safetensors`);

  for (const materialiseFirst of [true, false]) {
    test(`${variant} LeNet with PyTorch's weights (${materialiseFirst ? 'after a dummy forward' : 'loaded into lazy layers'}) gives PyTorch's logits, loss and gradients`, () => {
      const m = new LeNet({ variant });
      if (materialiseFirst) m.applyInit([randn(1, 1, 28, 28)]);
      const ck = loadCheckpoint(weights, m);
      assert.equal(ck.epoch, null, 'a plain PyTorch state_dict has no epoch');
      assert.deepEqual([...m.stateDict()].map(([k, v]) => [k, v.shape.slice()]), fx.keys);
      assert.equal(m.parameters().reduce((s, p) => s + p.numel(), 0), fx.num_params);
      const logits = m.call(fromJson(fx.X));
      assertClose(logits, fx.logits, { atol: 1e-5, rtol: 1e-4, what: 'logits' });
      const loss = m.loss(logits, fromJson(fx.y));
      assert.ok(Math.abs(loss.item() - fx.loss) <= 1e-4 * Math.abs(fx.loss), `loss ${loss.item()} vs ${fx.loss}`);
      loss.backward();
      const params = new Map(m.namedParameters());
      for (const [name, g] of Object.entries(fx.grads)) {
        assertClose(params.get(name)!.grad!, g, { atol: 1e-6, rtol: 1e-3, what: `grad ${name}` });
      }
    });
  }
}
