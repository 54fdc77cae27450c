/**
 * Trace a model's forward pass for export: run it once (eval mode, on a fixed input) and record,
 * for every tensor it makes, what produced it — a built-in layer (Conv2d, BatchNorm2d, ReLU, …,
 * whose own attributes the exporter reads), an autograd-recorded op inside a module with its own
 * forward() (the relu/add/cat of a Residual or Inception block), or a parameter/buffer.
 *
 * How: every module's `forward` is wrapped for the duration of the trace (an own property over the
 * prototype's, removed afterwards). A layer the exporter knows (`isLayer`) is recorded as one unit;
 * when any other module returns, the autograd graph below its output is walked back to tensors
 * already accounted for, and each op met is attributed to that module (the innermost one, as
 * modules return inside out). Wrapping `forward` also switches off Sequential's fused
 * conv+activation path (it only fuses un-wrapped built-ins), so each layer runs as itself.
 */
import { Tensor } from '../../tensor/tensor.js';
import type { GradNode } from '../../autograd/engine.js';
import { enableGrad } from '../../autograd/grad-mode.js';
import { keepTemporaries } from '../../tensor/lifetime.js';
import type { Module } from '../../nn/module.js';
import { formatShape } from '../../tensor/shape.js';

/** What produced a tensor in the traced forward pass. */
export type Producer =
  | { kind: 'layer'; module: Module; path: string; inputs: readonly Tensor[] }
  | { kind: 'op'; node: GradNode; path: string; module: Module }
  | { kind: 'state'; name: string };

/** The recorded pass: the input fed, the output returned, and the producer of every tensor in between. */
export interface Trace {
  input: Tensor;
  output: Tensor;
  producers: Map<Tensor, Producer>;
}

/** ONNX/PyTorch scope of a module path: 'net.b2.0.conv1' → '/net/b2/b2.0/conv1' (an index takes its parent's name as prefix). */
export function scopeOf(path: string): string {
  if (path === '') return '';
  const names: string[] = [];
  let prev = '';
  for (const seg of path.split('.')) {
    const own = /^\d+$/.test(seg) && prev !== '' ? `${prev}.${seg}` : seg;
    names.push(own);
    prev = own;
  }
  return '/' + names.join('/');
}

/** How errors name a module: its path (or '<model>') and class. */
export function describeModule(path: string, m: Module): string {
  return `module '${path === '' ? '<model>' : path}' (${m.constructor.name})`;
}

/** A deterministic, non-constant input (no draw from the global RNG: exporting must not change a seeded run). */
function traceInput(shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(0.7 * i + 0.3) * 0.5;
  return new Tensor(d, shape, 'float32').requiresGrad_();
}

/** Run `model` once on an input of `inputShape` and record the producer of every tensor (see the module comment). */
export function traceModel(model: Module, inputShape: readonly number[], isLayer: (m: Module) => boolean,
                           stateNames: ReadonlyMap<Tensor, string>): Trace {
  const input = traceInput(inputShape);
  const producers = new Map<Tensor, Producer>();
  // Tensors whose whole ancestry has been accounted for: an outer module's walk stops at them.
  const explored = new Set<Tensor>([input]);

  /** Attribute every unaccounted tensor below `out` (through the inputs of layers too) to the module at `path`. */
  const claim = (out: Tensor, path: string, m: Module): void => {
    const todo: Tensor[] = [out];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (explored.has(t)) continue;
      explored.add(t);
      const p = producers.get(t);
      if (p !== undefined) {
        if (p.kind === 'layer') for (const i of p.inputs) todo.push(i);
        continue;
      }
      const sn = stateNames.get(t);
      if (sn !== undefined) { producers.set(t, { kind: 'state', name: sn }); continue; }
      if (t.gradFn === null) {
        throw new Error(`exportOnnx: ${describeModule(path, m)} uses a tensor ${formatShape(t.shape)} that is neither the input, ` +
          'a parameter nor a buffer (a constant made in forward(), or a value computed under noGrad/detach); ' +
          'the exporter cannot tell what it depends on');
      }
      producers.set(t, { kind: 'op', node: t.gradFn, path, module: m });
      for (const i of t.gradFn.inputs) todo.push(i);
    }
  };

  const wrapped: Module[] = [];
  try {
    for (const [path, m] of model.namedModules()) {
      const layer = isLayer(m);
      const wrapper = function (this: Module, ...inputs: Tensor[]): Tensor {
        const out = (Object.getPrototypeOf(m) as Module).forward.apply(m, inputs);
        if (layer) {
          // An identity in eval mode (Dropout) hands its input back: nothing to record.
          if (!inputs.includes(out) && !producers.has(out)) producers.set(out, { kind: 'layer', module: m, path, inputs });
        } else {
          claim(out, path, m);
        }
        return out;
      };
      Object.defineProperty(m, 'forward', { value: wrapper, configurable: true, writable: true, enumerable: false });
      wrapped.push(m);
    }
    // Every intermediate must outlive the pass: the exporter reads the graph below the output afterwards.
    const output = keepTemporaries(() => enableGrad(() => model.call(input)));
    return { input, output, producers };
  } finally {
    for (const m of wrapped) delete (m as unknown as Record<string, unknown>).forward;
  }
}
