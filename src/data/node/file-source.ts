/** Samples that are image files on disk, decoded with sharp (used by ImageFolder and its data workers). */
import type { ItemSource } from '../loader/batch.js';
import type { PixelImage } from '../image.js';
import { decodeImageFile } from './decode.js';

/** files[i] with label labels[i], decoded to `channels`. */
export class FileSource implements ItemSource {
  constructor(readonly files: readonly string[], readonly labels: Int32Array, readonly channels: 1 | 3) {
    if (files.length !== labels.length) throw new Error(`FileSource: ${files.length} files but ${labels.length} labels`);
  }
  get length(): number { return this.files.length; }
  name(i: number): string { return this.files[i]!; }
  label(i: number): number { return this.labels[i]!; }
  load(i: number): Promise<PixelImage> {
    if (!(Number.isInteger(i) && i >= 0 && i < this.files.length)) throw new Error(`ImageFolder: index ${i} out of range for ${this.files.length} images`);
    return decodeImageFile(this.files[i]!, this.channels);
  }
}
