/**
 * Building one batch from images: load (decode) each sample, run the transform with the sample's
 * own Generator, stack into [B, C, H, W] float32 plus int32 labels. The same code runs in a data
 * worker and on the training thread, so a batch does not depend on where it was made.
 */
import { Generator } from '../../tensor/generator.js';
import { toTensor } from '../transforms/functional.js';
import type { Transform } from '../transforms/transforms.js';
import type { FloatImage, ImageLike, PixelImage } from '../image.js';

/** One batch to make: dataset indices, their positions in the epoch's order, and the epoch's seed words. */
export interface BatchTask {
  /** Unique per batch across epochs (the loader's counter). */
  id: number;
  indices: Int32Array;
  /** Position of each index in the epoch order; with `key` it seeds that sample's Generator. */
  positions: Int32Array;
  key: readonly [number, number];
}

/** A sample that was left out (`skipBadImages`): its file and why. */
export interface SkippedSample { index: number; name: string; reason: string }

/** A finished batch as plain arrays (transferable between threads): x [B, ...shape], y [B]. */
export interface BatchPayload {
  id: number;
  x: Float32Array;
  shape: number[];
  y: Int32Array;
  skipped: SkippedSample[];
}

/** A bad image: names the file and the problem, so a run can stop with it or skip the sample. */
export class ImageLoadError extends Error {
  constructor(readonly file: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.name = 'ImageLoadError';
  }
}

/** Where a batch's images come from: sample names (for messages), labels, and loading sample i's pixels. */
export interface ItemSource {
  readonly length: number;
  name(i: number): string;
  label(i: number): number;
  /** Decoded pixels of sample i; an ImageLoadError for a missing, unreadable or corrupt file. */
  load(i: number): PixelImage | Promise<PixelImage>;
}

/** The Generator of the sample at `position` of an epoch keyed by `key`. */
export function sampleGenerator(key: readonly [number, number], position: number): Generator {
  return new Generator(key[0], key[1], position);
}

/** A loaded sample or why it could not be loaded. */
export type Loaded = { ok: true; img: PixelImage } | { ok: false; error: unknown };

/** Load every sample of a task (concurrently where the source is asynchronous). */
export async function loadAll(src: ItemSource, indices: ArrayLike<number>): Promise<Loaded[]> {
  return Promise.all(Array.from(indices, async (i): Promise<Loaded> => {
    try {
      return { ok: true, img: await src.load(i) };
    } catch (error) {
      return { ok: false, error };
    }
  }));
}

/** Load synchronously (sources whose `load` is synchronous, e.g. in-memory pixels). */
export function loadAllSync(src: ItemSource, indices: ArrayLike<number>): Loaded[] {
  return Array.from(indices, (i): Loaded => {
    try {
      const img = src.load(i);
      if (img instanceof Promise) throw new Error('loadAllSync: this source decodes asynchronously');
      return { ok: true, img };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

/** Transform the loaded samples (each with its own Generator) and stack them; bad samples are skipped or rethrown. */
export function buildBatch(src: ItemSource, task: BatchTask, loaded: readonly Loaded[], transform: Transform | null, skipBad: boolean): BatchPayload {
  const items: FloatImage[] = [], labels: number[] = [], names: string[] = [], skipped: SkippedSample[] = [];
  for (let b = 0; b < loaded.length; b++) {
    const i = task.indices[b]!, r = loaded[b]!;
    if (!r.ok) {
      if (skipBad && r.error instanceof ImageLoadError) {
        skipped.push({ index: i, name: r.error.file, reason: r.error.reason });
        continue;
      }
      throw r.error;
    }
    let out: ImageLike = r.img;
    if (transform !== null) {
      try {
        out = transform.apply(r.img, sampleGenerator(task.key, task.positions[b]!));
      } catch (e) {
        throw new Error(`${src.name(i)}: ${(e as Error).message}`, { cause: e });
      }
    }
    // Like ToTensor: a pipeline that ends on 8-bit pixels is scaled to [0, 1] for the batch.
    items.push(out.kind === 'pixels' ? toTensor(out) : out);
    labels.push(src.label(i));
    names.push(src.name(i));
  }
  return collate(task.id, items, labels, names, skipped);
}

/** Stack float images of one shape into x [B, C, H, W]; different shapes are an error naming two files. */
export function collate(id: number, items: readonly FloatImage[], labels: readonly number[], names: readonly string[], skipped: SkippedSample[] = []): BatchPayload {
  const first = items[0];
  if (first === undefined) return { id, x: new Float32Array(0), shape: [0], y: new Int32Array(0), skipped };
  const shape = [first.channels, first.height, first.width], n = first.data.length;
  const x = new Float32Array(items.length * n);
  items.forEach((it, b) => {
    if (it.channels !== shape[0] || it.height !== shape[1] || it.width !== shape[2]) {
      throw new Error(`images of different sizes in one batch: ${names[0]} gives [${shape.join(', ')}] but ${names[b]} gives ` +
        `[${it.channels}, ${it.height}, ${it.width}] (C, H, W); add a Resize (CLI: --resize N) so every image has the same size`);
    }
    x.set(it.data, b * n);
  });
  return { id, x, shape: [items.length, ...shape], y: Int32Array.from(labels), skipped };
}
