/**
 * torchvision's `ImageFolder` for Node: `root/<class>/.../<image>`, classes sorted by name and
 * numbered from 0, samples sorted by class then path, images decoded with sharp and converted to
 * 1 or 3 channels, then `transform`. Loaded through the DataLoader on worker threads
 * (`numWorkers`), or, with numWorkers 0, decoded on one helper thread (sharp decodes
 * asynchronously and the training loop is synchronous) and transformed on the calling thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Generator, drawSeedWords } from '../../tensor/generator.js';
import { fromArray } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { PixelImage } from '../image.js';
import { transformFromSpec, type Transform } from '../transforms/transforms.js';
import type { LoaderPool, PoolOptions, StreamDataset } from '../loader/pool.js';
import type { WorkerInit } from '../loader/platform.js';
import { FileSource } from './file-source.js';
import { NodeWorkerPool } from './worker-pool.js';
import { probeImageChannels } from './decode.js';

/** Extensions ImageFolder picks up (case-insensitive): torchvision's list where sharp decodes it. */
export const IMG_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'];

/** Options of ImageFolder. */
export interface ImageFolderOptions {
  /** Applied to each decoded image (8-bit pixels); end with ToTensor() (a pipeline that ends on pixels is scaled to [0, 1] anyway). */
  transform?: Transform | null;
  /** 3: RGB (torchvision's default loader), 1: grayscale ('L'). Default 3. */
  channels?: 1 | 3;
  /** File extensions to include (default IMG_EXTENSIONS). */
  extensions?: readonly string[];
  /** Leave out files that cannot be read or decoded (reported by the DataLoader's onSkip) instead of stopping. Default false. */
  skipBadImages?: boolean;
  /** Accept class folders without images (default false: an error naming the folder). */
  allowEmpty?: boolean;
  /**
   * Use these class names, in this order, instead of the sorted folder names (e.g. a checkpoint's
   * classes when evaluating on a folder that has only some of them); a folder not in the list is an error.
   */
  classes?: readonly string[];
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function readDir(dir: string, what: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new Error(`ImageFolder: ${what} '${dir}' does not exist`);
    if (code === 'ENOTDIR') throw new Error(`ImageFolder: ${what} '${dir}' is a file; give the folder that holds one sub-folder per class`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`ImageFolder: cannot list ${what} '${dir}': permission denied (make it readable, e.g. chmod a+rx)`);
    throw new Error(`ImageFolder: cannot list ${what} '${dir}': ${(e as Error).message}`);
  }
}

function isDir(dir: string, e: fs.Dirent): boolean {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  try { return fs.statSync(path.join(dir, e.name)).isDirectory(); } catch { return false; }
}

/** Class folders of `root`, sorted (torchvision's find_classes). */
export function findClasses(root: string): { classes: string[]; classToIdx: Record<string, number> } {
  const classes = readDir(root, 'root').filter((e) => !e.name.startsWith('.') && isDir(root, e)).map((e) => e.name).sort(byCodePoint);
  if (classes.length === 0) {
    throw new Error(`ImageFolder: no class folders in '${root}': expected one sub-folder per class, e.g. ${path.join(root, 'cat', '001.png')} and ${path.join(root, 'dog', '002.jpg')}`);
  }
  return { classes, classToIdx: Object.fromEntries(classes.map((c, i) => [c, i])) };
}

/** Image files under `dir` (recursively, following links), sorted by path per folder like os.walk + sorted. */
function walk(dir: string, exts: readonly string[], out: string[]): void {
  const entries = readDir(dir, 'class folder').filter((e) => !e.name.startsWith('.'));
  const files = entries.filter((e) => !isDir(dir, e) && exts.some((x) => e.name.toLowerCase().endsWith(x))).map((e) => e.name).sort(byCodePoint);
  for (const f of files) out.push(path.join(dir, f));
  for (const d of entries.filter((e) => isDir(dir, e)).map((e) => e.name).sort(byCodePoint)) walk(path.join(dir, d), exts, out);
}

/** torchvision.datasets.ImageFolder: `classes`, `classToIdx`, `samples` [path, classIndex], `targets`; `await get(i)`. */
export class ImageFolder implements StreamDataset {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  readonly samples: [string, number][];
  readonly targets: Int32Array;
  readonly transform: Transform | null;
  readonly channels: 1 | 3;
  readonly extensions: readonly string[];
  readonly skipBadImages: boolean;
  readonly source: FileSource;

  constructor(root: string, opts: ImageFolderOptions = {}) {
    this.root = path.resolve(root);
    this.transform = opts.transform ?? null;
    this.channels = opts.channels ?? 3;
    if (this.channels !== 1 && this.channels !== 3) throw new Error(`ImageFolder: channels must be 1 (grayscale) or 3 (RGB) (got ${String(opts.channels)})`);
    this.extensions = (opts.extensions ?? IMG_EXTENSIONS).map((e) => e.toLowerCase());
    this.skipBadImages = opts.skipBadImages ?? false;
    const found = findClasses(this.root);
    const { classes, classToIdx } = opts.classes === undefined ? found
      : { classes: [...opts.classes], classToIdx: Object.fromEntries(opts.classes.map((c, i) => [c, i])) };
    const unknown = found.classes.filter((c) => !(c in classToIdx));
    if (unknown.length > 0) {
      throw new Error(`ImageFolder: folder${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `'${path.join(this.root, c)}'`).join(', ')} ` +
        `${unknown.length > 1 ? 'are' : 'is'} not among the expected classes (${classes.join(', ')}); rename or remove ${unknown.length > 1 ? 'them' : 'it'}`);
    }
    this.classes = classes;
    this.classToIdx = classToIdx;
    this.samples = [];
    const empty: string[] = [];
    for (const c of found.classes) {
      const files: string[] = [];
      walk(path.join(this.root, c), this.extensions, files);
      if (files.length === 0) empty.push(c);
      for (const f of files) this.samples.push([f, classToIdx[c]!]);
    }
    if (empty.length > 0 && !opts.allowEmpty) {
      throw new Error(`ImageFolder: class folder${empty.length > 1 ? 's' : ''} ${empty.map((c) => `'${path.join(this.root, c)}'`).join(', ')} ` +
        `${empty.length > 1 ? 'have' : 'has'} no images (${this.extensions.join(', ')}); add images, remove the folder, or pass allowEmpty: true`);
    }
    this.targets = Int32Array.from(this.samples, (s) => s[1]);
    this.source = new FileSource(this.samples.map((s) => s[0]), this.targets, this.channels);
  }

  /** Number of images. */
  get length(): number { return this.samples.length; }
  /** torchvision's alias of `samples`. */
  get imgs(): [string, number][] { return this.samples; }
  get random(): boolean { return this.transform?.random ?? false; }

  /** Sample i: [Tensor [C, H, W] (or pixels when the transform does not end in ToTensor), class index]; random draws seeded by the global generator. */
  async get(i: number): Promise<[Tensor | PixelImage, number]> {
    const img = await this.source.load(i);
    const out = this.transform === null ? img : this.transform.apply(img, new Generator(...drawSeedWords()));
    return [out.kind === 'float' ? fromArray(out.data, [out.channels, out.height, out.width]) : out, this.targets[i]!];
  }

  /** The worker's description of this dataset. */
  workerInit(withTransform: boolean): WorkerInit {
    return {
      source: { kind: 'files', files: this.source.files.slice(), labels: this.targets, channels: this.channels },
      transform: withTransform && this.transform !== null ? this.transform.spec() : null, skipBad: this.skipBadImages,
    };
  }

  createPool(opts: PoolOptions): LoaderPool {
    if (opts.numWorkers === 0) {
      return new NodeWorkerPool(this.workerInit(false), opts, { source: this.source, transform: this.transform, skipBad: this.skipBadImages });
    }
    // Fail here, before any thread starts, when the transform cannot be rebuilt in a worker.
    if (this.transform !== null) transformFromSpec(this.transform.spec());
    return new NodeWorkerPool(this.workerInit(true), opts);
  }

  /** torchvision's repr. */
  toString(): string {
    return `Dataset ImageFolder\n    Number of datapoints: ${this.length}\n    Root location: ${this.root}` +
      (this.transform !== null ? `\n    StandardTransform\nTransform: ${this.transform.toString()}` : '');
  }
}

/** 1 when every class's first image is grayscale, else 3 (what `channels: 'auto'` in the CLI picks). */
export async function probeChannels(ds: ImageFolder): Promise<1 | 3> {
  const firsts = new Map<number, string>();
  for (const [f, c] of ds.samples) if (!firsts.has(c)) firsts.set(c, f);
  for (const f of firsts.values()) if ((await probeImageChannels(f)) === 3) return 3;
  return 1;
}
