/** d2l 7.5 pooling "from scratch" with tensor ops (autograd flows through max and mean). */
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { formatShape } from '../shape/index.js';

/** Max or average pooling with stride 1 and no padding (d2l's pool2d). X: [h, w] → [h - ph + 1, w - pw + 1]. */
export function pool2d(X: Tensor, poolSize: readonly [number, number], mode: 'max' | 'avg' = 'max'): Tensor {
  // The book's loop silently leaves zeros for any other mode; plain JavaScript callers get an error instead.
  if (mode !== 'max' && mode !== 'avg') throw new Error(`pool2d: mode must be 'max' or 'avg', got '${String(mode)}'`);
  const [ph, pw] = poolSize;
  const oh = X.shape[0]! - ph + 1, ow = X.shape[1]! - pw + 1;
  if (X.ndim !== 2 || oh < 1 || ow < 1) {
    throw new Error(`pool2d: expected a 2-D input at least as large as the window [${ph}, ${pw}], got ${formatShape(X.shape)}`);
  }
  const Y = zeros([oh, ow]);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const win = X.get([i, i + ph], [j, j + pw]);
      Y.set([i, j], mode === 'max' ? win.max() : win.mean());
    }
  }
  return Y;
}
