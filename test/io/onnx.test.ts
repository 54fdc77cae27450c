/**
 * exportOnnx: every registered zoo model and the extra test models (test/io/onnx-models.ts) are
 * exported and run in ONNX Runtime (onnxruntime-node), whose outputs must equal ours (≤ 1e-4); the
 * bytes must be the ones onnx.checker.check_model(full_check=True) accepted when
 * scripts/fixtures/gen_onnx.py ran (fixtures/onnx/checked.json records their SHA-256); node names
 * must be torch.onnx.export's; the protobuf writer must reproduce the protobuf library's bytes;
 * and what cannot be exported must fail naming the module and the op.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type * as OrtTypes from 'onnxruntime-node';
import { exportOnnx, onnxGraph } from '../../src/io/onnx/export.js';
import { encodeModel, type OnnxTensor } from '../../src/io/onnx/onnx-proto.js';
import { ProtoWriter } from '../../src/io/onnx/protobuf.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { getRngState } from '../../src/tensor/rng.js';
import { exp, relu } from '../../src/tensor/ops/elementwise.js';
import { Module } from '../../src/nn/module.js';
import { Sequential } from '../../src/nn/container.js';
import { Conv2d, LazyConv2d } from '../../src/nn/conv.js';
import { ReLU } from '../../src/nn/activation.js';
import { AdaptiveAvgPool2d } from '../../src/nn/pooling.js';
import { BatchNorm2d } from '../../src/nn/batchnorm.js';
import { LeNet } from '../../src/models/lenet.js';
import { modelNames } from '../../src/models/registry.js';
import { assertClose, loadFixture } from '../helpers/fixtures.js';
import { EXTRA_MODELS, ZOO_INPUTS, extraModel, prepare, testInput, zooModel } from './onnx-models.js';

interface Checked { onnx_version: string; files: Record<string, { sha256: string; check_model_full_check: string; output_shape: (number | string)[]; op_types: Record<string, number> }> }
const checked = loadFixture<Checked>('onnx/checked.json');
const torchNames = loadFixture<Record<string, { nodes: [string, string][]; initializers: string[] }>>('onnx/torch_names.json');

let ort: typeof OrtTypes;
before(async () => { ort = await import('onnxruntime-node'); });

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Run `bytes` in ONNX Runtime on x. */
async function runOrt(bytes: Uint8Array, x: Tensor): Promise<Tensor> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const out = (await session.run({ input: new ort.Tensor('float32', x.toFloat32Array(), x.shape.slice()) })).output!;
  await session.release();
  return new Tensor(Float32Array.from(out.data as Float32Array), out.dims.slice(), 'float32');
}

/** Export, compare the bytes with what the checker accepted, run in ONNX Runtime and compare with ours. */
async function roundTrip(file: string, m: Module, shape: number[], dynamic: boolean, batches: number[] = [shape[0]!]): Promise<void> {
  const bytes = exportOnnx(m, shape, { dynamicBatch: dynamic });
  const rec = checked.files[file];
  assert.ok(rec !== undefined, `${file} was checked by gen_onnx.py`);
  assert.equal(rec.check_model_full_check, 'passed');
  assert.equal(sha256(bytes), rec.sha256, `${file}: the bytes exported today are the bytes onnx.checker accepted (rerun the fixture scripts after changing the exporter)`);
  for (const n of batches) {
    const x = testInput([n, ...shape.slice(1)]);
    const ours = noGrad(() => m.call(x));
    const theirs = await runOrt(bytes, x);
    assertClose(theirs, ours, { atol: 1e-4, rtol: 1e-4, what: `${file} at batch ${n}: ONNX Runtime vs convnet-ts` });
  }
}

test('every registered model has an ONNX export test input', () => {
  assert.deepEqual(Object.keys(ZOO_INPUTS).sort(), modelNames());
});

for (const name of Object.keys(ZOO_INPUTS)) {
  test(`zoo model ${name}: exported, accepted by onnx.checker, and ONNX Runtime gives our logits (≤ 1e-4)`, { timeout: 180_000 }, async () => {
    await roundTrip(`${name}.onnx`, zooModel(name), ZOO_INPUTS[name]!, false);
  });
}

for (const name of ['lenet', 'resnet18', 'googlenet', 'densenet']) {
  test(`zoo model ${name} with a dynamic batch dim: one file serves batches 1, 2 and 3`, { timeout: 120_000 }, async () => {
    await roundTrip(`${name}.dynamic.onnx`, zooModel(name), ZOO_INPUTS[name]!, true, [1, 2, 3]);
  });
}

for (const name of Object.keys(EXTRA_MODELS)) {
  test(`${name}: exported, accepted by onnx.checker, ONNX Runtime agrees (static and dynamic batch)`, { timeout: 60_000 }, async () => {
    const shape = EXTRA_MODELS[name]!.shape;
    await roundTrip(`${name}.onnx`, extraModel(name), shape, false);
    await roundTrip(`${name}.dynamic.onnx`, extraModel(name), shape, true, [1, 3]);
  });
}

test('ConvTranspose2d is exported as ConvTranspose; pooling modes as MaxPool/AveragePool with ceil_mode and count_include_pad', () => {
  assert.equal(checked.files['convtranspose.onnx']!.op_types.ConvTranspose, 3);
  const g = onnxGraph(extraModel('convtranspose'), EXTRA_MODELS.convtranspose!.shape);
  const ct = g.nodes.find((n) => n.name === '/2/ConvTranspose')!;
  assert.deepEqual(ct.attrs, { dilations: [1, 1], group: 2, kernel_shape: [3, 3], output_padding: [1, 1], pads: [1, 1, 1, 1], strides: [2, 2] });
  const pools = onnxGraph(extraModel('pooling'), EXTRA_MODELS.pooling!.shape).nodes;
  assert.deepEqual(pools.map((n) => n.opType), ['AveragePool', 'AveragePool', 'Conv', 'MaxPool', 'AveragePool']);
  assert.deepEqual(pools[1]!.attrs, { ceil_mode: 1, count_include_pad: 0, kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
});

test('node names, op types and initializer names are torch.onnx.export\'s (LeNet, ResNet-18, GoogLeNet)', () => {
  for (const name of ['lenet-modern', 'resnet18', 'googlenet']) {
    const g = onnxGraph(zooModel(name), ZOO_INPUTS[name]!);
    // PyTorch folds eval-mode BatchNorm into the preceding Conv; we keep it as BatchNormalization.
    const ours = g.nodes.filter((n) => n.opType !== 'BatchNormalization').map((n) => [n.name, n.opType]);
    assert.deepEqual(ours, torchNames[name]!.nodes, name);
  }
  const lenet = onnxGraph(zooModel('lenet-modern'), ZOO_INPUTS['lenet-modern']!);
  assert.deepEqual(lenet.initializers.map((t) => t.name), torchNames['lenet-modern']!.initializers);
  assert.deepEqual(lenet.nodes[0]!.inputs, ['input', 'net.0.weight', 'net.0.bias']);
  assert.deepEqual(lenet.nodes[0]!.outputs, ['/net/net.0/Conv_output_0']);
  assert.deepEqual(lenet.nodes.at(-1)!.outputs, ['output']);
  const resnet = onnxGraph(zooModel('resnet18'), ZOO_INPUTS.resnet18!);
  const bn = resnet.nodes.find((n) => n.opType === 'BatchNormalization')!;
  assert.equal(bn.name, '/net/net.0/net.0.1/BatchNormalization');
  assert.deepEqual(bn.inputs.slice(1), ['net.0.1.weight', 'net.0.1.bias', 'net.0.1.running_mean', 'net.0.1.running_var']);
});

test('the protobuf writer reproduces the protobuf library\'s bytes for the same ModelProto', () => {
  const golden = loadFixture<{ hex: string }>('onnx/protobuf.json');
  const w: OnnxTensor = { name: 'net.0.weight', dims: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5], (v) => v / 4) };
  const bytes = encodeModel({
    graphName: 'main_graph', opset: 13, producerName: 'convnet-ts',
    nodes: [
      { name: '/Constant', opType: 'Constant', inputs: [], outputs: ['/Constant_output_0'], attrs: { value: { name: '', dims: [3], data: BigInt64Array.from([0n, -1n, 7n]) } } },
      { name: '/net/net.0/Gemm', opType: 'Gemm', inputs: ['input', 'net.0.weight'], outputs: ['/net/net.0/Gemm_output_0'], attrs: { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 } },
      { name: '/net/net.1/Softmax', opType: 'Softmax', inputs: ['/net/net.0/Gemm_output_0'], outputs: ['output'], attrs: { axis: -1 } },
      { name: '/MaxPool', opType: 'MaxPool', inputs: ['input'], outputs: ['unused'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 300, 1], strides: [2, 2] } },
    ],
    initializers: [w, { name: 'onnx::BatchNormalization_1', dims: [3], data: Float32Array.from([1, -0.5, 3.25]), packed: true }],
    inputs: [{ name: 'input', dims: ['batch', 3] }], outputs: [{ name: 'output', dims: ['batch', 2] }],
  });
  assert.equal(Buffer.from(bytes).toString('hex'), golden.hex);
});

test('ProtoWriter: varints (one to ten bytes), negative int64, fixed32 floats, packed runs, nested lengths', () => {
  const hex = (w: ProtoWriter): string => Buffer.from(w.finish()).toString('hex');
  assert.equal(hex(new ProtoWriter().varint(1, 0)), '0800');
  assert.equal(hex(new ProtoWriter().varint(1, 300)), '08ac02');
  assert.equal(hex(new ProtoWriter().varint(2, 2 ** 35)), '10808080808001');
  assert.equal(hex(new ProtoWriter().varint(3, -1)), '18ffffffffffffffffff01');
  assert.equal(hex(new ProtoWriter().varint(16, 1)), '800101', 'field 16 needs a two-byte tag');
  assert.equal(hex(new ProtoWriter().float(2, 1.5)), '150000c03f');
  assert.equal(hex(new ProtoWriter().packedFloats(4, [1, -2])), '22080000803f000000c0');
  assert.equal(hex(new ProtoWriter().packedVarints(5, [1, 300, -1])), '2a0d01ac02ffffffffffffffffff01');
  assert.equal(hex(new ProtoWriter().string(8, 'hé')), '4203 68c3a9'.replace(' ', ''));
  const inner = new ProtoWriter().varint(1, 150);
  assert.equal(hex(new ProtoWriter().message(3, inner).varint(4, 1)), '1a0308960120' + '01');
  const big = new Uint8Array(200).fill(7);
  const w = new ProtoWriter().bytes(9, big);
  const out = w.finish();
  assert.deepEqual([...out.subarray(0, 3)], [0x4a, 0xc8, 0x01]);
  assert.equal(out.length, 203);
  assert.throws(() => new ProtoWriter().varint(1, 2 ** 60), /not a safe integer/);
});

/** A module with its own forward that computes exp: not exportable. */
class Swish extends Module {
  conv = new Conv2d(1, 2, { kernelSize: 3 });
  forward(x: Tensor): Tensor { const y = this.conv.call(x); return y.mul(exp(y)); }
}
class AddAlpha extends Module {
  conv = new Conv2d(1, 2, { kernelSize: 3 });
  forward(x: Tensor): Tensor { const y = this.conv.call(x); return y.add(relu(y), 2); }
}
class Scaled extends Module {
  conv = new Conv2d(1, 2, { kernelSize: 3 });
  forward(x: Tensor): Tensor { return this.conv.call(x).mul(2); }
}
class MyConv extends Conv2d {
  override forward(x: Tensor): Tensor { return relu(this.weight.sum().mul(x.sum())).reshape(1, 1, 1, 1).add(super.forward(x)); }
}

test('what cannot be exported exactly is an error naming the module and the op, never a wrong graph', () => {
  const x = [1, 1, 6, 6];
  const cases: [Module, RegExp][] = [
    [new Sequential(new ReLU(), new Swish()), /exportOnnx: module '1' \(Swish\) computes Exp \(autograd node ExpBackward0\) in its own forward\(\)/],
    [new Sequential(new AddAlpha()), /exportOnnx: module '0' \(AddAlpha\): its add does not compute the plain Add of its inputs/],
    [new Sequential(new Scaled()), /exportOnnx: module '0' \(Scaled\) uses a tensor \[\] that is neither the input, a parameter nor a buffer/],
    [new Sequential(new MyConv(1, 1, { kernelSize: 3, padding: 1 })), /exportOnnx: module '0' \(MyConv\) computes Sum \(autograd node SumBackward\d\)/],
    [new Sequential(new Conv2d(1, 2, { kernelSize: 1 }), new AdaptiveAvgPool2d([4, 4])), /exportOnnx: module '1' \(AdaptiveAvgPool2d\): adaptive average pooling from \[6, 6\] to \[4, 4\] uses uneven windows/],
    [new Sequential(new Conv2d(1, 2, { kernelSize: 1 }), new BatchNorm2d(2, { trackRunningStats: false })), /exportOnnx: module '1' \(BatchNorm2d\): without running statistics/],
  ];
  for (const [m, re] of cases) {
    prepare(m, x);
    assert.throws(() => exportOnnx(m, x), re);
    for (const mod of m.modules()) assert.ok(!Object.prototype.hasOwnProperty.call(mod, 'forward'), 'tracing wrappers are removed after an error');
  }
  assert.throws(() => exportOnnx(new LeNet(), [1, 1, 28, 28]), /exportOnnx: 'net\.0\.weight' belongs to a lazy layer that has not seen an input yet/);
  assert.throws(() => exportOnnx(new Sequential(new LazyConv2d(2, { kernelSize: 1 })), [1, 1, 2]), /lazy layer/);
  assert.throws(() => exportOnnx(zooModel('lenet'), [1, 1, 28.5, 28]), /inputShape must be positive integers/);
  assert.throws(() => exportOnnx(zooModel('lenet'), [1, 1, 28, 28], { opsetVersion: 17 }), /opsetVersion 17 is not supported/);
});

test('exporting leaves the model as it was: training flags, no wrappers, the RNG untouched, fused paths intact; bytes are deterministic', () => {
  const m = zooModel('lenet-modern');
  m.train();
  (m as unknown as { net: Sequential }).net.at(2).training = false;
  const flags = m.modules().map((x) => x.training);
  const rng = getRngState();
  const a = exportOnnx(m, [1, 1, 28, 28]);
  assert.deepEqual(getRngState(), rng);
  assert.deepEqual(m.modules().map((x) => x.training), flags);
  for (const mod of m.modules()) assert.ok(!Object.prototype.hasOwnProperty.call(mod, 'forward'));
  const y = m.call(testInput([2, 1, 28, 28]));
  assert.equal(y.gradFn?.name, 'AddmmBackward0');
  assert.equal(((m as unknown as { net: Sequential }).net.at(0) as Conv2d).forward, Conv2d.prototype.forward);
  assert.equal(sha256(exportOnnx(m, [1, 1, 28, 28])), sha256(a));
});
