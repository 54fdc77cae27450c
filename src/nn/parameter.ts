/** A Parameter is a leaf tensor that a Module registers and optimisers update. */
import { Tensor } from '../tensor/tensor.js';

export class Parameter extends Tensor {
  /** A Parameter taking over a fresh tensor's storage (its handle is released, so the parameter is the only owner). */
  static adopt(fresh: Tensor, requiresGrad = true): Parameter {
    const p = new Parameter(fresh, requiresGrad);
    fresh.releaseHandle('adopted by a Parameter');
    return p;
  }

  /** Wrap `data`'s storage (not copied) as a trainable leaf; the library never releases a parameter. */
  constructor(data: Tensor, requiresGrad = true) {
    if (data.dtype !== 'float32') throw new Error(`Parameter: expected a float32 tensor, got ${data.dtype}`);
    super(data.storage, data.shape, 'float32');
    this.pinned = true;
    this.requiresGrad = requiresGrad;
  }
}

/**
 * Placeholder weight of a lazy module (`LazyConv2d`, `LazyLinear`): it has no shape until the
 * module sees its first input; touching it before then is an error that says so.
 */
export class UninitializedParameter extends Parameter {
  constructor(readonly owner: string) {
    super(new Tensor(new Float32Array(0), [0], 'float32'));
  }
}

/**
 * Placeholder buffer of a lazy module (LazyBatchNorm's running_mean / running_var), like PyTorch's
 * UninitializedBuffer: loadStateDict gives it the checkpoint's shape, so weights load before the
 * first forward pass.
 */
export class UninitializedBuffer extends Tensor {
  constructor(readonly owner: string) {
    super(new Float32Array(0), [0], 'float32');
  }
}
