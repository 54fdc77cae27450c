/**
 * loadTorch / decodeTorch: torch.save files written by PyTorch 1.13 (fixtures/torch/, made by
 * scripts/fixtures/gen_torch_files.py, which also records what torch.load(weights_only=True) does
 * with each file). d2l's LeNet and ResNet-18 load and give PyTorch's logits; every format feature
 * reads back torch's values; every bad file — legacy, hostile, truncated, corrupt, huge — is a
 * FormatError naming the file and the byte, in bounded time and memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTorch, decodeTorchObject } from '../../src/io/torch.js';
import { loadTorch } from '../../src/io/torch-file.js';
import { FormatError } from '../../src/io/format-error.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { LeNet } from '../../src/models/lenet.js';
import { ResNet18 } from '../../src/models/resnet.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (f: string): string => path.join(root, 'fixtures/torch', f);

interface Case { file: string; expect: string; key?: string; values?: Record<string, TensorJson>; storages?: number; torch: { loads: boolean; error?: string } }
const manifest = loadFixture<Record<string, Case>>('torch/manifest.json');

test('d2l LeNet: torch.save(net.state_dict()) loads into our lazy LeNet and gives PyTorch\'s logits (≤ 1e-5)', () => {
  const fx = loadFixture<{ X: TensorJson; logits: TensorJson; keys: string[]; shapes: Record<string, number[]> }>('torch/lenet.json');
  const sd = loadTorch(fixture('lenet.pt'));
  assert.deepEqual([...sd.keys()], fx.keys, 'keys in torch\'s order');
  for (const [k, t] of sd) assert.deepEqual([...t.shape], fx.shapes[k], k);
  const net = new LeNet();
  net.loadStateDict(sd); // strict: every key, no extras
  net.eval();
  assertClose(noGrad(() => net.call(fromJson(fx.X))), fx.logits, { atol: 1e-5, rtol: 1e-5, what: 'LeNet logits' });
  // The same bytes through the universal decoder give the same tensors.
  const again = decodeTorch(readFileSync(fixture('lenet.pt')));
  for (const [k, t] of sd) assert.deepEqual([...again.get(k)!.data], [...t.data], k);
});

test('d2l ResNet-18: a 45 MB torch.save state dict loads (BatchNorm buffers, int64 num_batches_tracked) and gives PyTorch\'s eval logits (≤ 1e-5)', () => {
  const fx = loadFixture<{ X: TensorJson; logits: TensorJson; pt_bytes: number; keys: string[] }>('torch/resnet18.json');
  const bytes = gunzipSync(readFileSync(fixture('resnet18.pt.gz')));
  assert.equal(bytes.length, fx.pt_bytes);
  const sd = decodeTorch(bytes, { source: 'resnet18.pt' });
  assert.deepEqual([...sd.keys()], fx.keys);
  const nbt = sd.get('net.0.1.num_batches_tracked')!;
  assert.equal(nbt.dtype, 'int32');
  assert.equal(nbt.item(), 7);
  const net = new ResNet18();
  net.loadStateDict(sd);
  net.eval();
  assertClose(noGrad(() => net.call(fromJson(fx.X))), fx.logits, { atol: 1e-5, rtol: 1e-5, what: 'ResNet-18 logits' });
});

/** A fixture's values as our loader must give them: floats as float32, integers as int32, bools as bool. */
function assertValues(t: Tensor, want: TensorJson, what: string): void {
  assert.deepEqual([...t.shape], want.shape, `${what}: shape`);
  if (want.dtype === 'bool') {
    assert.equal(t.dtype, 'bool', `${what}: dtype`);
    assert.deepEqual([...t.data], want.data, what);
  } else if (want.dtype === 'int64') {
    assert.equal(t.dtype, 'int32', `${what}: dtype`);
    assert.deepEqual([...t.data], want.data, what);
  } else {
    assert.equal(t.dtype, 'float32', `${what}: dtype`);
    assert.deepEqual([...t.data], want.data.map((v) => Math.fround(Number(v))), what);
  }
}

for (const [name, c] of Object.entries(manifest).filter(([, c]) => c.values !== undefined)) {
  test(`loads ${c.file}: every tensor equals what torch.load gives${c.key ? ` (under key '${c.key}')` : ''}`, () => {
    const bytes = readFileSync(fixture(c.file));
    if (c.expect !== 'load') assert.throws(() => decodeTorch(bytes), (e: Error) => e instanceof FormatError && e.message.includes(c.expect));
    const sd = decodeTorch(bytes, c.key !== undefined ? { key: c.key } : {});
    assert.deepEqual([...sd.keys()], Object.keys(c.values!), name);
    for (const [k, want] of Object.entries(c.values!)) assertValues(sd.get(k)!, want, `${name}: ${k}`);
  });
}

test('views.pt: transposed, offset, permuted, strided and expanded views; shared storages stay one copy per pickled tensor', () => {
  const c = manifest.views!;
  assert.equal(c.storages, 3, 'torch wrote three storages for the nine tensors');
  const sd = decodeTorch(readFileSync(fixture(c.file)));
  assert.equal(sd.get('same_again'), sd.get('same_again_2'), 'one pickled tensor under two keys is one Tensor');
  assert.deepEqual([...sd.get('transposed')!.shape], [5, 3]);
});

test('a training checkpoint dict: decodeTorch asks for the key; decodeTorchObject returns the whole structure', () => {
  const bytes = readFileSync(fixture('checkpoint.pt'));
  assert.throws(() => decodeTorch(bytes), /not a state dict: 'epoch' \(number\), 'model_state_dict' \(dict\), 'optimizer_state_dict' \(dict\) are not tensors; .*\{ key: 'model_state_dict' \}/);
  assert.throws(() => decodeTorch(bytes, { key: 'nope' }), /no top-level key 'nope' \(keys: 'epoch', 'model_state_dict', 'optimizer_state_dict'\)/);
  const obj = decodeTorchObject(bytes, 'checkpoint.pt') as Map<string, unknown>;
  assert.equal(obj.get('epoch'), 3);
  const inner = obj.get('model_state_dict') as Map<string, Tensor>;
  assert.ok(inner.get('weight') instanceof Tensor);
  const groups = (obj.get('optimizer_state_dict') as Map<string, unknown>).get('param_groups') as Map<string, unknown>[];
  assert.equal(groups[0]!.get('lr'), 0.1);
  assert.deepEqual(groups[0]!.get('params'), [0, 1]);
});

const badCases = Object.entries(manifest).filter(([, c]) => c.values === undefined);

for (const [name, c] of badCases) {
  test(`rejects ${c.file} with a FormatError naming the file${c.torch.loads ? '' : ' (torch.load(weights_only=True) fails too)'}: ${c.expect}`, { timeout: 20_000 }, () => {
    const file = fixture(c.file);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => loadTorch(file), (e: unknown) => {
      assert.ok(e instanceof FormatError, `${name}: ${String(e)}`);
      assert.equal(e.source, file);
      assert.ok(e.message.startsWith(`${file}`), e.message);
      assert.match(e.message, new RegExp(c.expect), name);
      // Only whole-file verdicts (not a zip, not a state dict) have no single byte to blame.
      if (!/not a zip archive|no end-of-central-directory|not a state dict|no <folder>/.test(c.expect)) assert.equal(typeof e.byte, 'number', `${name}: names the byte`);
      if (e.byte !== null) assert.ok(e.message.includes(`(byte ${e.byte})`));
      return true;
    });
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 64 * 2 ** 20, `${name}: allocated ${grown} bytes for a ${readFileSync(file).length}-byte file`);
  });
}

test('the hostile pickles are rejected at the GLOBAL/opcode, before anything is built', () => {
  for (const [file, at] of [['evil_global.pt', /data\.pkl byte 2: global 'os\.system'/], ['evil_builtins.pt', /data\.pkl byte 2: global 'builtins\.eval'/]] as const) {
    assert.throws(() => loadTorch(fixture(file)), at);
  }
  assert.throws(() => loadTorch(fixture('full_model.pt')), /global '__main__\.Evil' is not allowed: .*torch\.save\(model\.state_dict\(\), path\)/);
  assert.throws(() => loadTorch(fixture('legacy.pt')), /legacy torch\.save format .*re-save it with a current torch/);
});

test('decodeTorchObject keeps shared pickle references shared: a 2^200-leaf tuple bomb and 200,000-deep lists load at once', { timeout: 20_000 }, () => {
  const bomb = decodeTorchObject(readFileSync(fixture('tuple_bomb.pt'))) as Map<string, unknown>;
  let t = bomb.get('x') as unknown[];
  for (let i = 0; i < 200; i++) { assert.equal(t[0], t[1], 'one object, referenced twice'); t = t[0] as unknown[]; }
  assert.deepEqual(t, []);
  let deep = decodeTorchObject(readFileSync(fixture('deep_nesting.pt'))) as unknown[];
  let depth = 0;
  while (deep.length === 1) { deep = deep[0] as unknown[]; depth++; }
  assert.equal(depth, 200000);
});

test('every truncation of lenet.pt is a FormatError', { timeout: 60_000 }, () => {
  const bytes = readFileSync(fixture('lenet.pt'));
  for (let cut = 0; cut < bytes.length; cut += 997) {
    assert.throws(() => decodeTorch(bytes.subarray(0, cut), { source: `lenet.pt[:${cut}]` }), FormatError, `cut at ${cut}`);
  }
});

test('random byte mutations of small .pt files load or fail with a FormatError, never another error', { timeout: 60_000 }, () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  let loaded = 0, rejected = 0;
  for (const file of ['views.pt', 'dtypes.pt', 'zip64.pt', 'checkpoint.pt']) {
    const orig = readFileSync(fixture(file));
    for (let i = 0; i < 150; i++) {
      const b = new Uint8Array(orig);
      for (let k = 1 + rnd(3); k > 0; k--) b[rnd(b.length)] = rnd(256);
      try {
        decodeTorchObject(b, file);
        loaded++;
      } catch (e) {
        assert.ok(e instanceof FormatError, `${file} mutation ${i}: ${(e as Error).stack}`);
        rejected++;
      }
    }
  }
  assert.ok(rejected > 300, `${rejected} rejected, ${loaded} loaded`);
});

test('loadTorch names an unreadable path', () => {
  assert.throws(() => loadTorch('/nonexistent/model.pt'), /loadTorch: cannot read '\/nonexistent\/model\.pt'/);
  manualSeed(0);
});
