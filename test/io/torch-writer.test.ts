/**
 * encodeTorch / saveTorch: our torch.save files load in PyTorch. fixtures/interop/ours_*.pt were
 * written by encodeTorch (scripts/fixtures/gen_ours_torch.mjs) from the weights of
 * ours_*.safetensors and loaded by scripts/fixtures/check_ours_pt_in_torch.py with
 * torch.load(weights_only=True) + load_state_dict(strict=True), which recorded PyTorch's logits.
 * Here: encodeTorch still writes those bytes, and they read back (through our reader) to the same
 * state dict and PyTorch's logits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCheckpoint } from '../../src/io/checkpoint.js';
import { encodeTorch } from '../../src/io/torch-writer.js';
import { decodeTorch } from '../../src/io/torch.js';
import { readZipDirectory } from '../../src/io/zip.js';
import { loadTorch, saveTorch } from '../../src/io/torch-file.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { INTEROP_MODELS } from './interop-models.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const torchSide = loadFixture<Record<string, { keys: string[]; dtypes: Record<string, string>; logits: TensorJson }>>('interop/ours_pt_in_torch.json');
const X = fromJson(loadFixture<{ X: TensorJson }>('lenet/lenet_torch.json').X);

for (const name of Object.keys(INTEROP_MODELS)) {
  test(`${name}: encodeTorch writes the file torch.load(weights_only=True) loaded strictly; it reads back to PyTorch's logits`, () => {
    const m = INTEROP_MODELS[name]!();
    noGrad(() => m.call(zeros([2, 1, 28, 28])));
    decodeCheckpoint(readFileSync(path.join(root, `fixtures/interop/ours_${name}.safetensors`)), m);
    const file = readFileSync(path.join(root, `fixtures/interop/ours_${name}.pt`));
    const bytes = encodeTorch(m);
    assert.ok(Buffer.from(bytes).equals(file), 'encodeTorch today writes the bytes PyTorch loaded');
    const entries = readZipDirectory(bytes, name);
    assert.deepEqual(entries.map((e) => e.name).filter((n) => !n.includes('/data/')), ['archive/data.pkl', 'archive/version']);
    for (const e of entries) assert.equal(e.dataOffset % 64, 0, `${e.name} data is 64-byte aligned, as torch.save aligns it`);
    const expected = torchSide[name]!;
    const sd = decodeTorch(bytes);
    assert.deepEqual([...sd.keys()], expected.keys);
    for (const [k, t] of m.stateDict()) {
      assert.deepEqual([...sd.get(k)!.data], [...t.data], k);
      assert.equal(expected.dtypes[k], t.dtype === 'int32' ? 'torch.int64' : 'torch.float32', k);
    }
    const fresh = INTEROP_MODELS[name]!();
    fresh.loadStateDict(sd);
    fresh.eval();
    assertClose(noGrad(() => fresh.call(X)), expected.logits, { atol: 1e-5, rtol: 1e-5, what: `${name} logits` });
  });
}

test('saveTorch writes atomically and round-trips every dtype and shape it stores (0-d, empty, bool, int32 as int64)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'convnet-pt-'));
  try {
    const sd = new Map<string, Tensor>([
      ['w', tensor([[1.5, -2], [3, 4.25]])], ['scalar', tensor(7.5)], ['empty', zeros([0, 3])],
      ['n', new Tensor(Int32Array.from([-3, 2147483647]), [2], 'int32')], ['mask', tensor([1, 0, 1]).bool()],
    ]);
    const p = path.join(dir, 'sd.pt');
    saveTorch(p, sd);
    const back = loadTorch(p);
    assert.deepEqual([...back.keys()], [...sd.keys()]);
    for (const [k, t] of sd) {
      assert.deepEqual([...back.get(k)!.shape], [...t.shape], k);
      assert.equal(back.get(k)!.dtype, t.dtype, k);
      assert.deepEqual([...back.get(k)!.data], [...t.data], k);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
