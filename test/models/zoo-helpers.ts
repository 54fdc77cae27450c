/** Shared pieces of the model-zoo tests: fixture types, parameter counting, state-dict listings. */
import { Tensor } from '../../src/tensor/tensor.js';
import type { Module } from '../../src/nn/module.js';
import { readSafetensorsFile } from '../../src/io/safetensors.js';
import type { TensorJson } from '../helpers/fixtures.js';

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
