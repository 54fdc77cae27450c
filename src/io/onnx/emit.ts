/**
 * ONNX nodes for what a trace records: one emitter per built-in layer (attributes read from the
 * layer itself), and a short list of autograd ops allowed inside a module's own forward() (the
 * relu/add/cat of the zoo's blocks), each re-computed from its recorded inputs before it is
 * written, so an op that cannot be told from its node (add with an alpha, cat's axis) is never
 * written wrongly.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { GradNode } from '../../autograd/engine.js';
import { noGrad } from '../../autograd/grad-mode.js';
import type { Module } from '../../nn/module.js';
import { Conv1d, Conv2d, LazyConv1d, LazyConv2d } from '../../nn/conv.js';
import { ConvTranspose2d, LazyConvTranspose2d } from '../../nn/conv-transpose.js';
import { Linear, LazyLinear } from '../../nn/linear.js';
import { BatchNormBase, LazyBatchNorm1d, LazyBatchNorm2d } from '../../nn/batchnorm.js';
import { ReLU, Sigmoid, Softmax, Tanh } from '../../nn/activation.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../nn/pooling.js';
import { Flatten } from '../../nn/flatten.js';
import { Dropout } from '../../nn/dropout.js';
import { Identity } from '../../nn/identity.js';
import { add, div, mul, relu, sigmoid, sub, tanh } from '../../tensor/ops/elementwise.js';
import { cat } from '../../tensor/ops/shape.js';
import { formatShape } from '../../tensor/shape.js';
import type { AttrValue } from './onnx-proto.js';
import { describeModule, scopeOf } from './trace.js';

/** What emitters may add to the graph. */
export interface EmitContext {
  /** Add a node `${scope}/${opType}` (numbered if repeated) and return the name of its output. */
  node(scope: string, opType: string, inputs: string[], attrs?: Record<string, AttrValue>): string;
  /** The initializer of a parameter or buffer (named by its state_dict key). */
  state(t: Tensor, what: string): string;
  /** A float32 initializer made up for the graph (e.g. BatchNorm without affine parameters). */
  floats(hint: string, data: Float32Array): string;
  /** An int64 Constant node in `scope` (a Reshape's shape). */
  int64s(scope: string, values: readonly number[]): string;
  /** Symbolic batch dim: Reshape shapes must then leave dim 0 to the input. */
  readonly dynamicBatch: boolean;
}

/** Emits one layer: input value `x` (traced tensor `xt`), traced output `yt`; returns the output value's name. */
type LayerEmitter = (ctx: EmitContext, m: Module, x: string, xt: Tensor, yt: Tensor, scope: string, path: string) => string;

const pairOf = (v: number | readonly number[]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0]!, v[1]!]);
const unsupported = (path: string, m: Module, what: string): Error => new Error(`exportOnnx: ${describeModule(path, m)}: ${what}`);

/** Conv / Conv1d: pads begin…end; 'same' puts the odd pixel at the end, as PyTorch does. */
const emitConv: LayerEmitter = (ctx, mod, x, _xt, _yt, scope) => {
  const m = mod as Conv2d | Conv1d;
  const k = m.kernelSize, nd = k.length;
  let begin: number[], end: number[];
  if (m.padding === 'same') {
    begin = k.map((kk, i) => Math.floor((m.dilation[i]! * (kk - 1)) / 2));
    end = k.map((kk, i) => m.dilation[i]! * (kk - 1) - begin[i]!);
  } else if (m.padding === 'valid') {
    begin = end = new Array<number>(nd).fill(0);
  } else {
    begin = end = m.padding;
  }
  const inputs = [x, ctx.state(m.weight, 'weight')];
  if (m.bias !== null) inputs.push(ctx.state(m.bias, 'bias'));
  return ctx.node(scope, 'Conv', inputs, {
    dilations: m.dilation, group: m.groups, kernel_shape: k, pads: [...begin, ...end], strides: m.stride,
  });
};

const emitConvTranspose: LayerEmitter = (ctx, mod, x, _xt, _yt, scope) => {
  const m = mod as ConvTranspose2d;
  const inputs = [x, ctx.state(m.weight, 'weight')];
  if (m.bias !== null) inputs.push(ctx.state(m.bias, 'bias'));
  return ctx.node(scope, 'ConvTranspose', inputs, {
    dilations: m.dilation, group: m.groups, kernel_shape: m.kernelSize, output_padding: m.outputPadding,
    pads: [...m.padding, ...m.padding], strides: m.stride,
  });
};

/** Gemm (x Wᵀ + b) on 2-D input, as PyTorch exports it; MatMul with the transposed weight (+ Add) otherwise. */
const emitLinear: LayerEmitter = (ctx, mod, x, xt, _yt, scope) => {
  const m = mod as Linear;
  const w = ctx.state(m.weight, 'weight');
  const b = m.bias === null ? null : ctx.state(m.bias, 'bias');
  if (xt.ndim === 2) return ctx.node(scope, 'Gemm', b === null ? [x, w] : [x, w, b], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  const wt = ctx.node(scope, 'Transpose', [w], { perm: [1, 0] });
  const y = ctx.node(scope, 'MatMul', [x, wt]);
  return b === null ? y : ctx.node(scope, 'Add', [y, b]);
};

/** BatchNormalization with the running statistics (eval mode). */
const emitBatchNorm: LayerEmitter = (ctx, mod, x, _xt, _yt, scope, path) => {
  const m = mod as BatchNormBase;
  if (m.runningMean === null || m.runningVar === null) {
    throw unsupported(path, m, 'without running statistics (trackRunningStats: false) it normalises with batch statistics even in eval mode, which BatchNormalization cannot express');
  }
  const c = m.numFeatures;
  const scale = m.weight !== null ? ctx.state(m.weight, 'weight') : ctx.floats(`${path}.weight`, new Float32Array(c).fill(1));
  const shift = m.bias !== null ? ctx.state(m.bias, 'bias') : ctx.floats(`${path}.bias`, new Float32Array(c));
  return ctx.node(scope, 'BatchNormalization', [x, scale, shift, ctx.state(m.runningMean, 'running_mean'), ctx.state(m.runningVar, 'running_var')],
    { epsilon: { float: m.eps }, momentum: { float: 1 - (m.momentum ?? 0.1) } });
};

/** PyTorch's pads for a pooling window: [top, left, bottom, right], the end pads widened so ONNX's floor rule gives PyTorch's (ceil-mode) size. */
function poolPads(path: string, m: Module, inHW: readonly number[], outHW: readonly number[], k: [number, number], s: [number, number],
                  p: [number, number], d: [number, number], maxPool: boolean): { pads: number[]; ceil: number } {
  const end = [0, 1].map((i) => Math.max(p[i]!, (outHW[i]! - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - inHW[i]! - p[i]!));
  const floorOut = [0, 1].map((i) => Math.floor((inHW[i]! + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  if (floorOut[0] === outHW[0] && floorOut[1] === outHW[1]) return { pads: [...p, ...p], ceil: 0 };
  // Ceil mode. Max pooling pads with -inf, so extra end padding changes nothing but the size.
  if (maxPool && end.every((e, i) => e < k[i]!)) return { pads: [...p, ...end], ceil: 0 };
  const ceilOut = [0, 1].map((i) => Math.ceil((inHW[i]! + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  if (ceilOut[0] === outHW[0] && ceilOut[1] === outHW[1]) return { pads: [...p, ...p], ceil: 1 };
  throw unsupported(path, m, `ceil_mode output ${formatShape(outHW)} for input ${formatShape(inHW)} has a last window that starts in the padding; ONNX's ceil_mode rule gives ${formatShape(ceilOut)}`);
}

const emitMaxPool: LayerEmitter = (ctx, mod, x, xt, yt, scope, path) => {
  const m = mod as MaxPool2d;
  const k = pairOf(m.kernelSize), s = pairOf(m.stride ?? m.kernelSize), p = pairOf(m.padding), d = pairOf(m.dilation);
  const { pads, ceil } = poolPads(path, m, xt.shape.slice(-2), yt.shape.slice(-2), k, s, p, d, true);
  return ctx.node(scope, 'MaxPool', [x], { ceil_mode: ceil, dilations: d, kernel_shape: k, pads, strides: s });
};

const emitAvgPool: LayerEmitter = (ctx, mod, x, xt, yt, scope, path) => {
  const m = mod as AvgPool2d;
  const k = pairOf(m.kernelSize), s = pairOf(m.stride ?? m.kernelSize), p = pairOf(m.padding);
  const { pads, ceil } = poolPads(path, m, xt.shape.slice(-2), yt.shape.slice(-2), k, s, p, [1, 1], false);
  return ctx.node(scope, 'AveragePool', [x], { ceil_mode: ceil, count_include_pad: m.countIncludePad ? 1 : 0, kernel_shape: k, pads, strides: s });
};

/** GlobalAveragePool for a 1×1 output; AveragePool when the output size divides the input's; anything else is not one ONNX op. */
const emitAdaptiveAvgPool: LayerEmitter = (ctx, m, x, xt, yt, scope, path) => {
  const inHW = xt.shape.slice(-2), outHW = yt.shape.slice(-2);
  if (outHW[0] === 1 && outHW[1] === 1) return ctx.node(scope, 'GlobalAveragePool', [x]);
  if (inHW.every((v, i) => v % outHW[i]! === 0)) {
    const k = inHW.map((v, i) => v / outHW[i]!);
    return ctx.node(scope, 'AveragePool', [x], { ceil_mode: 0, count_include_pad: 0, kernel_shape: k, pads: [0, 0, 0, 0], strides: k });
  }
  throw unsupported(path, m, `adaptive average pooling from ${formatShape(inHW)} to ${formatShape(outHW)} uses uneven windows, which no ONNX op computes (export at an input size whose pooled size divides evenly)`);
};

/** A Reshape to the traced output's shape (dim 0 left to the input with a dynamic batch). */
function reshapeTo(ctx: EmitContext, x: string, xt: Tensor, yt: Tensor, scope: string, where: string): string {
  const shape = yt.shape.slice();
  if (ctx.dynamicBatch) {
    if (xt.shape[0] !== yt.shape[0]) throw new Error(`exportOnnx: ${where}: a reshape ${formatShape(xt.shape)} → ${formatShape(yt.shape)} changes the batch dim, which a dynamic batch cannot express`);
    shape[0] = 0;
  }
  return ctx.node(scope, 'Reshape', [x, ctx.int64s(scope, shape)]);
}

const emitFlatten: LayerEmitter = (ctx, mod, x, xt, yt, scope, path) => {
  const m = mod as Flatten;
  // ONNX Flatten always makes 2-D [prod(dims < axis), prod(dims ≥ axis)]: PyTorch's flatten(1) of any rank, nothing else.
  if (yt.ndim === 2 && m.startDim === 1 && (m.endDim === -1 || m.endDim === xt.ndim - 1)) return ctx.node(scope, 'Flatten', [x], { axis: 1 });
  return reshapeTo(ctx, x, xt, yt, scope, describeModule(path, m));
};

const simple = (op: string): LayerEmitter => (ctx, _m, x, _xt, _yt, scope) => ctx.node(scope, op, [x]);
const passThrough: LayerEmitter = (_ctx, _m, x) => x;

/** Built-in layers by the forward they run (a subclass that overrides forward is not one of them, and is traced through instead). */
const LAYERS: [unknown, LayerEmitter][] = [
  [Conv2d.prototype.forward, emitConv], [LazyConv2d.prototype.forward, emitConv],
  [Conv1d.prototype.forward, emitConv], [LazyConv1d.prototype.forward, emitConv],
  [ConvTranspose2d.prototype.forward, emitConvTranspose], [LazyConvTranspose2d.prototype.forward, emitConvTranspose],
  [Linear.prototype.forward, emitLinear], [LazyLinear.prototype.forward, emitLinear],
  [BatchNormBase.prototype.forward, emitBatchNorm], [LazyBatchNorm1d.prototype.forward, emitBatchNorm], [LazyBatchNorm2d.prototype.forward, emitBatchNorm],
  [ReLU.prototype.forward, simple('Relu')], [Sigmoid.prototype.forward, simple('Sigmoid')], [Tanh.prototype.forward, simple('Tanh')],
  [Softmax.prototype.forward, (ctx, m, x, _xt, _yt, scope) => ctx.node(scope, 'Softmax', [x], { axis: (m as Softmax).dim })],
  [MaxPool2d.prototype.forward, emitMaxPool], [AvgPool2d.prototype.forward, emitAvgPool],
  [AdaptiveAvgPool2d.prototype.forward, emitAdaptiveAvgPool], [Flatten.prototype.forward, emitFlatten],
  [Dropout.prototype.forward, passThrough], [Identity.prototype.forward, passThrough],
];
const BY_FORWARD = new Map(LAYERS);

/** The emitter of a built-in layer, or null for any other module (traced through its forward's ops). */
export function layerEmitter(m: Module): LayerEmitter | null {
  const proto = Object.getPrototypeOf(m) as Module & { forwardActivated?: unknown; fusedPool?: unknown };
  const e = BY_FORWARD.get(proto.forward);
  if (e === undefined) return null;
  // Conv2d's forward runs forwardActivated: an override there changes what forward computes.
  if (m instanceof Conv2d && proto.forwardActivated !== Conv2d.prototype.forwardActivated && proto.forwardActivated !== LazyConv2d.prototype.forwardActivated) return null;
  return e;
}

/** Autograd ops allowed inside a module's own forward(), the ONNX op each becomes, and how to re-compute it from its inputs. */
const OPS: Record<string, { op: string; check: (ins: Tensor[], out: Tensor) => Tensor | null }> = {
  ReluBackward0: { op: 'Relu', check: ([a]) => relu(a!) },
  SigmoidBackward0: { op: 'Sigmoid', check: ([a]) => sigmoid(a!) },
  TanhBackward0: { op: 'Tanh', check: ([a]) => tanh(a!) },
  AddBackward0: { op: 'Add', check: ([a, b]) => add(a!, b!) },
  SubBackward0: { op: 'Sub', check: ([a, b]) => sub(a!, b!) },
  MulBackward0: { op: 'Mul', check: ([a, b]) => mul(a!, b!) },
  DivBackward0: { op: 'Div', check: ([a, b]) => div(a!, b!) },
  CatBackward0: { op: 'Concat', check: (ins, out) => cat(ins, catAxis(ins, out)) },
  ViewBackward0: { op: 'Reshape', check: () => null },
  ReshapeAliasBackward0: { op: 'Reshape', check: () => null },
};

/** The one axis along which `ins` were concatenated into `out` (shapes agree everywhere else). */
function catAxis(ins: readonly Tensor[], out: Tensor): number {
  for (let d = 0; d < out.ndim; d++) if (ins.some((t) => t.shape[d] !== out.shape[d])) return d;
  return 0;
}

/** Emit an autograd op met inside `path`'s forward; its input values are `inputs` (names) and `ins` (traced tensors). */
export function emitOp(ctx: EmitContext, node: GradNode, out: Tensor, inputs: string[], ins: Tensor[], path: string, m: Module): string {
  const spec = OPS[node.name];
  const scope = scopeOf(path);
  const where = describeModule(path, m);
  if (spec === undefined) {
    const op = node.name.replace(/Backward\d+$/, '');
    throw new Error(`exportOnnx: ${where} computes ${op} (autograd node ${node.name}) in its own forward(), which has no ONNX export here ` +
      `(allowed there: relu, sigmoid, tanh, add, sub, mul, div, cat, reshape/view; use built-in layers such as nn.Conv2d for the rest)`);
  }
  if (spec.op === 'Reshape') return reshapeTo(ctx, inputs[0]!, ins[0]!, out, scope, where);
  const again = noGrad(() => spec.check(ins, out));
  if (again !== null && !(again.shape.join() === out.shape.join() && again.data.every((v, i) => Object.is(v, out.data[i]) || v === out.data[i]))) {
    throw new Error(`exportOnnx: ${where}: its ${node.name.replace(/Backward\d+$/, '').toLowerCase()} does not compute the plain ${spec.op} ` +
      `of its inputs (an alpha or other option?), so it cannot be exported as ${spec.op}`);
  }
  return ctx.node(scope, spec.op, inputs, spec.op === 'Concat' ? { axis: catAxis(ins, out) } : {});
}
