/**
 * `npm run bench:data`: how fast the image pipeline feeds training. On a PNG folder (Fashion-MNIST's
 * first 6,000 training images, written by bench/fashion-mnist-png.ts unless --dir is given):
 * 1. images/s decoded + augmented (Resize 64 + RandomCrop(64, padding 8) + flip + ToTensor +
 *    Normalize) by ImageFolder + DataLoader with 1 and 2 workers, interleaved round by round with
 *    torchvision's DataLoader on the same folder (scripts/bench/torch_data.py), second epoch of each
 *    (persistent workers, so thread start-up is not timed);
 * 2. LeNet training throughput at 64×64 on batches already in memory (no data loading), and
 *    LeNet trained through the pipeline (1 data worker), to show whether training waits for data.
 *
 * Usage: node dist/bench/data.js [--dir DIR] [--images 6000] [--rounds 3] [--no-torch] [--size 64]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageFolder } from '../src/data/node/image-folder.js';
import { DataLoader } from '../src/data/dataloader.js';
import { Compose, Normalize, RandomCrop, RandomHorizontalFlip, Resize, ToTensor } from '../src/data/transforms/transforms.js';
import { manualSeed } from '../src/tensor/rng.js';
import { rand, randint } from '../src/tensor/creation.js';
import { getBackend } from '../src/backend/index.js';
import { getModelSpec } from '../src/models/index.js';
import { initCnn } from '../src/train/init-cnn.js';
import { SGD } from '../src/optim/sgd.js';
import { writeFashionPngs } from './fashion-mnist-png.js';

const argv = process.argv.slice(2);
const opt = (k: string, d: string): string => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1]! : d; };
const size = Number(opt('--size', '64')), rounds = Number(opt('--rounds', '3')), nImages = Number(opt('--images', '6000'));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function pipeline(): Compose {
  return new Compose([new Resize(size), new RandomCrop(size, { padding: Math.round(size / 8) }), new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.286], [0.353])]);
}

/** Images/s of the second epoch of a fresh DataLoader with `workers` workers. */
function ours(dir: string, workers: number): number {
  manualSeed(0);
  const dl = new DataLoader(new ImageFolder(dir, { channels: 1, transform: pipeline() }), { batchSize: 128, shuffle: true, numWorkers: workers });
  try {
    for (const _ of dl) { /* warm-up epoch: threads start, sharp loads */ }
    const t0 = performance.now();
    let n = 0;
    for (const [X] of dl) n += X.shape[0]!;
    return n / ((performance.now() - t0) / 1000);
  } finally {
    dl.close();
  }
}

function torch(dir: string, workers: number): number | null {
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'scripts/bench/torch_data.py'), dir, '--workers', String(workers), '--size', String(size)], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(r.stderr); return null; }
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { images_per_sec: number });
  return recs[recs.length - 1]!.images_per_sec;
}

/** LeNet training images/s at size×size: on in-memory random batches, or through the pipeline. */
function lenet(dir: string | null, steps = 30): number {
  manualSeed(0);
  const spec = getModelSpec('lenet');
  const model = spec.create({ lr: 0.1 });
  model.applyInit([rand([128, 1, size, size])], initCnn);
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const step = (X: Parameters<typeof model.call>[0], y: Parameters<typeof model.loss>[1]): void => {
    const l = model.loss(model.call(X), y);
    opt.zeroGrad(); l.backward(); opt.step();
  };
  if (dir === null) {
    const X = rand([128, 1, size, size]), y = randint(0, 10, [128]);
    for (let i = 0; i < 3; i++) step(X, y);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(X, y);
    return (steps * 128) / ((performance.now() - t0) / 1000);
  }
  const dl = new DataLoader(new ImageFolder(dir, { channels: 1, transform: pipeline() }), { batchSize: 128, shuffle: true, numWorkers: 1 });
  try {
    let k = 0;
    for (const [X, y] of dl) { step(X, y); if (++k === 3) break; }
    const t0 = performance.now();
    let n = 0;
    for (const [X, y] of dl) { step(X, y); n += X.shape[0]!; }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    dl.close();
  }
}

let dir = opt('--dir', '');
let cleanup = false;
if (dir === '') {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-bench-data-'));
  cleanup = true;
  await writeFashionPngs(dir, 'train', nImages);
}
const withTorch = !argv.includes('--no-torch') && spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { encoding: 'utf8' }).status === 0;
console.log(`# data pipeline on ${dir} (${new ImageFolder(dir).length} PNGs, 28x28 grayscale), Resize ${size} + RandomCrop(${size}, padding ${Math.round(size / 8)}) + flip + Normalize, batch 128`);
console.log(`# ${os.cpus()[0]?.model ?? 'cpu'} x ${os.cpus().length}, Node ${process.version}, backend ${getBackend().name}, ${new Date().toISOString()}, load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
const res: Record<string, number[]> = {};
const add = (k: string, v: number | null): void => { if (v !== null) (res[k] ??= []).push(v); };
for (let r = 0; r < rounds; r++) {
  for (const w of [1, 2]) {
    add(`convnet-ts ${w} worker${w > 1 ? 's' : ''}`, ours(dir, w));
    if (withTorch) add(`torchvision ${w} worker${w > 1 ? 's' : ''}`, torch(dir, w));
  }
  add('LeNet training, in-memory batches', lenet(null));
  add('LeNet training through the pipeline (1 worker)', lenet(dir));
  console.log(`round ${r + 1}: ${Object.entries(res).map(([k, v]) => `${k} ${v[v.length - 1]!.toFixed(0)}`).join(' | ')}`);
}
console.log('\n| pipeline | images/s (median of ' + rounds + ') | samples |\n|---|---|---|');
for (const [k, v] of Object.entries(res)) console.log(`| ${k} | ${median(v).toFixed(0)} | ${v.map((x) => x.toFixed(0)).join(', ')} |`);
if (cleanup) fs.rmSync(dir, { recursive: true, force: true });
