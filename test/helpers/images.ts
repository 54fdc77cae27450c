/** Writing small image folders for tests (sharp encodes; the tests then read them back through ImageFolder). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A fresh temporary directory, removed by the caller. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write HWC 8-bit pixels as PNG / JPEG / WebP (by extension; WebP lossless, JPEG quality 90). */
export async function writeImage(file: string, data: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } });
  // Without b-w, sharp stores one-channel input as RGB.
  const img = channels === 1 ? raw.toColourspace('b-w') : raw;
  const ext = path.extname(file).toLowerCase();
  const out = ext === '.png' ? img.png() : ext === '.webp' ? img.webp({ lossless: true }) : img.jpeg({ quality: 90 });
  await out.toFile(file);
}

/** Deterministic pixels: value depends on position, sample number and channel. */
export function pattern(width: number, height: number, channels: 1 | 3, seed: number): Uint8Array {
  const d = new Uint8Array(width * height * channels);
  for (let i = 0; i < d.length; i++) d[i] = (i * 37 + seed * 101 + ((i * seed) % 13) * 7) & 255;
  return d;
}
