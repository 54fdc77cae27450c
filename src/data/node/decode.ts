/**
 * Decoding image files in Node with `sharp` (libvips; PNG, JPEG, WebP, GIF, TIFF, AVIF), an
 * optional peer dependency: it is loaded on first use, and its absence is an error that says what
 * to install. Pixels come back as PIL would give them after `convert('L' | 'RGB')` (see
 * convertChannels); 16-bit files are scaled to 8 bits (PIL clips them instead).
 */
import { promises as fsp } from 'node:fs';
import { ImageLoadError } from '../loader/batch.js';
import { convertChannels, type PixelImage } from '../image.js';

type SharpFactory = (input: Uint8Array, options?: Record<string, unknown>) => {
  raw(): { toBuffer(o: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }> };
};

let sharpPromise: Promise<SharpFactory> | null = null;

/** The message when sharp cannot be loaded. */
export const SHARP_MISSING =
  "decoding images in Node needs the optional dependency 'sharp' (libvips, prebuilt binaries from npm): run 'npm install sharp'";

/** sharp's default export, loaded once; an error naming the package to install when it is missing or broken. */
export function loadSharp(): Promise<SharpFactory> {
  sharpPromise ??= (async () => {
    try {
      // A variable specifier keeps TypeScript and bundlers from requiring sharp at build time.
      const name = 'sharp';
      const m = (await import(name)) as { default: SharpFactory & { cache(o: boolean): unknown } };
      // libvips' operation cache only costs time here: every image is decoded once per epoch.
      m.default.cache(false);
      return m.default;
    } catch (e) {
      sharpPromise = null;
      const code = (e as { code?: string }).code;
      const why = code === 'ERR_MODULE_NOT_FOUND' ? 'it is not installed' : `it failed to load: ${(e as Error).message.split('\n')[0]}`;
      throw new Error(`${SHARP_MISSING} (${why})`, { cause: e });
    }
  })();
  return sharpPromise;
}

/** Decode encoded image bytes to 1 (grayscale) or 3 (RGB) channels; an ImageLoadError naming `name` when they are not a readable image. */
export async function decodeImage(bytes: Uint8Array, name: string, channels: 1 | 3): Promise<PixelImage> {
  const sharp = await loadSharp();
  let r: { data: Uint8Array; info: { width: number; height: number; channels: number } };
  try {
    // failOn 'warning' (sharp's default): a truncated file is an error, as in PIL, not a half-grey picture.
    r = await sharp(bytes, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.trim();
    throw new ImageLoadError(name, `cannot decode the image (corrupt, truncated or not an image: ${msg})`, { cause: e });
  }
  const { data, info } = r;
  return convertChannels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels, channels);
}

/** Read and decode one image file; ImageLoadError for a missing, unreadable or corrupt file. */
export async function decodeImageFile(file: string, channels: 1 | 3): Promise<PixelImage> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'file not found (was it moved or deleted after the folder was scanned?)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied (make the file readable, e.g. chmod a+r)'
      : code === 'EISDIR' ? 'is a directory, not an image file'
      : `cannot read the file: ${(e as Error).message}`;
    throw new ImageLoadError(file, why, { cause: e });
  }
  return decodeImage(bytes, file, channels);
}

/** Width, height and channel count of an image file without decoding its pixels (for `channels: 'auto'`). */
export async function probeImageChannels(file: string): Promise<number> {
  const sharp = (await loadSharp()) as unknown as (f: string) => { metadata(): Promise<{ channels?: number; hasAlpha?: boolean; space?: string }> };
  try {
    const m = await sharp(file).metadata();
    const c = (m.channels ?? 3) - (m.hasAlpha ? 1 : 0);
    return m.space === 'b-w' || m.space === 'grey16' || c === 1 ? 1 : 3;
  } catch (e) {
    throw new ImageLoadError(file, `cannot read the image header: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}
