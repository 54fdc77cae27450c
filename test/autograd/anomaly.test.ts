import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, randn, detectAnomaly, setDetectAnomaly, isAnomalyEnabled, noGrad } from '../../src/index.js';
import { opNameOf } from '../../src/autograd/anomaly.js';

test('off by default: NaN flows through silently, as in PyTorch', () => {
  assert.equal(isAnomalyEnabled(), false);
  const x = tensor([-1, 1, 2], { requiresGrad: true });
  const y = x.log();
  assert.ok(Number.isNaN(y.get(0).item()));
});

test('forward: the op that creates NaN is named, with its input shapes', () => {
  const x = tensor([-1, 1, 2], { requiresGrad: true });
  assert.throws(() => detectAnomaly(() => x.log()),
    /^Error: detectAnomaly: log produced NaN in its output \(input \[3\]\); its inputs were finite/);
  assert.throws(() => detectAnomaly(() => x.mul(100).exp()), /detectAnomaly: exp produced Inf in its output \(input \[3\]\)/);
  assert.throws(() => detectAnomaly(() => x.sub(x).div(x.sub(x))), /detectAnomaly: div produced NaN in its output \(inputs \[3\], \[3\]\)/);
  assert.throws(() => detectAnomaly(() => randn(2, 3).requiresGrad_().matmul(tensor([[NaN], [1], [2]]))),
    /detectAnomaly: mm produced NaN in its output \(inputs \[2, 3\], \[3, 1\]\); its input already contained NaN/);
  assert.equal(isAnomalyEnabled(), false, 'restored after throwing');
});

test('forward: ops that are not recorded are not checked (noGrad, no input requiring grad)', () => {
  detectAnomaly(() => {
    assert.doesNotThrow(() => tensor([-1]).log());
    assert.doesNotThrow(() => noGrad(() => tensor([-1], { requiresGrad: true }).log()));
  });
});

test('backward: a NaN gradient names the backward node and where the forward op ran', () => {
  // sqrt(0) is finite (0) but its gradient 1/(2·0) is Inf; times 0 that becomes NaN in the next node.
  const x = tensor([0, 1], { requiresGrad: true });
  const err = (() => {
    try {
      detectAnomaly(() => x.sqrt().sum().backward());
    } catch (e) { return e as Error; }
    return null;
  })();
  assert.ok(err !== null, 'backward should throw');
  assert.match(err.message, /^detectAnomaly: SqrtBackward0 \(the backward of sqrt, input \[2\]\) returned Inf in the gradient of its input 0 \(shape \[2\]\)/);
  assert.match(err.message, /The forward op was recorded at:\n[\s\S]*at Tensor\.sqrt[\s\S]*anomaly\.test\.js/);
  assert.equal(x.grad, null, 'nothing was accumulated');
});

test('backward: without anomaly mode the same graph yields the Inf gradient silently', () => {
  const x = tensor([0, 1], { requiresGrad: true });
  x.sqrt().sum().backward();
  assert.equal(x.grad!.get(0).item(), Infinity);
});

test('setDetectAnomaly switches globally; a finite computation passes untouched', () => {
  setDetectAnomaly(true);
  try {
    const x = randn(3, 4).requiresGrad_();
    x.sigmoid().logSoftmax(1).mean().backward();
    assert.ok(x.grad !== null);
  } finally {
    setDetectAnomaly(false);
  }
  assert.equal(isAnomalyEnabled(), false);
});

test('opNameOf maps node names to op names', () => {
  assert.equal(opNameOf('LogBackward0'), 'log');
  assert.equal(opNameOf('LogSoftmaxBackward0'), 'logSoftmax');
  assert.equal(opNameOf('MaxBackward1'), 'max');
  assert.equal(opNameOf('CopySlices'), 'copySlices');
});

test('nn.ReLU (the fused relu) propagates NaN, so detectAnomaly sees it', async () => {
  const { nn } = await import('../../src/index.js');
  const x = tensor([NaN, -1, 2], { requiresGrad: true });
  const y = new nn.ReLU().forward(x);
  assert.ok(Number.isNaN(y.get(0).item()));
  assert.throws(() => detectAnomaly(() => new nn.ReLU().forward(x.mul(1))), /detectAnomaly: mul produced NaN|detectAnomaly: relu produced NaN/);
});
