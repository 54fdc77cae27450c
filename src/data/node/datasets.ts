/**
 * CIFAR-10, CIFAR-100 (binary versions) and MNIST from their official files, as PixelDatasets
 * (transforms, workers): `new CIFAR10(root, { train, transform })` like torchvision, and
 * `await CIFAR10.download(root)` for the files (sha256-verified, atomic; mirror variables
 * $CONVNET_CIFAR10_URL, $CONVNET_CIFAR100_URL, $CONVNET_MNIST_URL). Files not found: an error that
 * says where they were looked for and how to get them.
 */
import { FileFormatError } from '../../io/errors.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readIdxFile } from '../idx.js';
import { CIFAR10_CLASSES, CIFAR10_LAYOUT, CIFAR100_LAYOUT, parseCifar, type CifarLayout } from '../cifar.js';
import { PixelDataset, type PixelDatasetOptions } from '../pixel-dataset.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { baseUrlFor, extractTarGz, fetchVerified, type FetchOptions, type RemoteFile } from './download.js';
import './worker-pool.js';

/** Where datasets live by default: $CONVNET_DATA_DIR, else ~/.cache/convnet-ts. */
export const DATA_DIR_ENV = 'CONVNET_DATA_DIR';

/** The default root of downloaded datasets. */
export function defaultDataRoot(): string {
  const e = process.env[DATA_DIR_ENV];
  return e !== undefined && e !== '' ? path.resolve(e) : path.join(os.homedir(), '.cache', 'convnet-ts');
}

/** Options of the dataset classes: split, transform (PixelDatasetOptions). */
export interface VisionDatasetOptions extends Omit<PixelDatasetOptions, 'classes' | 'name'> { train?: boolean }

interface Spec {
  title: string; folder: string; upstream: string; env: string; remote: RemoteFile[];
  /** Files the reader needs inside `root/folder`. */
  train: string[]; test: string[]; extract?: string[];
}

const CIFAR10_SPEC: Spec = {
  title: 'CIFAR-10', folder: 'cifar-10-batches-bin', upstream: 'https://www.cs.toronto.edu/~kriz/', env: 'CONVNET_CIFAR10_URL',
  remote: [{ file: 'cifar-10-binary.tar.gz', bytes: 170052171, sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' }],
  train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'],
  extract: [...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), 'test_batch.bin', 'batches.meta.txt'],
};
const CIFAR100_SPEC: Spec = {
  title: 'CIFAR-100', folder: 'cifar-100-binary', upstream: 'https://www.cs.toronto.edu/~kriz/', env: 'CONVNET_CIFAR100_URL',
  remote: [{ file: 'cifar-100-binary.tar.gz', bytes: 168513733, sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec' }],
  train: ['train.bin'], test: ['test.bin'], extract: ['train.bin', 'test.bin', 'fine_label_names.txt', 'coarse_label_names.txt'],
};
const MNIST_SPEC: Spec = {
  title: 'MNIST', folder: 'mnist', upstream: 'https://storage.googleapis.com/cvdf-datasets/mnist/', env: 'CONVNET_MNIST_URL',
  remote: [
    { file: 'train-images-idx3-ubyte.gz', bytes: 9912422, sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
    { file: 'train-labels-idx1-ubyte.gz', bytes: 28881, sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
    { file: 't10k-images-idx3-ubyte.gz', bytes: 1648877, sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
    { file: 't10k-labels-idx1-ubyte.gz', bytes: 4542, sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
  ],
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'], test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
};

/** The published files of each dataset (name, size, sha256), e.g. for a mirror. */
export const DATASET_FILES = Object.freeze({ cifar10: CIFAR10_SPEC.remote, cifar100: CIFAR100_SPEC.remote, mnist: MNIST_SPEC.remote });

function dirOf(spec: Spec, root: string | undefined): string {
  return path.join(root === undefined ? defaultDataRoot() : path.resolve(root), spec.folder);
}

function need(spec: Spec, dir: string, files: readonly string[], cls: string): string[] {
  const paths = files.map((f) => path.join(dir, f));
  const missing = paths.filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    throw new Error(`${missing[0]}: ${spec.title} file not found${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; ` +
      `download it with 'convnet train ... --data ${cls.toLowerCase()} --download' or 'await ${cls}.download(root)' ` +
      `(from ${spec.upstream}${spec.remote[0]!.file}, or the mirror in $${spec.env}), or unpack ${spec.remote.map((r) => r.file).join(', ')} into ${dir}`);
  }
  return paths;
}

/** Fetch what `spec` lacks under root (archives are unpacked); files present are left alone. Returns what was downloaded. */
async function download(spec: Spec, root: string | undefined, opts: FetchOptions): Promise<string[]> {
  const dir = dirOf(spec, root);
  const wanted = spec.extract ?? spec.remote.map((r) => r.file);
  if (wanted.every((f) => fs.existsSync(path.join(dir, f)))) return [];
  const base = baseUrlFor(spec.upstream, spec.env, opts);
  fs.mkdirSync(dir, { recursive: true });
  const got: string[] = [];
  for (const r of spec.remote) {
    if (spec.extract === undefined && fs.existsSync(path.join(dir, r.file))) continue;
    const sha256 = opts.checksums?.[r.file] ?? r.sha256;
    const { url, body } = await fetchVerified(base, { ...r, sha256 }, opts.timeoutMs);
    if (spec.extract !== undefined) extractTarGz(body, url, dir, spec.extract);
    else writeFileAtomic(path.join(dir, r.file), body);
    got.push(r.file);
    opts.onFile?.({ file: r.file, url, path: dir, bytes: body.length });
  }
  return got;
}

function readFile(p: string): Uint8Array {
  try { return fs.readFileSync(p); } catch (e) { throw new Error(`${p}: cannot read: ${(e as Error).message}`); }
}

function names(p: string, fallback: readonly string[]): string[] {
  if (!fs.existsSync(p)) return [...fallback];
  return fs.readFileSync(p, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
}

function loadCifar(spec: Spec, layout: CifarLayout, field: number, root: string | undefined, train: boolean, cls: string): { images: Uint8Array; labels: Uint8Array } {
  const files = need(spec, dirOf(spec, root), train ? spec.train : spec.test, cls);
  const parts = files.map((f) => parseCifar(readFile(f), f, layout));
  const n = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(n * 3072), labels = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { images.set(p.images, o * 3072); labels.set(p.labels[field]!, o); o += p.n; }
  return { images, labels };
}

/** torchvision.datasets.CIFAR10 on the binary version: 50,000 training or 10,000 test images, 32×32 RGB. */
export class CIFAR10 extends PixelDataset {
  constructor(root?: string, opts: VisionDatasetOptions = {}) {
    const { images, labels } = loadCifar(CIFAR10_SPEC, CIFAR10_LAYOUT, 0, root, opts.train ?? true, 'CIFAR10');
    super(images, labels, { height: 32, width: 32, channels: 3 }, { ...opts, classes: names(path.join(dirOf(CIFAR10_SPEC, root), 'batches.meta.txt'), CIFAR10_CLASSES), name: 'CIFAR-10 image' });
  }
  /** Fetch and unpack cifar-10-binary.tar.gz into root/cifar-10-batches-bin unless already there. */
  static download(root?: string, opts: FetchOptions = {}): Promise<string[]> { return download(CIFAR10_SPEC, root, opts); }
}

/** torchvision.datasets.CIFAR100 on the binary version; `labels: 'fine'` (100 classes, default) or 'coarse' (20 superclasses). */
export class CIFAR100 extends PixelDataset {
  constructor(root?: string, opts: VisionDatasetOptions & { labels?: 'fine' | 'coarse' } = {}) {
    const coarse = opts.labels === 'coarse';
    const { images, labels } = loadCifar(CIFAR100_SPEC, CIFAR100_LAYOUT, coarse ? 0 : 1, root, opts.train ?? true, 'CIFAR100');
    const fallback = Array.from({ length: coarse ? 20 : 100 }, (_, i) => String(i));
    const classes = names(path.join(dirOf(CIFAR100_SPEC, root), coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt'), fallback);
    super(images, labels, { height: 32, width: 32, channels: 3 }, { ...opts, classes, name: 'CIFAR-100 image' });
  }
  /** Fetch and unpack cifar-100-binary.tar.gz into root/cifar-100-binary unless already there. */
  static download(root?: string, opts: FetchOptions = {}): Promise<string[]> { return download(CIFAR100_SPEC, root, opts); }
}

/** torchvision's MNIST class names. */
export const MNIST_CLASSES: readonly string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

/** torchvision.datasets.MNIST: 60,000 training or 10,000 test digits, 28×28 grayscale, from the four IDX files in root/mnist. */
export class MNIST extends PixelDataset {
  constructor(root?: string, opts: VisionDatasetOptions = {}) {
    const [imgPath, lblPath] = need(MNIST_SPEC, dirOf(MNIST_SPEC, root), (opts.train ?? true) ? MNIST_SPEC.train : MNIST_SPEC.test, 'MNIST') as [string, string];
    const img = readIdxFile(imgPath), lbl = readIdxFile(lblPath);
    if (img.dtype !== 'uint8' || img.dims.length !== 3) throw new FileFormatError(imgPath, 2, `expected uint8 images [n, rows, cols] (IDX header, byte offset 2), got ${img.dtype} [${img.dims.join(', ')}]`);
    if (lbl.dtype !== 'uint8' || lbl.dims.length !== 1 || lbl.dims[0] !== img.dims[0]) {
      throw new FileFormatError(lblPath, 2, `expected ${img.dims[0]} uint8 labels to match ${imgPath} (IDX header, byte offset 2), got ${lbl.dtype} [${lbl.dims.join(', ')}]`);
    }
    const bad = lbl.data.findIndex((v) => v > 9);
    if (bad >= 0) throw new FileFormatError(lblPath, 8 + bad, `label ${lbl.data[bad]} at index ${bad} (byte offset ${8 + bad} of the decompressed file) is outside 0..9`, true);
    super(img.data, lbl.data, { height: img.dims[1]!, width: img.dims[2]!, channels: 1 }, { ...opts, classes: MNIST_CLASSES, name: 'MNIST image' });
  }
  /** Fetch the four gzip IDX files into root/mnist unless already there. */
  static download(root?: string, opts: FetchOptions = {}): Promise<string[]> { return download(MNIST_SPEC, root, opts); }
}
