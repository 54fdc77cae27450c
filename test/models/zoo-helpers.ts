/** Shared pieces of the model-zoo tests: fixture types, parameter counting, state-dict listings. */
import { Tensor } from '../../src/tensor/tensor.js';
import type { Module } from '../../src/nn/module.js';
import { readSafetensorsFile } from '../../src/io/safetensors.js';
import { assertClose, type TensorJson } from '../helpers/fixtures.js';
import { Dropout } from '../../src/nn/dropout.js';

/** One full-size model in fixtures/models/summaries.json. */
export interface SummaryFixture {
  input_shape: number[];
  /** d2l's layer_summary lines, exactly as PyTorch printed them. */
  summary: string[];
  num_params: number;
  /** state_dict keys in order, with shapes. */
  state_keys: [string, number[]][];
}

/** fixtures/models/<name>.json for a small instance with weights in <name>.safetensors. */
export interface SmallFixture {
  config: Record<string, unknown>;
  input: TensorJson;
  labels: TensorJson;
  logits_eval: TensorJson;
  loss_eval: number;
  logits_train: TensorJson;
  loss_train: number;
  grads: Record<string, TensorJson>;
  running_after: Record<string, TensorJson>;
  num_params: number;
  state_keys: [string, number[]][];
  summary: string[];
  /** print(model) after the lazy layers were materialised. */
  repr: string;
  /** Five SGD steps from these weights on a small random batch (some fixtures). */
  trajectory?: {
    lr: number; input: TensorJson; labels: TensorJson; losses: number[];
    logits_eval_after: TensorJson; running_mean_after: Record<string, TensorJson>;
  };
}

/** Total number of parameter elements, as `sum(p.numel() for p in model.parameters())`. */
export function countParams(m: Module): number {
  return m.parameters().reduce((n, p) => n + p.numel(), 0);
}

/** [key, shape] for every state-dict entry, in order. */
export function stateKeys(m: Module): [string, number[]][] {
  return [...m.stateDict()].map(([k, t]) => [k, [...t.shape]]);
}

/** A PyTorch state_dict saved as safetensors, as Tensors (F32 → float32; I64 such as num_batches_tracked → int32). */
export function readStateDict(file: string): Map<string, Tensor> {
  const sd = new Map<string, Tensor>();
  for (const [k, e] of readSafetensorsFile(file).tensors) {
    if (e.dtype === 'F32') sd.set(k, new Tensor(e.data, e.shape, 'float32'));
    else if (e.dtype === 'I64') sd.set(k, new Tensor(Int32Array.from(e.data, (v) => Number(v)), e.shape, 'int32'));
    else throw new Error(`${file}: ${k} has dtype ${e.dtype}; the zoo fixtures hold F32 and I64 only`);
  }
  return sd;
}

/**
 * gen_models_full.py's pattern() for state_dict entry t, and the float64 sum of its values. Any language gets the same bits:
 * u ∈ [-1, 1) from a 32-bit integer hash of (t, element), then He-uniform for weights of rank ≥ 2,
 * 1 + u/4 for BatchNorm scales, u/10 for biases and running means, 1 + u/2 for running variances.
 */
export function patternTensor(key: string, t: number, shape: readonly number[]): [Tensor, number] {
  const n = shape.reduce((a, b) => a * b, 1);
  let scale: number, offset: number;
  if (key.endsWith('running_var')) [scale, offset] = [0.5, 1];
  else if (key.endsWith('running_mean') || key.endsWith('bias')) [scale, offset] = [0.1, 0];
  else if (shape.length >= 2) [scale, offset] = [Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1)), 0];
  else [scale, offset] = [0.25, 1];
  const out = new Float32Array(n);
  let sum = 0;
  const salt = Math.imul(t + 1, 40503);
  for (let i = 0; i < n; i++) {
    let x = (Math.imul(i + 1, 2654435761 | 0) + salt) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    x = Math.imul(x, 0x45d9f3b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    const u = x / 4294967296 * 2 - 1;
    out[i] = offset + scale * u; // numpy's float64 arithmetic (+0 is exact), rounded once to float32
    sum += out[i]!;
  }
  return [new Tensor(out, [...shape], 'float32'), sum];
}

/**
 * Load gen_models_full.py's pattern weights for the state_dict layout `keys` ([name, shape] in
 * PyTorch's order) into `m`, lazy layers included; num_batches_tracked is 0. Returns the float64 sum
 * of the values written, which must equal the fixture's `checksum`.
 */
export function loadPatternWeights(m: Module, keys: readonly (readonly [string, readonly number[]])[]): number {
  const sd = new Map<string, Tensor>();
  let sum = 0;
  keys.forEach(([k, shape], t) => {
    if (k.endsWith('num_batches_tracked')) { sd.set(k, new Tensor(new Int32Array(1), [], 'int32')); return; }
    const [p, s] = patternTensor(k, t, shape);
    sum += s;
    sd.set(k, p);
  });
  m.loadStateDict(sd);
  return sum;
}

/** Tolerance scaled to the tensor's magnitude: float32 sums in a different order differ by ~1e-6 relative. */
export function closeTo(actual: Tensor, expected: TensorJson, what: string, rtol = 1e-4): void {
  const scale = Math.max(...expected.data.map(Math.abs), 1e-12);
  assertClose(actual, expected, { rtol, atol: rtol * 0.1 * scale, what });
}

/** Train mode with Dropout off: BatchNorm uses batch statistics, and the result is deterministic. */
export function trainWithoutDropout(m: Module): void {
  m.train();
  for (const sub of m.modules()) if (sub instanceof Dropout) sub.eval();
}
