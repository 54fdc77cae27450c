/** A small Fashion-MNIST directory (the first N images of each bundled split) for fast CLI runs in tests. */
import * as fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../src/data/idx.js';
import { FASHION_MNIST_FILES, loadFashionMnistSplit } from '../../src/data/fashion-mnist-files.js';

/** Write the four IDX .gz files with the first `nTrain` / `nTest` images into `dir` (created); returns `dir`. */
export function writeTinyFashionMnist(dir: string, nTrain = 256, nTest = 128, splits: readonly ('train' | 'test')[] = ['train', 'test']): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const split of splits) {
    const s = loadFashionMnistSplit(split);
    const n = split === 'train' ? nTrain : nTest;
    const files = FASHION_MNIST_FILES[split];
    fs.writeFileSync(path.join(dir, files.images), gzipSync(encodeIdx({ dtype: 'uint8', dims: [n, 28, 28], data: s.images.slice(0, n * 784) })));
    fs.writeFileSync(path.join(dir, files.labels), gzipSync(encodeIdx({ dtype: 'uint8', dims: [n], data: s.labels.slice(0, n) })));
  }
  return dir;
}
