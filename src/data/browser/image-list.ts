/**
 * Images in a page: a list of URLs with labels (torchvision's ImageFolder has no browser
 * counterpart; a page knows its files by URL), decoded by the browser, transformed per sample and
 * loaded by the DataLoader with `for await` — on Web Workers when numWorkers > 0.
 */
import type { ItemSource } from '../loader/batch.js';
import type { PixelImage } from '../image.js';
import type { Transform } from '../transforms/transforms.js';
import { AsyncInlinePool, type LoaderPool, type PoolOptions, type StreamDataset } from '../loader/pool.js';
import { startWorkerPool } from '../loader/platform.js';
import { fetchImage } from './decode.js';

/** urls[i] with label labels[i], fetched and decoded to `channels`. */
export class UrlSource implements ItemSource {
  constructor(readonly urls: readonly string[], readonly labels: Int32Array, readonly channels: 1 | 3) {
    if (urls.length !== labels.length) throw new Error(`UrlSource: ${urls.length} URLs but ${labels.length} labels`);
  }
  get length(): number { return this.urls.length; }
  name(i: number): string { return this.urls[i]!; }
  label(i: number): number { return this.labels[i]!; }
  load(i: number): Promise<PixelImage> { return fetchImage(this.urls[i]!, this.channels); }
}

/** Options of ImageList: transform, channels (default 3), class names, skipping. */
export interface ImageListOptions { transform?: Transform | null; channels?: 1 | 3; classes?: readonly string[]; skipBadImages?: boolean }

/** `new ImageList([{url, label}, …], {transform})`: a dataset of images by URL for pages. */
export class ImageList implements StreamDataset {
  readonly source: UrlSource;
  readonly transform: Transform | null;
  readonly classes: readonly string[];
  readonly skipBadImages: boolean;
  constructor(items: readonly { url: string; label: number }[], opts: ImageListOptions = {}) {
    this.source = new UrlSource(items.map((it) => it.url), Int32Array.from(items, (it) => it.label), opts.channels ?? 3);
    this.transform = opts.transform ?? null;
    this.classes = opts.classes ?? [];
    this.skipBadImages = opts.skipBadImages ?? false;
  }
  get length(): number { return this.source.length; }
  get random(): boolean { return this.transform?.random ?? false; }
  createPool(opts: PoolOptions): LoaderPool {
    if (opts.numWorkers === 0) return new AsyncInlinePool(this.source, this.transform, this.skipBadImages);
    const s = this.source;
    return startWorkerPool({
      source: { kind: 'urls', urls: [...s.urls], labels: s.labels, channels: s.channels },
      transform: this.transform?.spec() ?? null, skipBad: this.skipBadImages,
    }, opts);
  }
}
