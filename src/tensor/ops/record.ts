/** Helpers every op uses: wrap scalars, make float32 views of inputs, and record graph nodes. */
import { Tensor, type TensorLike } from '../tensor.js';
import { isGradEnabled } from '../../autograd/grad-mode.js';
import { captureTrace, checkForward, isAnomalyEnabled } from '../../autograd/anomaly.js';
import type { DType } from '../dtype.js';

/** A tensor from a scalar operand, typed to match `like` (int tensor + integer stays int). */
export function asTensor(v: TensorLike, like: Tensor): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== 'number') throw new Error(`expected a Tensor or a number, got ${typeof v}`);
  const dtype: DType = like.dtype === 'float32' || !Number.isInteger(v) ? 'float32' : like.dtype === 'bool' ? 'int32' : like.dtype;
  const data = dtype === 'float32' ? new Float32Array([v]) : new Int32Array([v]);
  return new Tensor(data, [], dtype);
}

/** The data as Float32Array (no copy for float32 tensors). */
export function f32(t: Tensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

/** Would an op on these inputs be recorded? */
export function needsGrad(...inputs: Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Attach a graph node to `out` when any input requires grad (and grad mode is on).
 * `backward` receives the output gradient and returns one gradient (or null) per input.
 * Pass `savesOutput` when `backward` reads `out`, so an in-place change of `out` is caught at backward,
 * and `saved` (indices into `inputs`) when backward reads only some inputs' values (default: all),
 * so in-place changes of the others are allowed, as in PyTorch.
 */
export function record(out: Tensor, name: string, inputs: Tensor[],
                       backward: (g: Tensor) => (Tensor | null)[], savesOutput = false,
                       saved?: readonly number[]): Tensor {
  if (!needsGrad(...inputs)) return out;
  const output = savesOutput ? { tensor: out, version: out.version } : undefined;
  const anomaly = isAnomalyEnabled();
  if (anomaly) checkForward(name, out, inputs);
  const trace = anomaly ? captureTrace() : undefined;
  out.setGradFn({ name, inputs, versions: inputs.map((t) => t.version), backward,
                  ...(output ? { output } : {}), ...(trace !== undefined ? { trace } : {}),
                  ...(saved !== undefined ? { saved } : {}) });
  return out;
}

/** Float32 tensor over `data` with `shape`. */
export function fromF32(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape, 'float32');
}

/**
 * Give the node that produced `out` PyTorch's name for a composite op (mean is div∘sum here, but
 * prints `grad_fn=<MeanBackward0>` like PyTorch). No-op when `out` is one of `inputs` (an op that
 * returned its input unchanged) or was not recorded.
 */
export function renameGradFn(out: Tensor, name: string, inputs: readonly Tensor[]): Tensor {
  const node = out.gradFn;
  if (node === null || inputs.includes(out) || inputs.some((t) => t.gradFn === node)) return out;
  out.setGradFn({ ...node, name, backward: node.backward });
  return out;
}
