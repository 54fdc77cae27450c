/**
 * Decoding images in browsers (pages and Web Workers) with the browser's own decoders:
 * `createImageBitmap` then an `OffscreenCanvas` readback, without colour-space conversion or
 * alpha premultiplication, so PNG pixels arrive as stored. No Node module is imported here.
 */
import { ImageLoadError } from '../loader/batch.js';
import { convertChannels, type PixelImage } from '../image.js';

interface Canvas2D { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
interface BrowserGlobals {
  createImageBitmap?: (b: Blob, o?: Record<string, string>) => Promise<{ width: number; height: number; close(): void }>;
  OffscreenCanvas?: new (w: number, h: number) => { getContext(k: '2d', o?: Record<string, unknown>): Canvas2D | null };
}

/** True where createImageBitmap and OffscreenCanvas exist (modern browsers, their workers). */
export function browserDecodeSupported(): boolean {
  const g = globalThis as BrowserGlobals;
  return typeof g.createImageBitmap === 'function' && typeof g.OffscreenCanvas === 'function';
}

/** Decode an encoded image (Blob or bytes) to 1 or 3 channels; ImageLoadError naming `name` when the browser cannot. */
export async function decodeImageBlob(data: Blob | Uint8Array, name: string, channels: 1 | 3): Promise<PixelImage> {
  const g = globalThis as BrowserGlobals;
  if (!browserDecodeSupported()) throw new Error('decodeImageBlob: needs createImageBitmap and OffscreenCanvas (a browser or a Web Worker); in Node use convnet-ts/node');
  const blob = data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer>]);
  let bmp;
  try {
    bmp = await g.createImageBitmap!(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new ImageLoadError(name, `cannot decode the image (corrupt, truncated or not an image: ${(e as Error).message})`, { cause: e });
  }
  try {
    const canvas = new g.OffscreenCanvas!(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('decodeImageBlob: no 2d context on OffscreenCanvas');
    ctx.drawImage(bmp, 0, 0);
    const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    return convertChannels(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), bmp.width, bmp.height, 4, channels);
  } finally {
    bmp.close();
  }
}

/** fetch(url) and decode; ImageLoadError naming the URL for an HTTP error, a network failure or undecodable bytes. */
export async function fetchImage(url: string, channels: 1 | 3): Promise<PixelImage> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ImageLoadError(url, `cannot fetch: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ImageLoadError(url, `cannot fetch: HTTP ${res.status} ${res.statusText}`.trim());
  return decodeImageBlob(await res.blob(), url, channels);
}
