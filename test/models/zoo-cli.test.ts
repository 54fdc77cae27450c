/**
 * `convnet summary <name>` and `convnet train <name> --resize N` work for every registered chapter 8
 * model at full width (the CLI's own code path: registry → Fashion-MNIST at N×N → applyInit(initCnn)
 * → d2l's Trainer). Inputs are the smallest each architecture accepts, and one SGD step on 8 images,
 * so this is a smoke test of the wiring; zoo-fullsize and learning check the numbers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { getBackend, selectBackend, setBackend } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { modelNames } from '../../src/models/registry.js';
import { summaryCommand } from '../../src/cli/summary.js';
import { trainCommand } from '../../src/cli/train.js';
import type { SummaryFixture } from './zoo-helpers.js';

const summaries = loadFixture<Record<string, SummaryFixture>>('models/summaries.json');
// AlexNet/NiN: a stride-4 11×11 conv and three 3×3/2 pools; ResNet/DenseNet: their last BatchNorm needs > 1 value per channel.
const sizes: Record<string, number> = { alexnet: 67, nin: 67, resnet18: 64, resnet34: 64, densenet: 64 };
// d2l only summarises the full-width VGGs (29–39 M parameters at 32×32); training them here would cost seconds each.
const summaryOnly = new Set(['vgg11', 'vgg16', 'vgg19']);
const ch08 = modelNames().filter((n) => !n.startsWith('lenet'));

let previous: Backend | null = null;
before(() => { previous = getBackend(); selectBackend('wasm'); }); // summary runs on the current backend
after(() => { setBackend(previous); });

function capture(run: (io: { out: { write(s: string): boolean }; err: { write(s: string): boolean } }) => number | Promise<number>): Promise<{ status: number; out: string }> {
  let out = '';
  const io = { out: { write: (s: string) => { out += s; return true; } }, err: { write: () => true } };
  return Promise.resolve(run(io)).then((status) => ({ status, out }));
}

describe('convnet summary / train for every chapter 8 model', () => {
  for (const name of ch08) {
    const s = sizes[name] ?? 32;
    const what = summaryOnly.has(name) ? '' : `, then one epoch of 8 images at --resize ${s}`;
    it(`${name}: summary on [1, 1, ${s}, ${s}]${what}`, async () => {
      const sum = await capture((io) => summaryCommand([name, '--input', `1,1,${s},${s}`], io));
      assert.equal(sum.status, 0);
      const lines = sum.out.trimEnd().split('\n');
      assert.match(lines[lines.length - 2]!, /^\w+ output shape:\t torch\.Size\(\[1, 10\]\)$/);
      // Parameter counts that do not depend on the resolution equal PyTorch's full-size ones.
      const f = summaries[name];
      if (f !== undefined && !/^(alexnet|vgg)/.test(name)) {
        assert.equal(lines[lines.length - 1], `Total parameters: ${f.num_params.toLocaleString('en-US')}`);
        assert.deepEqual(lines.slice(0, -1).map((l) => l.split(':')[0]), f.summary.map((l) => l.split(':')[0]), 'same layers as PyTorch');
      }
      if (summaryOnly.has(name)) return;
      const tr = await capture((io) => trainCommand([name, '--resize', String(s), '--limit-train', '8', '--limit-test', '8',
        '--batch-size', '8', '--epochs', '1', '--quiet', '--backend', 'wasm'], io));
      assert.equal(tr.status, 0);
      assert.match(tr.out, new RegExp(`^training ${name} \\([\\d,]+ parameters\\) on 8 Fashion-MNIST images ${s}x${s}`, 'm'));
      assert.match(tr.out, /^epoch 1\/1 {2}train loss \d+\.\d{4} {2}val loss \d+\.\d{4} {2}val acc \d\.\d{4}/m);
    });
  }
});
