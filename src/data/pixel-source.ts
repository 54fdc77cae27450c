/** In-memory 8-bit images as samples (no tensor imports: data workers in pages load this). */
import { pixelImage, type PixelImage } from './image.js';
import type { ItemSource } from './loader/batch.js';

/** Samples from n images of height × width × channels bytes (HWC) and labels: sample i is `images[i]`. */
export class PixelSource implements ItemSource {
  readonly length: number;
  private readonly size: number;
  constructor(readonly images: Uint8Array, readonly labels: Int32Array, readonly height: number, readonly width: number,
              readonly channels: 1 | 3, readonly what = 'image') {
    this.size = height * width * channels;
    this.length = labels.length;
    if (images.length !== this.length * this.size) {
      throw new Error(`PixelDataset: ${images.length} bytes do not make ${this.length} images of ${height}x${width}x${channels}`);
    }
  }
  name(i: number): string { return `${this.what} ${i}`; }
  label(i: number): number { return this.labels[i]!; }
  load(i: number): PixelImage {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new Error(`PixelDataset: index ${i} out of range for ${this.length} images`);
    return pixelImage(this.images.subarray(i * this.size, (i + 1) * this.size), this.width, this.height, this.channels);
  }
}

