/**
 * The public boundary for plain JavaScript callers: PyTorch's positional forms mean what they mean
 * in PyTorch (never silently ignored), and unknown option keys, wrong types, unknown dtypes and
 * unsupported PyTorch features are ArgumentErrors naming the function and the argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { F, nn, optim, tensor, zeros, ones, rand, randn, arange, full, eye, normal, randint, train, manualSeed } from '../../src/index.js';
import { ArgumentError } from '../../src/util/check.js';

const same = (a: { shape: readonly number[]; data: ArrayLike<number> }, b: { shape: readonly number[]; data: ArrayLike<number> }): void => {
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
};

test("PyTorch's positional forms mean what they mean in PyTorch", () => {
  manualSeed(1);
  const x = randn(1, 2, 6, 6);
  // nn.MaxPool2d(kernel_size, stride, padding, dilation, return_indices, ceil_mode)
  const mp = new nn.MaxPool2d(3, 1);
  assert.deepEqual([mp.kernelSize, mp.stride], [3, 1]);
  same(mp.call(x), new nn.MaxPool2d(3, { stride: 1 }).call(x));
  assert.deepEqual(mp.call(x).shape, [1, 2, 4, 4]);
  const mp2 = new nn.MaxPool2d(3, 2, 1, 1, false, true);
  assert.deepEqual([mp2.stride, mp2.padding, mp2.dilation, mp2.ceilMode], [2, 1, 1, true]);
  assert.equal(String(new nn.MaxPool2d(3, null)), 'MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)', 'stride=None is the kernel');
  // nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad)
  const ap = new nn.AvgPool2d(2, 1, 1, false, false);
  assert.deepEqual([ap.stride, ap.padding, ap.ceilMode, ap.countIncludePad], [1, 1, false, false]);
  // F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
  same(F.maxPool2d(x, 2, 1), F.maxPool2d(x, 2, { stride: 1 }));
  assert.deepEqual(F.maxPool2d(x, 2, 1).shape, [1, 2, 5, 5]);
  same(F.avgPool2d(x, 3, 2, 1, false, false), F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }));
  // nn.Linear(in, out, bias)
  assert.equal(new nn.Linear(4, 2, false).bias, null);
  assert.equal(String(new nn.Linear(4, 2, false)), 'Linear(in_features=4, out_features=2, bias=False)');
  assert.equal(new nn.LazyLinear(3, false).bias, null);
  // nn.Conv2d(in, out, kernel_size, stride, padding, dilation, groups, bias)
  assert.equal(String(new nn.Conv2d(2, 4, 3, 2, 1, 1, 2, false)), 'Conv2d(2, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)');
  assert.equal(String(new nn.Conv2d(1, 6, 5, { padding: 2 })), String(new nn.Conv2d(1, 6, { kernelSize: 5, padding: 2 })));
  assert.equal(String(new nn.LazyConv2d(6, 5, 1, 2)), 'LazyConv2d(0, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
  same(F.conv2d(x, ones(3, 2, 3, 3), null, 2, 1), F.conv2d(x, ones(3, 2, 3, 3), null, { stride: 2, padding: 1 }));
  // nn.BatchNorm2d(num_features, eps, momentum, affine, track_running_stats)
  assert.equal(String(new nn.BatchNorm2d(6, 1e-3, 0.01, false)), 'BatchNorm2d(6, eps=0.001, momentum=0.01, affine=False, track_running_stats=True)');
  assert.equal(new nn.LazyBatchNorm2d(1e-3).eps, 1e-3);
  // nn.Dropout(p), nn.Flatten(start_dim, end_dim), SGD(params, lr, momentum), DataLoader(ds, batch_size, shuffle), Trainer(max_epochs)
  assert.equal(new nn.Dropout(0.3).p, 0.3);
  assert.deepEqual([new nn.Flatten(0, 2).startDim, new nn.Flatten(0, 2).endDim], [0, 2]);
  const sgd = new optim.SGD(new nn.Linear(2, 2).parameters(), 0.1, 0.9);
  assert.deepEqual([sgd.paramGroups[0]!.lr, sgd.paramGroups[0]!.momentum], [0.1, 0.9]);
  const adam = new optim.Adam(new nn.Linear(2, 2).parameters(), 0.01, [0.8, 0.9]);
  assert.deepEqual([adam.paramGroups[0]!.lr, adam.paramGroups[0]!.betas], [0.01, [0.8, 0.9]]);
  // torch.randn(3, requires_grad=True), torch.zeros(2, dtype=torch.int64), torch.randint(10, (3,))
  assert.equal(randn(3, { requiresGrad: true }).requiresGrad, true);
  assert.equal(zeros(2, 3, { dtype: 'int32' }).dtype, 'int32');
  assert.equal(arange(5, { dtype: 'int32' }).dtype, 'int32');
  const r = randint(10, [4]);
  assert.ok([...r.data].every((v) => v >= 0 && v < 10) && r.shape[0] === 4);
  const ds = new train.TensorDataset(randn(4, 3), tensor([0, 1, 0, 1], { dtype: 'int32' }));
  assert.deepEqual(ds.batch([0, 1])[0].shape, [2, 3]);
});

// [what, call, function named, argument named, message]
const BAD: [string, () => unknown, string, string, RegExp][] = [
  ['tensor dtype', () => tensor([1, 2], { dtype: 'int64' as never }), 'tensor', 'dtype', /unknown dtype 'int64' \(use 'int32', which stands in for PyTorch's int64/],
  ['tensor option', () => tensor([1], { requires_grad: true } as never), 'tensor', 'requires_grad', /unknown option 'requires_grad' \(did you mean 'requiresGrad'\?\)/],
  ['tensor data', () => tensor('abc' as never), 'tensor', 'data', /data must be a number, a \(nested\) array/],
  ['zeros size', () => zeros(2, '3' as never), 'zeros', 'size', /invalid shape \[2, "3"\]: dims must be non-negative integers, got a string/],
  ['ones dtype', () => ones(2, { dtype: 'float64' as never }), 'ones', 'dtype', /unknown dtype 'float64' \(there is no float64; use 'float32'\)/],
  ['rand dtype', () => rand(2, { dtype: 'int32' }), 'rand', 'dtype', /rand makes float32 samples/],
  ['full value', () => full([2], 'x' as never), 'full', 'fillValue', /fillValue must be a number/],
  ['eye n', () => eye(-1), 'eye', 'n', /n must be an integer >= 0/],
  ['normal size', () => normal(0, 1, 3 as never), 'normal', 'size', /size must be an array like \[2, 3\]/],
  ['int requiresGrad', () => zeros(2, { dtype: 'int32', requiresGrad: true }), 'zeros', 'requiresGrad', /only floating point tensors can require gradients/],
  ['MaxPool2d key', () => new nn.MaxPool2d(3, { strides: 1 } as never), 'MaxPool2d', 'strides', /unknown option 'strides' \(did you mean 'stride'\?\)/],
  ['MaxPool2d kernel', () => new nn.MaxPool2d('3' as never), 'MaxPool2d', 'kernelSize', /kernelSize must be a positive integer or 2 of them, got a string/],
  ['MaxPool2d indices', () => new nn.MaxPool2d(2, { returnIndices: true } as never), 'MaxPool2d', 'returnIndices', /returnIndices=true is not supported/],
  ['MaxPool2d twice', () => new (nn.MaxPool2d as never as new (...a: unknown[]) => unknown)(2, 1, { stride: 2 }), 'MaxPool2d', 'stride', /stride given twice/],
  ['MaxPool2d too many', () => new (nn.MaxPool2d as never as new (...a: unknown[]) => unknown)(2, 1, 0, 1, false, false, 9), 'MaxPool2d', 'arguments', /takes at most 5 positional argument/],
  ['AvgPool2d divisor', () => new (nn.AvgPool2d as never as new (...a: unknown[]) => unknown)(2, { divisorOverride: 3 }), 'AvgPool2d', 'divisorOverride', /divisorOverride=3 is not supported/],
  ['Linear features', () => new nn.Linear(4, '2' as never), 'Linear', 'outFeatures', /outFeatures must be an integer >= 0, got a string/],
  ['Linear bias', () => new nn.Linear(4, 2, 'no' as never), 'Linear', 'bias', /bias must be true or false, got a string/],
  ['LazyLinear key', () => new nn.LazyLinear(4, { bais: false } as never), 'LazyLinear', 'bais', /unknown option 'bais' \(did you mean 'bias'\?\)/],
  ['Conv2d key', () => new nn.Conv2d(1, 6, { kernel_size: 5 } as never), 'Conv2d', 'kernel_size', /unknown option 'kernel_size' \(did you mean 'kernelSize'\?\)/],
  ['Conv2d mode', () => new nn.Conv2d(1, 6, 3, 1, 1, 1, 1, true, 'reflect' as never), 'Conv2d', 'paddingMode', /paddingMode='reflect' is not supported/],
  ['LazyConv2d bias', () => new nn.LazyConv2d(6, { kernelSize: 3, bias: 1 } as never), 'LazyConv2d', 'bias', /bias must be true or false/],
  ['BatchNorm2d eps', () => new nn.BatchNorm2d(6, { eps: 'small' } as never), 'BatchNorm2d', 'eps', /eps must be a number >= 0/],
  ['BatchNorm2d key', () => new nn.BatchNorm2d(6, { track_running_stats: false } as never), 'BatchNorm2d', 'track_running_stats', /did you mean 'trackRunningStats'/],
  ['ReLU inplace', () => new nn.ReLU(true as never), 'ReLU', 'inplace', /inplace=true is not supported/],
  ['Sigmoid args', () => new (nn.Sigmoid as never as new (...a: unknown[]) => unknown)(1), 'Sigmoid', 'arguments', /takes no arguments/],
  ['Softmax dim', () => new nn.Softmax(undefined as never), 'Softmax', 'dim', /dim is required/],
  ['Dropout inplace', () => new nn.Dropout(0.5, true as never), 'Dropout', 'inplace', /inplace=true is not supported/],
  ['Flatten dim', () => new nn.Flatten(1.5), 'Flatten', 'startDim', /startDim must be an integer/],
  ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d(0), 'AdaptiveAvgPool2d', 'outputSize', /outputSize must be a positive integer or a pair/],
  ['CrossEntropyLoss weight', () => new (nn.CrossEntropyLoss as never as new (...a: unknown[]) => unknown)(ones(3)), 'CrossEntropyLoss', 'weight', /class weights .* are not supported/],
  ['CrossEntropyLoss key', () => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never), 'CrossEntropyLoss', 'label_smoothing', /did you mean 'labelSmoothing'/],
  ['CrossEntropyLoss reduction', () => new nn.CrossEntropyLoss({ reduction: 'avg' as never }), 'CrossEntropyLoss', 'reduction', /reduction must be one of 'mean', 'sum', 'none', got a string \("avg"\)/],
  ['MSELoss key', () => new nn.MSELoss({ reduce: false } as never), 'MSELoss', 'reduce', /unknown option 'reduce'/],
  ['F.crossEntropy target', () => F.crossEntropy(randn(4, 3), [1, 2, 0, 1] as never), 'F.crossEntropy', 'target', /target must be a Tensor, got an array of length 4 \(make one with tensor\(\[1,2,0,1\], \{ dtype: 'int32' \}\)\)/],
  ['F.crossEntropy weight', () => (F.crossEntropy as (...a: unknown[]) => unknown)(randn(4, 3), tensor([0, 1, 2, 0], { dtype: 'int32' }), ones(3)), 'F.crossEntropy', 'weight', /class weights/],
  ['F.crossEntropy key', () => F.crossEntropy(randn(4, 3), tensor([0, 1, 2, 0], { dtype: 'int32' }), { ignore_index: 1 } as never), 'F.crossEntropy', 'ignore_index', /did you mean 'ignoreIndex'/],
  ['F.conv2d key', () => F.conv2d(randn(1, 1, 5, 5), randn(1, 1, 3, 3), null, { strides: 2 } as never), 'F.conv2d', 'strides', /did you mean 'stride'/],
  ['F.conv2d weight', () => F.conv2d(randn(1, 1, 5, 5), [[1]] as never), 'F.conv2d', 'weight', /weight must be a Tensor, got an array/],
  ['F.maxPool2d ceil', () => F.maxPool2d(randn(1, 1, 4, 4), 2, { ceil_mode: true } as never), 'F.maxPool2d', 'ceil_mode', /did you mean 'ceilMode'/],
  ['F.softmax dim', () => (F.softmax as (...a: unknown[]) => unknown)(randn(2, 3)), 'F.softmax', 'dim', /dim is required/],
  ['F.dropout p', () => F.dropout(randn(3), 2), 'F.dropout', 'p', /p must be a number in \[0, 1\]/],
  ['F.relu inplace', () => F.relu(randn(3), true), 'F.relu', 'inplace', /inplace=true is not supported/],
  ['SGD key', () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: 0.1, momentun: 0.9 } as never), 'SGD', 'momentun', /did you mean 'momentum'/],
  ['SGD lr type', () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: '0.1' as never }), 'SGD', 'learning rate', /invalid learning rate value: a string \("0\.1"\) \(expected a number\)/],
  ['SGD model', () => new optim.SGD(new nn.Linear(2, 2) as never, 0.1), 'SGD', 'params', /pass model\.parameters\(\), not the model/],
  ['SGD nesterov', () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: 0.1, momentum: 0.9, nesterov: 1 } as never), 'SGD', 'nesterov', /nesterov must be true or false/],
  ['SGD group key', () => new optim.SGD([{ params: new nn.Linear(2, 2).parameters(), learning_rate: 1 }] as never, 0.1), 'SGD', 'learning_rate', /unknown option 'learning_rate'/],
  ['Adam betas', () => new optim.Adam(new nn.Linear(2, 2).parameters(), { betas: 0.9 } as never), 'Adam', 'betas', /betas must be a pair of numbers/],
  ['Adam key', () => new optim.Adam(new nn.Linear(2, 2).parameters(), { weight_decay: 0.1 } as never), 'Adam', 'weight_decay', /did you mean 'weightDecay'/],
  ['DataLoader key', () => new train.DataLoader(new train.TensorDataset(randn(2, 2), zeros(2)), { batch_size: 2 } as never), 'DataLoader', 'batch_size', /did you mean 'batchSize'/],
  ['Sequential list', () => new nn.Sequential([new nn.ReLU(), new nn.ReLU()] as never), 'Sequential', 'modules', /argument 0 is an array of length 2, not a Module; pass the modules as separate arguments/],
  ['Sequential class', () => new nn.Sequential(nn.ReLU as never), 'Sequential', 'modules', /argument 0 is a function, not a Module/],
  ['Trainer key', () => new train.Trainer({ max_epochs: 3 } as never), 'Trainer', 'max_epochs', /did you mean 'maxEpochs'/],
];

test('bad arguments are ArgumentErrors naming the function and the argument', () => {
  for (const [what, call, fn, arg, re] of BAD) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof ArgumentError, `${what}: ${String(e)}`);
      assert.equal(e.fn, fn, what);
      assert.equal(e.arg, arg, what);
      assert.ok(e.message.startsWith(`${fn}: `), `${what}: ${e.message}`);
      assert.match(e.message, re, what);
      return true;
    }, what);
  }
});

test('console.log(net) prints the PyTorch module repr; net[0] is the first child (and type-checks)', () => {
  const net = new nn.Sequential(new nn.Conv2d(1, 6, 5, 1, 2), new nn.Sigmoid(), new nn.AvgPool2d(2, 2));
  assert.equal(inspect(net), String(net));
  assert.equal(inspect(net), 'Sequential(\n  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n  (1): Sigmoid()\n  (2): AvgPool2d(kernel_size=2, stride=2, padding=0)\n)');
  assert.equal(inspect({ layer: net[1] }), '{ layer: Sigmoid() }', 'nested too');
  const first: nn.Module = net[0];
  assert.equal(first, net.at(0));
  assert.equal(net[2], net.at(-1));
  net[1] = new nn.ReLU();
  assert.equal(String(net.at(1)), 'ReLU()', 'assignment replaces the child, as PyTorch\'s net[1] = ...');
  const list = new nn.ModuleList([new nn.ReLU()]);
  const m: nn.Module = list[0];
  assert.equal(m, list.at(0));
});
