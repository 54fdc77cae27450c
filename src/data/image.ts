/**
 * The two image values the transforms pass along, both plain typed arrays so they cross to data
 * workers without copies:
 * - `PixelImage`: decoded 8-bit pixels, height × width × channels interleaved (what a PIL Image
 *   holds); 1 channel (PIL mode 'L') or 3 (mode 'RGB').
 * - `FloatImage`: float32 [C, H, W] planes (what torchvision's ToTensor returns), the input of
 *   Normalize and what the DataLoader stacks into a batch [B, C, H, W].
 */

/** Decoded 8-bit pixels, HWC interleaved; channels 1 (grayscale) or 3 (RGB). */
export interface PixelImage {
  readonly kind: 'pixels';
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/** Float32 image [C, H, W] (channel planes, row-major). */
export interface FloatImage {
  readonly kind: 'float';
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** Either image kind; geometric transforms take both, like torchvision takes PIL images and tensors. */
export type ImageLike = PixelImage | FloatImage;

/** pixelImage(data, width, height, channels): a PixelImage over HWC bytes (validated). */
export function pixelImage(data: Uint8Array, width: number, height: number, channels: 1 | 3): PixelImage {
  if (!(Number.isInteger(width) && width >= 1 && Number.isInteger(height) && height >= 1)) {
    throw new Error(`pixelImage: width and height must be positive integers (got ${width}x${height})`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`pixelImage: channels must be 1 or 3 (got ${channels})`);
  if (data.length !== width * height * channels) {
    throw new Error(`pixelImage: ${data.length} bytes do not make a ${width}x${height} image with ${channels} channel(s)`);
  }
  return { kind: 'pixels', width, height, channels, data };
}

/** floatImage(data, [C, H, W]): a FloatImage over CHW float32 values (validated). */
export function floatImage(data: Float32Array, shape: readonly [number, number, number]): FloatImage {
  const [channels, height, width] = shape;
  if (data.length !== channels * height * width) {
    throw new Error(`floatImage: ${data.length} values do not make an image of shape [${shape.join(', ')}]`);
  }
  return { kind: 'float', channels, height, width, data };
}

/** `[C, H, W]` of either kind. */
export function imageShape(img: ImageLike): [number, number, number] {
  return [img.channels, img.height, img.width];
}

/**
 * Interleaved 8-bit pixels with 1–4 channels (gray, gray+alpha, RGB, RGBA, as decoders return them)
 * converted to `channels` 1 or 3 the way PIL's `convert('L' | 'RGB')` does: alpha is dropped (not
 * composited), gray is replicated to RGB, and RGB becomes luma with PIL's integer weights
 * (R·19595 + G·38470 + B·7471 + 2^15) >> 16 (ITU-R 601-2: 0.299, 0.587, 0.114).
 */
export function convertChannels(src: Uint8Array, width: number, height: number, srcChannels: number, channels: 1 | 3): PixelImage {
  if (!(srcChannels >= 1 && srcChannels <= 4)) throw new Error(`convertChannels: cannot convert ${srcChannels}-channel pixels (1 to 4 supported)`);
  const n = width * height;
  if (src.length !== n * srcChannels) throw new Error(`convertChannels: ${src.length} bytes do not make ${width}x${height}x${srcChannels}`);
  const color = srcChannels >= 3;
  if ((channels === 3) === color && srcChannels === channels) return pixelImage(src, width, height, channels);
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const p = i * srcChannels;
    if (channels === 1) {
      out[i] = color ? (src[p]! * 19595 + src[p + 1]! * 38470 + src[p + 2]! * 7471 + 0x8000) >>> 16 : src[p]!;
    } else if (color) {
      out[3 * i] = src[p]!; out[3 * i + 1] = src[p + 1]!; out[3 * i + 2] = src[p + 2]!;
    } else {
      const v = src[p]!;
      out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v;
    }
  }
  return pixelImage(out, width, height, channels);
}

/** PIL luma of one RGB pixel (see convertChannels). */
export function luma8(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}
