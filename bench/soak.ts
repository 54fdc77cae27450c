/**
 * `npm run soak`: a 10-epoch training run (d2l's LeNet on the bundled Fashion-MNIST by default),
 * recording the process's memory after every epoch: resident set size, V8 heap, ArrayBuffers and
 * the wasm backend's linear memory. With `--expose-gc` (what `npm run soak` passes) a full GC runs
 * before each reading, so the numbers are what the run keeps, not garbage waiting to be collected.
 * The target is a flat line: RSS within 5 % from epoch 2 (after the warm-up epoch) to the end.
 *
 * Usage: node --expose-gc dist/bench/soak.js [--model lenet] [--epochs 10] [--limit-train N] [--json]
 */
import os from 'node:os';
import { manualSeed } from '../src/tensor/rng.js';
import { getBackend } from '../src/backend/index.js';
import { FashionMNIST } from '../src/data/fashion-mnist.js';
import { getModelSpec } from '../src/models/index.js';
import { initCnn } from '../src/train/init-cnn.js';
import { Trainer } from '../src/train/trainer.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

interface Reading { epoch: number; seconds: number; valAcc: number; rssMiB: number; heapMiB: number; arrayBuffersMiB: number; externalMiB: number; wasmMiB: number | null }

const MiB = 2 ** 20;
const model = arg('model') ?? 'lenet';
const epochs = Number(arg('epochs') ?? 10);
const limitTrain = arg('limit-train') === undefined ? undefined : Number(arg('limit-train'));
const gc = (globalThis as { gc?: () => void }).gc;

/** Bytes of the wasm backend's shared linear memory, when that backend is running (duck-typed: its internals may move). */
function wasmBytes(): number | null {
  const b = getBackend() as unknown as { memory?: { buffer: ArrayBufferLike }; arena?: { memory?: { buffer: ArrayBufferLike } } };
  return (b.memory ?? b.arena?.memory)?.buffer?.byteLength ?? null;
}

function read(epoch: number, seconds: number, valAcc: number): Reading {
  gc?.();
  const m = process.memoryUsage();
  const w = wasmBytes();
  return {
    epoch, seconds, valAcc, rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB, arrayBuffersMiB: m.arrayBuffers / MiB,
    externalMiB: m.external / MiB, wasmMiB: w === null ? null : w / MiB,
  };
}

manualSeed(0);
const spec = getModelSpec(model);
const data = new FashionMNIST({ batchSize: 128, resize: spec.defaultResize, ...(limitTrain !== undefined ? { limitTrain } : {}) });
const net = spec.create({ lr: spec.defaultLr });
net.applyInit([data.train.batch(Int32Array.from({ length: 128 }, (_, i) => i))[0]], initCnn);
const readings: Reading[] = [read(0, 0, Number.NaN)];
const trainer = new Trainer({
  maxEpochs: epochs, verbose: false,
  callbacks: { onEpochEnd: (r) => { readings.push(read(r.epoch, r.seconds, r.val.acc ?? Number.NaN)); } },
});
const t0 = performance.now();
trainer.fit(net, data);
const total = (performance.now() - t0) / 1000;

const after1 = readings.filter((r) => r.epoch >= 2).map((r) => r.rssMiB);
const lo = Math.min(...after1), hi = Math.max(...after1);
const drift = after1.length > 0 ? (hi - lo) / lo : Number.NaN;
const growth = after1.length > 1 ? (after1.at(-1)! - after1[0]!) / after1[0]! : Number.NaN;
const summary = {
  date: new Date().toISOString(), model, epochs, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?',
  backend: getBackend().name, gcBeforeReadings: gc !== undefined, seconds: total, readings,
  rssSpreadFromEpoch2: drift, rssGrowthEpoch2ToLast: growth, flatWithin5Percent: drift <= 0.05,
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(summary));
} else {
  const f = (v: number | null, d = 1): string => (v === null || Number.isNaN(v) ? '–' : v.toFixed(d));
  console.log(`soak: ${model}, ${epochs} epochs, ${summary.backend}, node ${process.version}, ${summary.cpus} × ${summary.cpu}, ` +
    `${gc !== undefined ? 'full GC before each reading' : 'no --expose-gc: readings include uncollected garbage'}; ${total.toFixed(0)} s`);
  console.log('| epoch | val acc | epoch s | RSS MiB | V8 heap MiB | ArrayBuffers MiB | wasm memory MiB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of readings) {
    console.log(`| ${r.epoch === 0 ? 'start' : r.epoch} | ${f(r.valAcc, 4)} | ${f(r.seconds)} | ${f(r.rssMiB)} | ${f(r.heapMiB)} | ${f(r.arrayBuffersMiB)} | ${f(r.wasmMiB)} |`);
  }
  console.log(`RSS from epoch 2 to ${epochs}: ${f(lo)}–${f(hi)} MiB, spread ${(drift * 100).toFixed(1)} % (target <= 5 %), ` +
    `growth ${(growth * 100).toFixed(1)} %: ${drift <= 0.05 ? 'flat' : 'NOT flat'}`);
}
