import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LeNet } from '../../src/models/lenet.js';
import { initCnn } from '../../src/train/init-cnn.js';
import { Sequential } from '../../src/nn/container.js';
import { LazyConv2d } from '../../src/nn/conv.js';
import { BatchNorm2d } from '../../src/nn/batchnorm.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { randn } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { getRngState, manualSeed } from '../../src/tensor/rng.js';
import { encodeCheckpoint, loadCheckpoint, saveCheckpoint, OPTIMIZER_PREFIX } from '../../src/io/checkpoint.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'convnet-ckpt-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** The raw safetensors header, parsed by hand (8-byte LE length + JSON), to check the layout independently. */
function header(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>> {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as ReturnType<typeof header>;
}

function trainedLeNet(): [LeNet, SGD] {
  const m = new LeNet();
  const X = randn(8, 1, 28, 28);
  m.applyInit([X], initCnn);
  const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
  const y = new Tensor(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [8], 'int32');
  for (let i = 0; i < 2; i++) { opt.zeroGrad(); m.loss(m.call(X), y).backward(); opt.step(); }
  return [m, opt];
}

test('checkpoint layout: PyTorch state_dict names, shapes and F32; optimizer state under the prefix; metadata strings', () => {
  manualSeed(0);
  const [m, opt] = trainedLeNet();
  const h = header(encodeCheckpoint(m, { optimizer: opt, epoch: 3, metadata: { model: 'lenet' } }));
  const modelKeys = Object.keys(h).filter((k) => k !== '__metadata__' && !k.startsWith(OPTIMIZER_PREFIX));
  const byName = (a: [string, number[]][]): [string, number[]][] => [...a].sort((p, q) => (p[0] < q[0] ? -1 : 1));
  assert.deepEqual(byName(modelKeys.map((k) => [k, (h[k] as { shape: number[] }).shape])), byName([
    ['net.0.weight', [6, 1, 5, 5]], ['net.0.bias', [6]], ['net.3.weight', [16, 6, 5, 5]], ['net.3.bias', [16]],
    ['net.7.weight', [120, 400]], ['net.7.bias', [120]], ['net.9.weight', [84, 120]], ['net.9.bias', [84]],
    ['net.11.weight', [10, 84]], ['net.11.bias', [10]],
  ]));
  assert.ok(modelKeys.every((k) => (h[k] as { dtype: string }).dtype === 'F32'));
  const optKeys = Object.keys(h).filter((k) => k.startsWith(OPTIMIZER_PREFIX));
  assert.equal(optKeys.length, 10);
  assert.deepEqual((h[`${OPTIMIZER_PREFIX}state.4.momentumBuffer`] as { shape: number[] }).shape, [120, 400]);
  const meta = h.__metadata__ as Record<string, string>;
  assert.equal(meta.epoch, '3');
  assert.equal(meta.model, 'lenet');
  assert.equal(meta.format, 'convnet-ts-checkpoint');
  assert.equal(JSON.parse(meta.optimizer!).type, 'SGD');
  assert.ok(Object.values(meta).every((v) => typeof v === 'string'));
});

test('save → load round-trips weights, optimizer state (momentum), epoch and RNG state; training continues identically', () => {
  manualSeed(5);
  const [m, opt] = trainedLeNet();
  const file = path.join(tmp, 'a.safetensors');
  const rng = getRngState();
  saveCheckpoint(file, m, { optimizer: opt, epoch: 7 });
  const m2 = new LeNet();
  m2.applyInit([randn(1, 1, 28, 28)]);
  const opt2 = new SGD(m2.parameters(), { lr: 0.5 });
  const ck = loadCheckpoint(file, m2, { optimizer: opt2 });
  assert.equal(ck.epoch, 7);
  assert.deepEqual(ck.rngState!.slice(0, 4), rng.slice(0, 4));
  assert.equal(opt2.paramGroups[0]!.lr, 0.1);
  assert.equal(opt2.paramGroups[0]!.momentum, 0.9);
  for (const [[k, a], [, b]] of [...m.stateDict()].map((e, i) => [e, [...m2.stateDict()][i]!] as const)) {
    assert.deepEqual(Array.from(b.data), Array.from(a.data), k);
  }
  // One more identical step on both: equal only if the momentum buffers came back.
  const X = randn(4, 1, 28, 28), y = new Tensor(Int32Array.from([1, 2, 3, 4]), [4], 'int32');
  for (const [mm, oo] of [[m, opt], [m2, opt2]] as const) { oo.zeroGrad(); mm.loss(mm.call(X), y).backward(); oo.step(); }
  assert.deepEqual(Array.from(m2.stateDict().get('net.7.weight')!.data), Array.from(m.stateDict().get('net.7.weight')!.data));
});

test('BatchNorm buffers: num_batches_tracked is I64 and round-trips', () => {
  const net = new Sequential(new LazyConv2d(3, { kernelSize: 3 }), new BatchNorm2d(3));
  net.call(randn(2, 1, 5, 5));
  net.call(randn(2, 1, 5, 5));
  const bytes = encodeCheckpoint(net, { rngState: null });
  const h = header(bytes);
  assert.deepEqual(h['1.num_batches_tracked'], { dtype: 'I64', shape: [], data_offsets: (h['1.num_batches_tracked'] as { data_offsets: [number, number] }).data_offsets });
  assert.equal((h['1.running_mean'] as { dtype: string }).dtype, 'F32');
  const file = path.join(tmp, 'bn.safetensors');
  writeFileSync(file, bytes);
  const net2 = new Sequential(new LazyConv2d(3, { kernelSize: 3 }), new BatchNorm2d(3));
  net2.call(randn(1, 1, 5, 5));
  loadCheckpoint(file, net2);
  assert.equal(net2.stateDict().get('1.num_batches_tracked')!.item(), 2);
  assert.deepEqual(Array.from(net2.stateDict().get('1.running_var')!.data), Array.from(net.stateDict().get('1.running_var')!.data));
});

test('loadCheckpoint errors name the file and list missing, unexpected and mis-shaped keys', () => {
  manualSeed(0);
  const [m, opt] = trainedLeNet();
  const file = path.join(tmp, 'lenet.safetensors');
  saveCheckpoint(file, m, { optimizer: opt });
  const wrong = new LeNet({ numClasses: 5 });
  wrong.applyInit([randn(1, 1, 28, 28)]);
  assert.throws(() => loadCheckpoint(file, wrong), (e: Error) => {
    assert.equal(e.name, 'CheckpointMismatchError');
    assert.match(e.message, /lenet\.safetensors: loadCheckpoint: the tensors listed in the header \(byte 8\) do not fit LeNet/);
    assert.match(e.message, /net\.11\.weight: checkpoint has \[10, 84\], model has \[5, 84\]/);
    assert.match(e.message, /net\.11\.bias: checkpoint has \[10\], model has \[5\]/);
    return true;
  });
  const other = new Sequential(new LazyConv2d(6, { kernelSize: 5, padding: 2 }));
  other.call(randn(1, 1, 28, 28));
  assert.throws(() => loadCheckpoint(file, other), /Missing key\(s\): "0\.weight", "0\.bias"\.[\s\S]*Unexpected key\(s\): .*"net\.0\.weight"/);
  assert.throws(() => loadCheckpoint(path.join(tmp, 'absent.safetensors'), m), /cannot read '.*absent\.safetensors'/);
  const adam = new Adam(m.parameters(), { lr: 0.01 });
  assert.throws(() => loadCheckpoint(file, m, { optimizer: adam }), /holds SGD state but the optimizer is Adam/);
  // Saving is atomic: the file is complete (parsable) and no temp files are left behind.
  const h = header(readFileSync(file));
  assert.ok('net.0.weight' in h);
  assert.deepEqual(readdirSync(tmp).filter((f) => !f.endsWith('.safetensors')), []);
});
