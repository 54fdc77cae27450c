/** Output sizes of sliding-window ops (convolution, pooling), PyTorch's formulas; used by the ops and the backends alike. */

/** PyTorch's convolution output size along one axis: floor((in + 2p - d(k-1) - 1) / s) + 1. */
export function convOutSize(inp: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((inp + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * PyTorch's pooling output size for a window spanning `k` input pixels (dilation already applied);
 * in ceil mode the last window must start inside the input or the left padding.
 */
export function poolOutSize(inp: number, k: number, s: number, p: number, ceilMode: boolean): number {
  let out = Math.floor((inp + 2 * p - (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= inp + p) out--;
  return out;
}
