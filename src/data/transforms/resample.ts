/**
 * Resizing 8-bit pixels exactly as Pillow's `Image.resize` does (what torchvision's Resize runs on a
 * PIL image): a separable convolution whose filter support widens by the scale when shrinking
 * (antialiasing), coefficients normalised per output pixel and rounded to 22-bit fixed point,
 * a horizontal pass over just the rows the vertical pass reads, then the vertical pass, each
 * rounding to 8 bits. Nearest-neighbour is Pillow's affine sampling at pixel centres.
 * Float images ([C, H, W]) resize like torch's `F.interpolate(..., align_corners=False)` without
 * antialiasing, which is what torchvision 0.14's Resize does on tensors by default.
 */
import type { FloatImage, PixelImage } from '../image.js';
import { resizeBilinear } from '../resize.js';

/** Resampling filters (torchvision's InterpolationMode names). */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';

export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', 'bicubic'];

interface Filter { support: number; f: (x: number) => number }

const FILTERS: Record<'bilinear' | 'bicubic', Filter> = {
  bilinear: { support: 1, f: (x) => { x = Math.abs(x); return x < 1 ? 1 - x : 0; } },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

const PRECISION_BITS = 22;

/** Per output index: first input index, tap count and fixed-point weights (ksize per row). */
interface Coeffs { ksize: number; xmin: Int32Array; count: Int32Array; k: Int32Array }

// Epochs resize many images between the same sizes: keep the last few coefficient tables.
const COEFF_CACHE = new Map<string, Coeffs>();

function coeffs(inSize: number, outSize: number, filter: Filter): Coeffs {
  const key = `${inSize}:${outSize}:${filter.support}`;
  let c = COEFF_CACHE.get(key);
  if (c === undefined) {
    c = computeCoeffs(inSize, outSize, filter);
    if (COEFF_CACHE.size >= 16) COEFF_CACHE.delete(COEFF_CACHE.keys().next().value!);
    COEFF_CACHE.set(key, c);
  }
  return c;
}

function computeCoeffs(inSize: number, outSize: number, filter: Filter): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const xminA = new Int32Array(outSize), countA = new Int32Array(outSize), k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C's (int) cast truncates towards zero; the arguments here are >= -0.5 so trunc == Pillow's.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) { w[x] = filter.f((x + xmin - center + 0.5) * ss); ww += w[x]!; }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x]! / ww : w[x]!;
      k[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    xminA[xx] = xmin;
    countA[xx] = xmax;
  }
  return { ksize, xmin: xminA, count: countA, k };
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** resizePixels(img, outH, outW, interpolation): Pillow's Image.resize on an 'L' or 'RGB' image, bit for bit. */
export function resizePixels(img: PixelImage, outH: number, outW: number, interpolation: Interpolation = 'bilinear'): PixelImage {
  checkSize('resize', outH, outW);
  const { width: W, height: H, channels: C, data } = img;
  if (W === outW && H === outH) return { ...img, data: data.slice() };
  if (interpolation === 'nearest') return resizeNearestPixels(img, outH, outW);
  const filter = FILTERS[interpolation];
  if (filter === undefined) throw new Error(`resize: unknown interpolation '${interpolation}' (use ${INTERPOLATIONS.join(', ')})`);
  const needH = outW !== W, needV = outH !== H;
  const cv = coeffs(H, outH, filter);
  // Rows the vertical pass reads; the horizontal pass computes only those.
  const yFirst = cv.xmin[0]!, yLast = cv.xmin[outH - 1]! + cv.count[outH - 1]!;
  let src = data, srcW = W, srcH = H, yOff = 0;
  if (needH) {
    const ch = coeffs(W, outW, filter);
    const rows = yLast - yFirst;
    const tmp = new Uint8Array(rows * outW * C);
    const half = 1 << (PRECISION_BITS - 1);
    for (let y = 0; y < rows; y++) {
      const rowIn = (y + yFirst) * W * C, rowOut = y * outW * C;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = ch.xmin[xx]!, n = ch.count[xx]!, kb = xx * ch.ksize;
        for (let c = 0; c < C; c++) {
          let ss = half;
          for (let x = 0; x < n; x++) ss += data[rowIn + (x + xmin) * C + c]! * ch.k[kb + x]!;
          tmp[rowOut + xx * C + c] = clip8(ss);
        }
      }
    }
    src = tmp; srcW = outW; srcH = rows; yOff = yFirst;
  }
  if (!needV) return { kind: 'pixels', width: outW, height: outH, channels: C, data: src === data ? data.slice() : src };
  const out = new Uint8Array(outH * srcW * C);
  const half = 1 << (PRECISION_BITS - 1);
  const rowLen = srcW * C;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = cv.xmin[yy]! - yOff, n = cv.count[yy]!, kb = yy * cv.ksize;
    for (let i = 0; i < rowLen; i++) {
      let ss = half;
      for (let y = 0; y < n; y++) ss += src[(y + ymin) * rowLen + i]! * cv.k[kb + y]!;
      out[yy * rowLen + i] = clip8(ss);
    }
  }
  void srcH;
  return { kind: 'pixels', width: outW, height: outH, channels: C, data: out };
}

/** Pillow's NEAREST resize: the source pixel under each output pixel's centre. */
function resizeNearestPixels(img: PixelImage, outH: number, outW: number): PixelImage {
  const { width: W, height: H, channels: C, data } = img;
  const xs = Int32Array.from({ length: outW }, (_, x) => Math.min(Math.floor((x + 0.5) * (W / outW)), W - 1));
  const out = new Uint8Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(Math.floor((y + 0.5) * (H / outH)), H - 1);
    for (let x = 0; x < outW; x++) {
      const s = (sy * W + xs[x]!) * C, d = (y * outW + x) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c]!;
    }
  }
  return { kind: 'pixels', width: outW, height: outH, channels: C, data: out };
}

/** resizeFloat(img, outH, outW, interpolation): torch F.interpolate on [C, H, W] (bilinear: align_corners=False; nearest: legacy floor). */
export function resizeFloat(img: FloatImage, outH: number, outW: number, interpolation: Interpolation = 'bilinear'): FloatImage {
  checkSize('resize', outH, outW);
  const { channels: C, height: H, width: W, data } = img;
  if (interpolation === 'bilinear') {
    return { kind: 'float', channels: C, height: outH, width: outW, data: resizeBilinear(data, C, H, W, outH, outW) };
  }
  if (interpolation === 'nearest') {
    const out = new Float32Array(C * outH * outW);
    const sx = W / outW, sy = H / outH;
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < outH; y++) {
        const iy = Math.min(Math.floor(y * sy), H - 1);
        for (let x = 0; x < outW; x++) out[(c * outH + y) * outW + x] = data[(c * H + iy) * W + Math.min(Math.floor(x * sx), W - 1)]!;
      }
    }
    return { kind: 'float', channels: C, height: outH, width: outW, data: out };
  }
  throw new Error(`resize: interpolation '${interpolation}' is supported on 8-bit images only (float images: bilinear, nearest); put Resize before ToTensor`);
}

function checkSize(op: string, h: number, w: number): void {
  if (!(Number.isInteger(h) && h >= 1 && Number.isInteger(w) && w >= 1)) throw new Error(`${op}: output size must be positive integers (got ${h}x${w})`);
}
