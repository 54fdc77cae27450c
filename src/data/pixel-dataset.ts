/**
 * Images already decoded into memory (CIFAR, MNIST, pixels from a canvas), with a per-sample
 * transform, as a dataset the DataLoader loads on the training thread (numWorkers 0) or on worker
 * threads (the pixels are placed in shared memory once, so workers do not copy them).
 */
import { Tensor } from '../tensor/tensor.js';
import { fromArray } from '../tensor/creation.js';
import { Generator, drawSeedWords } from '../tensor/generator.js';
import type { PixelImage } from './image.js';
import { PixelSource } from './pixel-source.js';
import { toTensor } from './transforms/functional.js';
import type { Transform } from './transforms/transforms.js';
import { InlinePool, type LoaderPool, type PoolOptions, type StreamDataset } from './loader/pool.js';
import { startWorkerPool } from './loader/platform.js';

/** Options of PixelDataset: a transform (default: none, i.e. pixels scaled to [0, 1]), class names, a name for messages. */
export interface PixelDatasetOptions { transform?: Transform | null; classes?: readonly string[]; name?: string }

/** An in-memory image dataset with torchvision-style `transform`; `get(i)` → [image, label]. */
export class PixelDataset implements StreamDataset {
  readonly source: PixelSource;
  readonly transform: Transform | null;
  readonly classes: readonly string[];
  readonly skipBadImages = false;

  constructor(images: Uint8Array, labels: Int32Array | Uint8Array, shape: { height: number; width: number; channels: 1 | 3 }, opts: PixelDatasetOptions = {}) {
    this.source = new PixelSource(images, Int32Array.from(labels), shape.height, shape.width, shape.channels, opts.name ?? 'image');
    this.transform = opts.transform ?? null;
    this.classes = opts.classes ?? [];
  }
  get length(): number { return this.source.length; }
  get random(): boolean { return this.transform?.random ?? false; }
  /** Labels of all samples. */
  get targets(): Int32Array { return this.source.labels; }

  /** Sample i transformed: a Tensor [C, H, W] when the transform ends in float (ToTensor), else the pixels; random draws seeded by the global generator. */
  get(i: number): [Tensor | PixelImage, number] {
    const img = this.source.load(i);
    const out = this.transform === null ? img : this.transform.apply(img, new Generator(...drawSeedWords()));
    return [out.kind === 'float' ? fromArray(out.data, [out.channels, out.height, out.width]) : out, this.source.label(i)];
  }

  createPool(opts: PoolOptions): LoaderPool {
    if (opts.numWorkers === 0) return new InlinePool(this.source, this.transform, false);
    const s = this.source;
    // Shared memory: every worker reads the same bytes instead of receiving its own copy.
    let images = s.images;
    if (typeof SharedArrayBuffer !== 'undefined' && !(images.buffer instanceof SharedArrayBuffer)) {
      const shared = new Uint8Array(new SharedArrayBuffer(images.byteLength));
      shared.set(images);
      images = shared;
    }
    return startWorkerPool({
      source: { kind: 'pixels', images, labels: s.labels, height: s.height, width: s.width, channels: s.channels, names: s.what },
      transform: this.transform?.spec() ?? null, skipBad: false,
    }, opts);
  }
}


export { PixelSource };
