/**
 * convnet-ts checkpoints load in PyTorch: fixtures/interop/ours_*.safetensors were written by our
 * encoder (scripts/fixtures/gen_ours_checkpoints.mjs) and loaded into torch.nn models with
 * load_state_dict(strict=True) by scripts/fixtures/check_ours_in_torch.py, which recorded PyTorch's
 * logits. Here: our model loaded from the same file gives those logits, and our writer, given the
 * loaded state, reproduces the file byte for byte — so what PyTorch accepted is what we write today.
 * (PyTorch → convnet-ts is test/models/lenet-torch.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/checkpoint.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { SGD } from '../../src/optim/sgd.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { zeros } from '../../src/tensor/creation.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { INTEROP_MODELS } from './interop-models.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
interface TorchSide { logits: TensorJson; keys: string[]; dtypes: Record<string, string>; num_batches_tracked: Record<string, number> }
const torchSide = loadFixture<Record<string, TorchSide>>('interop/ours_in_torch.json');
const X = fromJson(loadFixture<{ X: TensorJson }>('lenet/lenet_torch.json').X);

for (const name of Object.keys(INTEROP_MODELS)) {
  test(`${name}: our checkpoint, loaded strictly by PyTorch, gives PyTorch's logits in ours too; our writer reproduces the file`, () => {
    const file = path.join(root, 'fixtures/interop', `ours_${name}.safetensors`);
    const bytes = readFileSync(file);
    const expected = torchSide[name]!;
    const { tensors } = decodeSafetensors(bytes, file);
    const modelKeys = [...tensors.keys()].filter((k) => !k.startsWith('__optimizer__.'));
    assert.deepEqual(modelKeys.sort(), [...expected.keys].sort(), 'the keys PyTorch loaded are exactly our model keys');
    for (const k of Object.keys(expected.dtypes)) assert.equal(tensors.get(k)!.dtype, 'I64', `${k} is ${expected.dtypes[k]} in PyTorch`);

    const m = INTEROP_MODELS[name]!();
    noGrad(() => m.call(zeros(2, 1, 28, 28))); // materialise lazy layers (as the PyTorch side does)
    const opt = new SGD(m.parameters(), { lr: 1 });
    const ck = decodeCheckpoint(bytes, m, { optimizer: opt, source: file });
    assert.equal(ck.epoch, 1);
    for (const [k, n] of Object.entries(expected.num_batches_tracked)) assert.equal(m.stateDict().get(k)!.item(), n, k);
    m.eval();
    assertClose(noGrad(() => m.call(X)), expected.logits, { atol: 1e-5, rtol: 1e-5, what: `${name} logits` });

    const again = encodeCheckpoint(m, { optimizer: opt, epoch: ck.epoch!, rngState: ck.rngState, metadata: { model: ck.metadata.model! } });
    assert.ok(Buffer.from(again).equals(bytes), 'encodeCheckpoint(loaded state) is byte-identical to the file PyTorch loaded');
  });
}
