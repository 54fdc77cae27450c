// Locating, loading and (optionally) downloading the four Fashion-MNIST IDX files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readIdxFile, type IdxArray } from './idx.js';
import { FileFormatError } from '../io/errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** d2l's text labels, indexed by class id 0..9. */
export const FASHION_MNIST_LABELS: readonly string[] = Object.freeze([
  't-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
]);

/** File names of each split, as published upstream. */
export const FASHION_MNIST_FILES = Object.freeze({
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
});

/** Upstream download location (zalandoresearch/fashion-mnist README). */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/**
 * Checksums of the official gzip files. `sha256`/`md5`/`bytes` describe the files as served upstream (md5 matches the
 * upstream README). `idxSha256` is the sha256 of the decompressed IDX bytes: Debian's dataset-fashion-mnist package
 * normalised the gzip headers (dropped the stored name, reset mtime), so its .gz bytes differ while the content is equal.
 */
export const FASHION_MNIST_CHECKSUMS: Readonly<
  Record<string, { sha256: string; md5: string; bytes: number; idxSha256: string }>
> = Object.freeze({
  'train-images-idx3-ubyte.gz': {
    sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
    md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    bytes: 26421880,
    idxSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  },
  'train-labels-idx1-ubyte.gz': {
    sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
    md5: '25c81989df183df01b3e8a0aad5dffbe',
    bytes: 29515,
    idxSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  },
  't10k-images-idx3-ubyte.gz': {
    sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
    md5: 'bef4ecab320f06d8554ea6380940ec79',
    bytes: 4422102,
    idxSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  },
  't10k-labels-idx1-ubyte.gz': {
    sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
    md5: 'bb300cfdad3c16e7a12a480ee83cd310',
    bytes: 5148,
    idxSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
});

/** Environment variable that overrides the bundled data directory. */
export const FASHION_MNIST_DIR_ENV = 'CONVNET_FASHION_MNIST_DIR';

/** Options shared by the loaders: `dir` beats $CONVNET_FASHION_MNIST_DIR beats the bundled copy. */
export interface FashionMnistDirOptions {
  dir?: string;
}

/** One split: `images` is n*rows*cols u8 pixels (row-major, 0..255), `labels` is n class ids in 0..9. */
export interface FashionMnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  rows: 28;
  cols: 28;
}

/** packageRoot(): the ancestor of this module holding package.json (works from src/data and dist/src/data alike). */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  let first: string | undefined;
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      // Prefer the root that actually has data/: a build step could copy package.json into dist/.
      if (fs.existsSync(path.join(dir, 'data'))) return dir;
      first ??= dir;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (first !== undefined) return first;
  throw new Error(`cannot locate the convnet-ts package root: no package.json above ${here}`);
}

/** resolveFashionMnistDir({dir?}) → absolute directory: explicit option, else $CONVNET_FASHION_MNIST_DIR, else <package>/data/fashion-mnist. */
export function resolveFashionMnistDir(opts: FashionMnistDirOptions = {}): string {
  if (opts.dir !== undefined && opts.dir !== '') return path.resolve(opts.dir);
  const env = process.env[FASHION_MNIST_DIR_ENV];
  if (env !== undefined && env !== '') return path.resolve(env);
  return path.join(packageRoot(), 'data', 'fashion-mnist');
}

/** loadFashionMnistSplit('train'|'test', {dir?}) → {images: n*28*28 u8, labels: n u8, n, rows: 28, cols: 28}; validates shapes, counts and label range. */
export function loadFashionMnistSplit(
  split: 'train' | 'test',
  opts: FashionMnistDirOptions = {},
): FashionMnistSplit {
  const names = FASHION_MNIST_FILES[split];
  if (names === undefined) throw new Error(`unknown Fashion-MNIST split ${JSON.stringify(split)} (expected 'train' or 'test')`);
  const dir = resolveFashionMnistDir(opts);
  const imgPath = path.join(dir, names.images);
  const lblPath = path.join(dir, names.labels);
  for (const p of [imgPath, lblPath]) {
    if (!fs.existsSync(p)) {
      throw new Error(
        `${p}: Fashion-MNIST file not found (set ${FASHION_MNIST_DIR_ENV}, pass {dir}, call downloadFashionMnist(dir), or use the CLI's --download)`,
      );
    }
  }
  return fashionMnistSplit(readIdxFile(imgPath), readIdxFile(lblPath), imgPath, lblPath, split);
}

/**
 * Check two parsed IDX arrays as one Fashion-MNIST split: uint8 images [n, 28, 28], uint8 labels [n]
 * in 0..9. Errors are FileFormatErrors naming the file and the offset (in the decompressed IDX stream).
 */
export function fashionMnistSplit(img: IdxArray, lbl: IdxArray, imgPath: string, lblPath: string, split: string): FashionMnistSplit {
  if (img.dtype !== 'uint8' || img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28) {
    throw new FileFormatError(imgPath, 2, `expected uint8 images of shape [n, 28, 28], got ${img.dtype} [${img.dims.join(', ')}] (header at byte offset 2)`, true);
  }
  if (lbl.dtype !== 'uint8' || lbl.dims.length !== 1) {
    throw new FileFormatError(lblPath, 2, `expected uint8 labels of shape [n], got ${lbl.dtype} [${lbl.dims.join(', ')}] (header at byte offset 2)`, true);
  }
  const n = img.dims[0]!;
  if (lbl.dims[0] !== n) {
    throw new FileFormatError(lblPath, 4, `Fashion-MNIST ${split}: ${imgPath} has ${n} images but ${lblPath} has ${lbl.dims[0]} labels (count at byte offset 4)`, true);
  }
  const labels = lbl.data;
  for (let i = 0; i < n; i++) {
    // A label >= 10 would index past FASHION_MNIST_LABELS and silently poison cross-entropy; fail at load time instead.
    if (labels[i]! >= FASHION_MNIST_LABELS.length) {
      throw new FileFormatError(lblPath, 8 + i, `label ${labels[i]} at index ${i} (byte offset ${8 + i}) is outside 0..9`, true);
    }
  }
  return { images: img.data, labels, n, rows: 28, cols: 28 };
}

/** Environment variable naming a mirror of the official files (the download base URL). */
export const FASHION_MNIST_URL_ENV = 'CONVNET_FASHION_MNIST_URL';

/**
 * Options of downloadFashionMnist: `baseUrl` (default $CONVNET_FASHION_MNIST_URL, else upstream), `checksums` maps
 * file name → expected sha256 hex (default: the official table), `timeoutMs` bounds each file's request and body
 * (default 10 minutes), `onFile` reports progress.
 */
export interface DownloadOptions {
  baseUrl?: string;
  files?: readonly string[];
  checksums?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  onFile?: (r: DownloadResult & { url: string; bytes?: number }) => void;
}

/** Outcome per file: already present (left untouched) or freshly downloaded and verified. */
export interface DownloadResult {
  file: string;
  path: string;
  status: 'present' | 'downloaded';
}

/** sha256Hex(bytes) → lowercase hex digest. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** downloadFashionMnist(dir, {baseUrl?, files?, checksums?, timeoutMs?}): fetch each missing file, verify sha256, write atomically; never leaves a partial file. */
export async function downloadFashionMnist(dir: string, opts: DownloadOptions = {}): Promise<DownloadResult[]> {
  const envBase = process.env[FASHION_MNIST_URL_ENV];
  const base = opts.baseUrl ?? (envBase !== undefined && envBase !== '' ? envBase : FASHION_MNIST_BASE_URL);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  if (!(timeoutMs > 0)) throw new Error(`downloadFashionMnist: timeoutMs must be positive (got ${timeoutMs})`);
  // new URL(name, base) would drop the last path segment of a base without a trailing slash.
  const baseWithSlash = base.endsWith('/') ? base : `${base}/`;
  const files = opts.files ?? [
    FASHION_MNIST_FILES.train.images,
    FASHION_MNIST_FILES.train.labels,
    FASHION_MNIST_FILES.test.images,
    FASHION_MNIST_FILES.test.labels,
  ];
  const expectedOf = (file: string): string | undefined =>
    opts.checksums !== undefined ? opts.checksums[file] : FASHION_MNIST_CHECKSUMS[file]?.sha256;

  fs.mkdirSync(dir, { recursive: true });
  const results: DownloadResult[] = [];
  for (const file of files) {
    if (file.includes('/') || file.includes('\\') || file === '..' || file === '.') {
      throw new Error(`refusing to download ${JSON.stringify(file)}: not a plain file name`);
    }
    const dest = path.join(dir, file);
    const url = new URL(file, baseWithSlash).href;
    if (fs.existsSync(dest)) {
      results.push({ file, path: dest, status: 'present' });
      opts.onFile?.({ file, path: dest, status: 'present', url });
      continue;
    }
    const expected = expectedOf(file);
    // Refuse before touching the network: an unverifiable file is as bad as a wrong one.
    if (expected === undefined) throw new Error(`no sha256 checksum known for ${file} (${url}); refusing to download`);

    let body: Uint8Array;
    // One deadline for headers and body: a server that stalls mid-file must not hang the caller forever.
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(url, { signal });
      if (!res.ok) {
        throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
      }
      body = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      const msg = signal.aborted ? `no complete response within ${timeoutMs / 1000}s` : err instanceof Error ? err.message : String(err);
      throw new Error(`download of ${url} failed: ${msg}`, { cause: err });
    }
    const actual = sha256Hex(body);
    if (actual !== expected.toLowerCase()) {
      throw new Error(
        `checksum mismatch for ${url}: expected sha256 ${expected} but got ${actual} (${body.length} bytes); nothing written to ${dest}`,
      );
    }
    writeFileAtomic(dest, body);
    results.push({ file, path: dest, status: 'downloaded' });
    opts.onFile?.({ file, path: dest, status: 'downloaded', url, bytes: body.length });
  }
  return results;
}
