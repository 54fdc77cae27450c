/**
 * exportOnnx(model, inputShape) → the bytes of an ONNX file (opset 13, IR version 7): the model's
 * inference graph (eval mode: BatchNorm with running statistics, Dropout left out), with PyTorch's
 * node names (`/net/net.0/Conv`), value names (`/net/net.0/Conv_output_0`) and initializer names
 * (the state_dict keys, `net.0.weight`), graph input `input` and output `output`, as
 * torch.onnx.export(model, x, f, opset_version=13, input_names=['input'], output_names=['output'])
 * names them. The graph is found by tracing one forward pass (trace.ts); what cannot be written
 * exactly is an error naming the module and the op, never a wrong graph. Universal: no node: imports.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../../nn/module.js';
import { UninitializedBuffer, UninitializedParameter } from '../../nn/parameter.js';
import { formatShape } from '../../tensor/shape.js';
import { encodeModel, type AttrValue, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { scopeOf, traceModel, type Producer } from './trace.js';
import { emitOp, layerEmitter, type EmitContext } from './emit.js';

/** Options of exportOnnx. */
export interface ExportOnnxOptions {
  /** ONNX opset; 13 is the one written (and the default). */
  opsetVersion?: number;
  /** Graph input name (default 'input'). */
  inputName?: string;
  /** Graph output name (default 'output'). */
  outputName?: string;
  /** Leave the batch dim symbolic ('batch') so one file serves any batch size (default false: inputShape exactly). */
  dynamicBatch?: boolean;
}

/** exportOnnx(model, [N, C, H, W]) → ONNX model bytes; see the module comment. The model's training flags are restored afterwards. */
export function exportOnnx(model: Module, inputShape: readonly number[], opts: ExportOnnxOptions = {}): Uint8Array {
  return encodeModel(onnxGraph(model, inputShape, opts));
}

/** The graph exportOnnx would write (nodes, initializers, inputs, outputs), to inspect before encoding. */
export function onnxGraph(model: Module, inputShape: readonly number[], opts: ExportOnnxOptions = {}): OnnxModel {
  const opset = opts.opsetVersion ?? 13;
  if (opset !== 13) throw new Error(`exportOnnx: opsetVersion ${opset} is not supported (convnet-ts writes opset 13)`);
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`exportOnnx: inputShape must be positive integers like [1, 1, 28, 28], got ${JSON.stringify(inputShape)}`);
  }
  const inputName = opts.inputName ?? 'input', outputName = opts.outputName ?? 'output';
  const stateNames = new Map<Tensor, string>();
  for (const [k, t] of model.stateDict()) {
    if (t instanceof UninitializedParameter || t instanceof UninitializedBuffer) {
      throw new Error(`exportOnnx: '${k}' belongs to a lazy layer that has not seen an input yet; load weights or run a forward pass first`);
    }
    if (!stateNames.has(t)) stateNames.set(t, k);
  }

  const training = new Map(model.modules().map((m) => [m, m.training]));
  model.eval();
  let trace;
  try {
    trace = traceModel(model, inputShape, (m) => layerEmitter(m) !== null, stateNames);
  } finally {
    for (const [m, t] of training) m.training = t;
  }

  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const initNames = new Map<Tensor, string>();
  const usedNames = new Map<string, number>();
  const unique = (base: string): string => {
    const n = usedNames.get(base) ?? 0;
    usedNames.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
  const ctx: EmitContext = {
    dynamicBatch: opts.dynamicBatch ?? false,
    node(scope, opType, inputs, attrs: Record<string, AttrValue> = {}) {
      const name = unique(`${scope}/${opType}`);
      const out = `${name}_output_0`;
      nodes.push({ name, opType, inputs, outputs: [out], attrs });
      return out;
    },
    state(t, what) {
      const have = initNames.get(t);
      if (have !== undefined) return have;
      const name = stateNames.get(t);
      if (name === undefined) throw new Error(`exportOnnx: a layer's ${what} is not registered in the model's state_dict`);
      initializers.push({ name, dims: t.shape.slice(), data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
      initNames.set(t, name);
      return name;
    },
    floats(hint, data) {
      const name = unique(`onnx::${hint}`);
      initializers.push({ name, dims: [data.length], data, packed: true });
      return name;
    },
    int64s(scope, values) {
      const name = unique(`${scope}/Constant`);
      const out = `${name}_output_0`;
      const value: OnnxTensor = { name: '', dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
      nodes.push({ name, opType: 'Constant', inputs: [], outputs: [out], attrs: { value } });
      return out;
    },
  };

  // Post-order over the producers, from the output back to the input (iterative: deep nets).
  const names = new Map<Tensor, string>([[trace.input, inputName]]);
  const depsOf = (p: Producer): readonly Tensor[] => (p.kind === 'layer' ? p.inputs : p.kind === 'op' ? p.node.inputs : []);
  const stack: [Tensor, boolean][] = [[trace.output, false]];
  while (stack.length > 0) {
    const [t, ready] = stack.pop()!;
    if (names.has(t)) continue;
    const p = trace.producers.get(t);
    if (p === undefined) {
      throw new Error(`exportOnnx: a tensor ${formatShape(t.shape)} reaching the output was made outside every module's recorded ops ` +
        '(under noGrad or detach, or before the model was called)');
    }
    if (!ready) {
      stack.push([t, true]);
      // Reversed, so the first input's subgraph is emitted first: nodes come out in the order the
      // forward ran them (b1 before b2 of an Inception), numbered as PyTorch numbers them (Relu, Relu_1).
      const deps = depsOf(p);
      for (let i = deps.length - 1; i >= 0; i--) if (!names.has(deps[i]!)) stack.push([deps[i]!, false]);
      continue;
    }
    const inputs = depsOf(p).map((d) => names.get(d)!);
    if (p.kind === 'state') names.set(t, ctx.state(t, p.name));
    else if (p.kind === 'layer') names.set(t, layerEmitter(p.module)!(ctx, p.module, inputs[0]!, p.inputs[0]!, t, scopeOf(p.path), p.path));
    else names.set(t, emitOp(ctx, p.node, t, inputs, [...p.node.inputs], p.path, p.module));
  }

  // The last node writes the graph output directly, as PyTorch's exporter names it.
  const outValue = names.get(trace.output)!;
  const last = nodes.find((n) => n.outputs[0] === outValue);
  if (last !== undefined && outValue !== inputName) {
    last.outputs[0] = outputName;
    for (const n of nodes) n.inputs = n.inputs.map((i) => (i === outValue ? outputName : i));
  } else {
    nodes.push({ name: unique('/Identity'), opType: 'Identity', inputs: [outValue], outputs: [outputName], attrs: {} });
  }
  const dims = (s: readonly number[]): (number | string)[] => s.map((d, i) => (i === 0 && ctx.dynamicBatch ? 'batch' : d));
  return {
    graphName: 'main_graph', nodes, initializers, opset, producerName: 'convnet-ts',
    inputs: [{ name: inputName, dims: dims(inputShape) }],
    outputs: [{ name: outputName, dims: dims(trace.output.shape) }],
  };
}


