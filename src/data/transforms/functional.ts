/**
 * torchvision.transforms.functional for our two image kinds: 8-bit pixels follow the PIL code
 * paths torchvision takes on PIL images (bit for bit), float [C, H, W] images follow its tensor
 * code paths. Every function returns a new image.
 */
import { type FloatImage, type ImageLike, type PixelImage, luma8 } from '../image.js';
import { resizeFloat, resizePixels, type Interpolation } from './resample.js';

/** How `pad` fills the border (torchvision's padding_mode). */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Python's round(): halves go to the even neighbour (torchvision's crop offsets use it). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/**
 * Rows as runs of values: pixels are one run of width·C values per row; float images are C planes,
 * each row a run of width values. Copy kernels below work on runs, so both layouts share them.
 */
function planes(img: ImageLike): { planes: number; run: number; unit: number } {
  return img.kind === 'pixels' ? { planes: 1, run: img.width * img.channels, unit: img.channels } : { planes: img.channels, run: img.width, unit: 1 };
}

function make<T extends ImageLike>(like: T, height: number, width: number): T {
  const n = like.channels * height * width;
  const data = like.kind === 'pixels' ? new Uint8Array(n) : new Float32Array(n);
  return { ...like, height, width, data } as T;
}

/** resize(img, [h, w], interpolation): PIL's resize on pixels, F.interpolate on float images. */
export function resize<T extends ImageLike>(img: T, size: readonly [number, number], interpolation: Interpolation = 'bilinear'): T {
  return (img.kind === 'pixels' ? resizePixels(img, size[0], size[1], interpolation) : resizeFloat(img, size[0], size[1], interpolation)) as T;
}

/**
 * The output [h, w] of torchvision's Resize(size): a number matches the shorter edge (the longer
 * keeps the aspect ratio, truncated like Python's int()), at most `maxSize` on the longer edge.
 */
export function resizedSize(height: number, width: number, size: number | readonly [number, number], maxSize?: number): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  const wShort = width <= height;
  const short = wShort ? width : height, long = wShort ? height : width;
  let newShort = size, newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined) {
    if (maxSize <= size) throw new Error(`Resize: maxSize (${maxSize}) must be larger than size (${size})`);
    if (newLong > maxSize) { newShort = Math.trunc((maxSize * newShort) / newLong); newLong = maxSize; }
  }
  return wShort ? [newLong, newShort] : [newShort, newLong];
}

/** crop(img, top, left, height, width): like PIL's crop, the part outside the image is 0. */
export function crop<T extends ImageLike>(img: T, top: number, left: number, height: number, width: number): T {
  if (!(Number.isInteger(height) && height >= 1 && Number.isInteger(width) && width >= 1)) {
    throw new Error(`crop: height and width must be positive integers (got ${height}x${width})`);
  }
  const out = make(img, height, width), { planes: P, unit: u } = planes(img);
  const x0 = Math.max(0, left), x1 = Math.min(img.width, left + width);
  if (x1 <= x0) return out;
  const inRun = img.width * u, outRun = width * u;
  for (let p = 0; p < P; p++) {
    const inBase = p * img.height * inRun, outBase = p * height * outRun;
    for (let y = Math.max(0, -top); y < height && top + y < img.height; y++) {
      const s = inBase + (top + y) * inRun;
      out.data.set(img.data.subarray(s + x0 * u, s + x1 * u), outBase + y * outRun + (x0 - left) * u);
    }
  }
  return out;
}

/** centerCropBox(h, w, ch, cw): torchvision's center_crop offsets [top, left] (Python rounding). */
export function centerCropBox(height: number, width: number, cropH: number, cropW: number): [number, number] {
  return [pyRound((height - cropH) / 2), pyRound((width - cropW) / 2)];
}

/** centerCrop(img, [h, w]): torchvision's center_crop, zero-padding first when the crop is larger than the image. */
export function centerCrop<T extends ImageLike>(img: T, [ch, cw]: readonly [number, number]): T {
  let x = img;
  if (cw > x.width || ch > x.height) {
    const dw = Math.max(cw - x.width, 0), dh = Math.max(ch - x.height, 0);
    x = pad(x, [Math.floor(dw / 2), Math.floor(dh / 2), Math.floor((dw + 1) / 2), Math.floor((dh + 1) / 2)]);
    if (x.width === cw && x.height === ch) return x;
  }
  const [top, left] = centerCropBox(x.height, x.width, ch, cw);
  return crop(x, top, left, ch, cw);
}

/** Padding as torchvision takes it: n (all sides), [lr, tb] or [left, top, right, bottom] → [left, top, right, bottom]. */
export function paddingLTRB(padding: number | readonly number[]): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : padding;
  const r = p.length === 1 ? [p[0]!, p[0]!, p[0]!, p[0]!] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : p.length === 4 ? [...p] : null;
  if (r === null || r.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new Error(`pad: padding must be a non-negative integer or a list of 1, 2 or 4 of them (got ${JSON.stringify(padding)})`);
  }
  return r as [number, number, number, number];
}

/** Source index for position i of a padded axis of length n (i may be outside 0..n-1). */
function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'edge': return i < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      let m = ((i % period) + period) % period;
      if (m >= n) m = period - m;
      return m;
    }
    case 'symmetric': {
      const period = 2 * n;
      let m = ((i % period) + period) % period;
      if (m >= n) m = period - 1 - m;
      return m;
    }
    default: return -1;
  }
}

/** pad(img, padding, fill, mode): torchvision's pad (constant fill value for every channel, or edge/reflect/symmetric). */
export function pad<T extends ImageLike>(img: T, padding: number | readonly number[], fill = 0, mode: PaddingMode = 'constant'): T {
  const [l, t, r, b] = paddingLTRB(padding);
  if (mode === 'reflect' && (l >= img.width || r >= img.width || t >= img.height || b >= img.height)) {
    throw new Error(`pad: reflect padding (${l}, ${t}, ${r}, ${b}) must be smaller than the image (${img.height}x${img.width})`);
  }
  const H = img.height + t + b, W = img.width + l + r;
  const out = make(img, H, W), { planes: P, unit: u } = planes(img);
  const s = img.data, d = out.data;
  const inRun = img.width * u, outRun = W * u;
  if (mode === 'constant') {
    const v = img.kind === 'pixels' ? Math.max(0, Math.min(255, Math.round(fill))) : fill;
    if (v !== 0) d.fill(v);
    for (let p = 0; p < P; p++) {
      for (let y = 0; y < img.height; y++) {
        d.set(s.subarray((p * img.height + y) * inRun, (p * img.height + y + 1) * inRun), (p * H + y + t) * outRun + l * u);
      }
    }
    return out;
  }
  // Source column of every output column, then whole rows through that map.
  const xs = Int32Array.from({ length: W }, (_, x) => padIndex(x - l, img.width, mode));
  for (let p = 0; p < P; p++) {
    for (let y = 0; y < H; y++) {
      const si = (p * img.height + padIndex(y - t, img.height, mode)) * inRun, di = (p * H + y) * outRun;
      for (let x = 0; x < W; x++) for (let c = 0; c < u; c++) d[di + x * u + c] = s[si + xs[x]! * u + c]!;
    }
  }
  return out;
}

/** hflip(img): mirror left to right. */
export function hflip<T extends ImageLike>(img: T): T {
  const out = make(img, img.height, img.width), { planes: P, unit: u } = planes(img);
  const W = img.width, rows = P * img.height, s = img.data, d = out.data;
  for (let row = 0; row < rows; row++) {
    const base = row * W * u;
    for (let x = 0; x < W; x++) {
      const si = base + x * u, di = base + (W - 1 - x) * u;
      for (let c = 0; c < u; c++) d[di + c] = s[si + c]!;
    }
  }
  return out;
}

/**
 * PIL's Image.blend(base, img, alpha) per value, with `base` a constant per channel or an image:
 * base + alpha·(img − base) in single precision, truncated to 8 bits (clipped first when alpha > 1).
 */
function blendPixels(img: PixelImage, base: (i: number) => number, factor: number): PixelImage {
  const a = Math.fround(factor), s = img.data, out = new Uint8Array(s.length);
  if (a === 0) { for (let i = 0; i < s.length; i++) out[i] = base(i); return { ...img, data: out }; }
  if (a === 1) return { ...img, data: s.slice() };
  for (let i = 0; i < s.length; i++) {
    const b = base(i);
    const v = Math.fround(b + Math.fround(a * (s[i]! - b)));
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
  }
  return { ...img, data: out };
}

/** torchvision's _blend on float images: (ratio·img + (1 − ratio)·base) clamped to [0, 1]. */
function blendFloat(img: FloatImage, base: (i: number) => number, ratio: number): FloatImage {
  const r = Math.fround(ratio), q = Math.fround(1 - ratio), s = img.data, out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = Math.fround(Math.fround(r * s[i]!) + Math.fround(q * base(i)));
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...img, data: out };
}

function checkFactor(op: string, f: number): void {
  if (!(f >= 0) || !Number.isFinite(f)) throw new Error(`${op}: factor must be a non-negative number (got ${f})`);
}

/** adjustBrightness(img, factor): 0 gives black, 1 the original (PIL ImageEnhance.Brightness / tensor blend with zeros). */
export function adjustBrightness<T extends ImageLike>(img: T, factor: number): T {
  checkFactor('adjustBrightness', factor);
  return (img.kind === 'pixels' ? blendPixels(img, () => 0, factor) : blendFloat(img, () => 0, factor)) as T;
}

/** Float luma [H*W] of a [C, H, W] image (torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B in float32). */
function floatLuma(img: FloatImage): Float32Array {
  const n = img.height * img.width, d = img.data, out = new Float32Array(n);
  if (img.channels === 1) { out.set(d.subarray(0, n)); return out; }
  const wr = Math.fround(0.2989), wg = Math.fround(0.587), wb = Math.fround(0.114);
  for (let i = 0; i < n; i++) {
    out[i] = Math.fround(Math.fround(Math.fround(wr * d[i]!) + Math.fround(wg * d[n + i]!)) + Math.fround(wb * d[2 * n + i]!));
  }
  return out;
}

/** adjustContrast(img, factor): blend with the mean gray level (PIL ImageEnhance.Contrast: the rounded mean of the 'L' image). */
export function adjustContrast<T extends ImageLike>(img: T, factor: number): T {
  checkFactor('adjustContrast', factor);
  if (img.kind === 'pixels') {
    const s = img.data, n = img.width * img.height;
    let sum = 0;
    if (img.channels === 1) for (let i = 0; i < n; i++) sum += s[i]!;
    else for (let i = 0; i < n; i++) sum += luma8(s[3 * i]!, s[3 * i + 1]!, s[3 * i + 2]!);
    const mean = Math.trunc(sum / n + 0.5);
    return blendPixels(img, () => mean, factor) as T;
  }
  const l = floatLuma(img);
  let sum = 0;
  for (let i = 0; i < l.length; i++) sum += l[i]!;
  const mean = Math.fround(sum / l.length);
  return blendFloat(img, () => mean, factor) as T;
}

/** adjustSaturation(img, factor): blend with the image's own grayscale (0: gray, 1: original). */
export function adjustSaturation<T extends ImageLike>(img: T, factor: number): T {
  checkFactor('adjustSaturation', factor);
  if (img.channels === 1) return (img.kind === 'pixels' ? { ...img, data: img.data.slice() } : { ...img, data: img.data.slice() }) as T;
  if (img.kind === 'pixels') {
    const s = img.data;
    return blendPixels(img, (i) => { const p = i - (i % 3); return luma8(s[p]!, s[p + 1]!, s[p + 2]!); }, factor) as T;
  }
  const l = floatLuma(img), n = l.length;
  return blendFloat(img, (i) => l[i % n]!, factor) as T;
}

/** toTensor(pixels): float [C, H, W] in [0, 1] (value / 255), torchvision's to_tensor. */
export function toTensor(img: PixelImage): FloatImage {
  const { width: W, height: H, channels: C, data } = img;
  const out = new Float32Array(C * H * W), n = H * W;
  if (C === 1) for (let i = 0; i < n; i++) out[i] = data[i]! / 255;
  else for (let c = 0; c < C; c++) for (let i = 0, o = c * n; i < n; i++) out[o + i] = data[i * C + c]! / 255;
  return { kind: 'float', channels: C, height: H, width: W, data: out };
}

/** normalize(img, mean, std): (x − mean[c]) / std[c] per channel in float32 (one value broadcasts). */
export function normalize(img: FloatImage, mean: readonly number[], std: readonly number[]): FloatImage {
  const C = img.channels, n = img.height * img.width;
  const pick = (v: readonly number[], what: string): Float32Array => {
    if (v.length !== 1 && v.length !== C) throw new Error(`Normalize: ${what} has ${v.length} values but the image has ${C} channel(s)`);
    return Float32Array.from({ length: C }, (_, c) => v[v.length === 1 ? 0 : c]!);
  };
  const m = pick(mean, 'mean'), s = pick(std, 'std');
  if (s.some((v) => v === 0)) throw new Error(`Normalize: std evaluated to zero after conversion to float32 (std ${JSON.stringify(std)}), leading to division by zero`);
  const out = new Float32Array(img.data.length);
  for (let c = 0; c < C; c++) {
    const mc = m[c]!, sc = s[c]!;
    for (let i = c * n; i < (c + 1) * n; i++) out[i] = Math.fround(img.data[i]! - mc) / sc;
  }
  return { ...img, data: out };
}
