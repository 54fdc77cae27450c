/**
 * Fashion-MNIST as PNG folders: `root/{train,test}/<label>-<name>/<index>.png` (8-bit grayscale,
 * 28×28, the IDX pixels unchanged). Folder names start with the label digit so ImageFolder's
 * sorted classes number them as the IDX labels do. Used by the bit-identity test
 * (test/data/fashion-png.test.ts) and the data benchmark (bench/data.ts).
 *
 * Usage: node dist/bench/fashion-mnist-png.js OUT_DIR [--train 6000] [--test 10000]
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { FASHION_MNIST_LABELS, loadFashionMnistSplit } from '../src/data/fashion-mnist-files.js';

/** Folder name of class `c`: '0-t-shirt', …, '9-ankle-boot'. */
export function fashionClassFolder(c: number): string {
  return `${c}-${FASHION_MNIST_LABELS[c]!.replace(/\s+/g, '-')}`;
}

/** Write the first `limit` images of a split under `dir`; returns their IDX indices in ImageFolder's sample order (class, then file name). */
export async function writeFashionPngs(dir: string, split: 'train' | 'test', limit: number): Promise<Int32Array> {
  const s = loadFashionMnistSplit(split);
  const n = Math.min(limit, s.n);
  for (let c = 0; c < FASHION_MNIST_LABELS.length; c++) fs.mkdirSync(path.join(dir, fashionClassFolder(c)), { recursive: true });
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const px = Buffer.from(s.images.subarray(i * 784, (i + 1) * 784));
    jobs.push(sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(dir, fashionClassFolder(s.labels[i]!), `${String(i).padStart(5, '0')}.png`)));
    if (jobs.length >= 64) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  // Zero-padded names sort as numbers, so within a class the folder order is the IDX order.
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => s.labels[a]! - s.labels[b]! || a - b);
  return Int32Array.from(order);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, ...rest] = process.argv.slice(2);
  if (out === undefined) { console.error('usage: node dist/bench/fashion-mnist-png.js OUT_DIR [--train 6000] [--test 10000]'); process.exit(2); }
  const opt = (k: string, d: number): number => { const i = rest.indexOf(k); return i >= 0 ? Number(rest[i + 1]) : d; };
  const t0 = Date.now();
  await writeFashionPngs(path.join(out, 'train'), 'train', opt('--train', 6000));
  await writeFashionPngs(path.join(out, 'test'), 'test', opt('--test', 10000));
  console.log(`wrote ${out}/train and ${out}/test in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
