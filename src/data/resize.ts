/**
 * Bilinear resize of image planes, the arithmetic of torch's
 * `F.interpolate(mode='bilinear', align_corners=False, antialias=False)`, which is what
 * torchvision's `transforms.Resize` does on tensors when upsampling (antialias only matters when
 * shrinking). Used once, up front, on a whole split, so training epochs never pay for it.
 */

/** Per-output-index source taps: lo/hi input indices and the weight of hi. */
interface Taps { lo: Int32Array; hi: Int32Array; w: Float32Array }

function taps(inSize: number, outSize: number): Taps {
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), w = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    // Half-pixel centres; PyTorch clamps negative source coordinates to 0 (edges replicate).
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo[o] = i0;
    hi[o] = Math.min(i0 + 1, inSize - 1);
    w[o] = src - i0;
  }
  return { lo, hi, w };
}

/**
 * Resize `planes` stacked [n, inH, inW] (any numeric array; values are read as numbers) to
 * [n, outH, outW] float32. Same size is a plain copy.
 */
export function resizeBilinear(planes: ArrayLike<number>, n: number, inH: number, inW: number,
                               outH: number, outW: number): Float32Array {
  for (const [k, v] of [['n', n], ['inH', inH], ['inW', inW], ['outH', outH], ['outW', outW]] as const) {
    if (!Number.isInteger(v) || v < (k === 'n' ? 0 : 1)) throw new Error(`resizeBilinear: ${k} must be a positive integer (got ${v})`);
  }
  if (planes.length !== n * inH * inW) {
    throw new Error(`resizeBilinear: input has ${planes.length} values but [${n}, ${inH}, ${inW}] needs ${n * inH * inW}`);
  }
  const out = new Float32Array(n * outH * outW);
  if (inH === outH && inW === outW) {
    for (let i = 0; i < out.length; i++) out[i] = planes[i]!;
    return out;
  }
  const ty = taps(inH, outH), tx = taps(inW, outW);
  for (let p = 0; p < n; p++) {
    const ib = p * inH * inW, ob = p * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = ib + ty.lo[oy]! * inW, r1 = ib + ty.hi[oy]! * inW, wy = ty.w[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = tx.lo[ox]!, x1 = tx.hi[ox]!, wx = tx.w[ox]!;
        const top = planes[r0 + x0]! * (1 - wx) + planes[r0 + x1]! * wx;
        const bot = planes[r1 + x0]! * (1 - wx) + planes[r1 + x1]! * wx;
        out[ob + oy * outW + ox] = top * (1 - wy) + bot * wy;
      }
    }
  }
  return out;
}
