/**
 * The random transforms against their documented distributions (torchvision's docs and get_params),
 * with a fixed seed: flip probability, crop offsets, RandomResizedCrop's area and aspect ratio,
 * ColorJitter's factors and order. Goodness of fit by Kolmogorov–Smirnov (critical value at
 * α = 0.001: 1.95/√n) and χ² (critical values at α = 0.001).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../../src/tensor/generator.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { floatImage, pixelImage } from '../../src/data/image.js';
import { ColorJitter, Compose, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, ToTensor } from '../../src/data/transforms/transforms.js';
import * as F from '../../src/data/transforms/functional.js';

/** Kolmogorov–Smirnov statistic of samples against a CDF. */
function ks(xs: number[], cdf: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  let d = 0;
  s.forEach((x, i) => { const f = cdf(x); d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f)); });
  return d;
}
const ksCritical = (n: number): number => 1.95 / Math.sqrt(n);

/** χ² of observed counts against equal expected counts. */
function chi2(counts: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0), e = n / counts.length;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

test('RandomHorizontalFlip(p): flips with probability p (binomial, within 4 standard deviations)', () => {
  const img = pixelImage(Uint8Array.from([1, 2]), 2, 1, 1);
  const g = new Generator(1);
  for (const p of [0, 0.3, 0.5, 1]) {
    const t = new RandomHorizontalFlip(p), n = 20000;
    let flips = 0;
    for (let k = 0; k < n; k++) if ((t.apply(img, g) as typeof img).data[0] === 2) flips++;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(flips - n * p) <= 4 * sd, `p=${p}: ${flips} flips of ${n}`);
  }
});

test('RandomCrop(size, padding): every offset of the padded image equally likely (χ², 30 cells)', () => {
  // Pixel value = its position, so the crop's top-left value tells the offset.
  const H = 6, W = 7;
  const img = floatImage(Float32Array.from({ length: H * W }, (_, i) => i + 1), [1, H, W]);
  const t = new RandomCrop([4, 4], { padding: 1 }), g = new Generator(2);
  const rows = H + 2 - 4 + 1, cols = W + 2 - 4 + 1;   // 5 × 6 offsets into the padded 8 × 9 image
  const counts = new Array<number>(rows * cols).fill(0), n = 30000;
  for (let k = 0; k < n; k++) {
    const out = t.apply(img, g) as typeof img;
    // Find the offset: the first non-padding value and where it sits in the crop.
    let found = -1;
    for (let i = 0; i < 16 && found < 0; i++) if (out.data[i]! > 0) found = i;
    const v = out.data[found]! - 1, y = Math.floor(v / W) + 1 - Math.floor(found / 4), x = (v % W) + 1 - (found % 4);
    counts[y * cols + x]!++;
  }
  assert.equal(counts.filter((c) => c === 0).length, 0, 'every offset occurs');
  assert.ok(chi2(counts) < 59.7, `χ² ${chi2(counts).toFixed(1)} with ${rows * cols - 1} degrees of freedom`);   // χ²(29, 0.999) = 58.3 → 59.7 for safety
});

test('RandomCrop padIfNeeded pads each short side by the shortfall on both ends (torchvision: padding [tw - w, 0]), then crops', () => {
  const img = floatImage(Float32Array.from({ length: 4 * 3 }, (_, i) => i + 1), [1, 4, 3]);
  const out = new RandomCrop([4, 5], { padIfNeeded: true }).apply(img, new Generator(9)) as typeof img;
  assert.deepEqual([out.height, out.width], [4, 5]);
  // The padded image is 4 × (3 + 2·2): the crop holds every original column whatever the offset.
  const seen = new Set(Array.from(out.data).filter((v) => v > 0).map((v) => (v - 1) % 3));
  assert.equal(seen.size, 3);
  assert.equal(out.data.filter((v) => v > 0).length, 12);
});

test('RandomCrop: offsets uniform on each axis (KS), equal sizes give offset 0, too-small images say what to do', () => {
  const g = new Generator(3), n = 5000, ys: number[] = [];
  for (let k = 0; k < n; k++) ys.push(RandomCrop.getParams(100, 50, [40, 50], g)[0]);
  assert.ok(ks(ys.map((y) => y + 0.5), (x) => Math.min(1, Math.max(0, x / 61))) < ksCritical(n));
  assert.deepEqual(RandomCrop.getParams(8, 8, [8, 8], g), [0, 0]);
  assert.throws(() => RandomCrop.getParams(8, 8, [9, 8], g), /required crop size \(9, 8\) is larger than the input image size \(8, 8\); add padding or padIfNeeded, or Resize first/);
});

test('RandomResizedCrop.getParams: area fraction ~ U(scale), log aspect ratio ~ U(log ratio), offsets uniform (KS)', () => {
  const g = new Generator(4), n = 4000, H = 1000, W = 1000, scale = [0.08, 0.5] as const, ratio = [3 / 4, 4 / 3] as const;
  const areas: number[] = [], logs: number[] = [], tops: number[] = [];
  for (let k = 0; k < n; k++) {
    const [i, , h, w] = RandomResizedCrop.getParams(H, W, scale, ratio, g);
    areas.push((h * w) / (H * W)); logs.push(Math.log(w / h)); tops.push((i + 0.5) / (H - h + 1));
  }
  // Rounding w and h to integers blurs area and ratio by < 0.5%; far below the KS tolerance at n = 4000 (0.031).
  assert.ok(ks(areas, (a) => Math.min(1, Math.max(0, (a - scale[0]) / (scale[1] - scale[0])))) < ksCritical(n), 'area');
  const lo = Math.log(ratio[0]), hi = Math.log(ratio[1]);
  assert.ok(ks(logs, (l) => Math.min(1, Math.max(0, (l - lo) / (hi - lo)))) < ksCritical(n), 'log ratio');
  assert.ok(ks(tops, (u) => Math.min(1, Math.max(0, u))) < ksCritical(n), 'top offset');
});

test('RandomResizedCrop: when 10 tries fail, the documented central crop at the nearest allowed ratio', () => {
  const g = new Generator(5);
  // A 100×10 strip with ratio [1, 1]: a square crop of ≥ 90 % of the area never fits, so it falls back.
  assert.deepEqual(RandomResizedCrop.getParams(10, 100, [0.9, 1], [1, 1], g), [0, 45, 10, 10]);
  assert.deepEqual(RandomResizedCrop.getParams(100, 10, [0.9, 1], [2, 3], g), [47, 0, 5, 10]);
  const img = pixelImage(new Uint8Array(20 * 30 * 3).fill(9), 30, 20, 3);
  const out = new RandomResizedCrop([8, 6]).call(img, g);
  assert.deepEqual([out.height, out.width], [8, 6]);
});

test('ColorJitter(brightness b): factor ~ U(1 − b, 1 + b), seen through the output of a mid-gray image (KS)', () => {
  const img = pixelImage(new Uint8Array(16).fill(100), 4, 4, 1);
  const t = new ColorJitter({ brightness: 0.4 }), g = new Generator(6), n = 5000, fs: number[] = [];
  for (let k = 0; k < n; k++) fs.push(((t.apply(img, g) as typeof img).data[0]! + 0.5) / 100);   // trunc(100 f) → f within 0.005
  assert.ok(ks(fs, (f) => Math.min(1, Math.max(0, (f - 0.6) / 0.8))) < ksCritical(n) + 0.005);
});

test('ColorJitter: each order of brightness/contrast/saturation is equally likely (χ², 6 cells); factors uniform (KS)', () => {
  const t = new ColorJitter({ brightness: 0.5, contrast: [0.2, 1.8], saturation: 0.1 }), g = new Generator(7), n = 12000;
  const perms = new Map<string, number>(), c: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = t.getParams(g);
    perms.set(p.order.join(''), (perms.get(p.order.join('')) ?? 0) + 1);
    c.push(p.factors[1]!);
  }
  assert.equal(perms.size, 6);
  assert.ok(chi2([...perms.values()]) < 20.5, `χ² ${chi2([...perms.values()])}`);   // χ²(5, 0.999) = 20.5
  assert.ok(ks(c, (f) => Math.min(1, Math.max(0, (f - 0.2) / 1.6))) < ksCritical(n));
  // The applied result is the functional ops in the drawn order with the drawn factors.
  const img = pixelImage(Uint8Array.from({ length: 27 }, (_, i) => i * 9), 3, 3, 3);
  const g1 = new Generator(8), g2 = new Generator(8);
  const { order, factors } = t.getParams(g1);
  let want = img;
  for (const k of order) want = [F.adjustBrightness, F.adjustContrast, F.adjustSaturation][k]!(want, factors[k]!);
  assert.deepEqual(t.apply(img, g2), want);
});

test('called without a generator, random transforms follow manualSeed; deterministic ones draw nothing', () => {
  const img = pixelImage(Uint8Array.from({ length: 64 * 3 }, (_, i) => i), 8, 8, 3);
  const t = new Compose([new RandomResizedCrop(4), new RandomHorizontalFlip(), new ToTensor()]);
  manualSeed(9); const a = t.call(img);
  manualSeed(9); const b = t.call(img);
  manualSeed(10); const c = t.call(img);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(new ToTensor().random, false);
  assert.equal(t.random, true);
});
