/** Every chapter 7.1–7.5 seed cell: our examples print exactly what PyTorch prints (fixtures/conv/seed_ch7.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/tensor/rng.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { tensor } from '../../src/tensor/creation.js';
import type { Cells } from '../../examples/ch07/cells.js';
import * as convImages from '../../examples/ch07/conv_images.js';
import * as paddingStride from '../../examples/ch07/padding_stride.js';
import * as channels from '../../examples/ch07/channels.js';
import * as pooling from '../../examples/ch07/pooling.js';
import * as audio from '../../examples/ch07/audio_conv1d.js';
import * as learnKernel from '../../examples/ch07/learn_kernel.js';

const golden = loadFixture<Record<string, string>>('conv/seed_ch7.json');
const examples: [string, (log: (s: string) => void) => Cells][] = [
  ['conv_images', convImages.main], ['padding_stride', paddingStride.main], ['channels', channels.main],
  ['pooling', pooling.main], ['audio_conv1d', audio.main],
];
const produced = new Set<string>();

for (const [name, main] of examples) {
  test(`examples/ch07/${name}: every printed cell equals PyTorch's str()`, () => {
    const printed: string[] = [];
    const cells = main((s) => printed.push(s));
    assert.ok(Object.keys(cells).length > 0);
    assert.deepEqual(printed, Object.values(cells), 'main() prints each cell it returns, in order');
    for (const [key, text] of Object.entries(cells)) {
      assert.ok(key in golden, `cell '${key}' has no PyTorch fixture`);
      assert.equal(text, golden[key], `cell '${key}'`);
      produced.add(key);
    }
  });
}

test('every PyTorch seed cell in the fixture is reproduced by some example', () => {
  const missing = Object.keys(golden).filter((k) => !produced.has(k));
  assert.deepEqual(missing, []);
});

test('examples/ch07/learn_kernel (7.2.4): loss falls every 2 steps and the kernel reaches [[1, -1]] within 0.1', () => {
  for (const seed of [0, 1, 2]) {
    manualSeed(seed);
    const printed: string[] = [];
    const { lazy, scratch } = learnKernel.main((s) => printed.push(s));
    assert.deepEqual(lazy.lines.map((l) => l.replace(/loss .*/, '')), [2, 4, 6, 8, 10].map((e) => `epoch ${e}, `));
    for (const l of lazy.lines) assert.match(l, /^epoch \d+, loss \d+\.\d{3}$/);
    assert.deepEqual(printed.slice(0, 5), lazy.lines);
    for (let i = 1; i < lazy.losses.length; i++) assert.ok(lazy.losses[i]! < lazy.losses[i - 1]!, `loss falls: ${lazy.losses}`);
    assert.ok(lazy.losses[4]! < 0.5, `final loss ${lazy.losses[4]}`);
    const [a, b] = lazy.kernel.data;
    assert.ok(Math.abs(a! - 1) < 0.1 && Math.abs(b! + 1) < 0.1, `learnt kernel [${a}, ${b}]`);
    assert.match(printed[5]!, /^tensor\(\[\[ [01]\.\d{4}, -[01]\.\d{4}\]\]\)$/);
    // The from-scratch Conv2D (with its bias) also learns through autograd of get/set/sum.
    assert.ok(scratch.losses[4]! < scratch.losses[0]! / 10, `scratch losses ${scratch.losses}`);
  }
});

interface KernelFixture { init: TensorJson; lazy: PyRun; scratch: PyRun; seeds: SeedRun[] }
interface SeedRun { seed: string; init: TensorJson; lines: string[]; kernel: string }
interface PyRun { lines: string[]; losses: number[]; kernel: string }

test('examples/ch07/learn_kernel (7.2.4) from PyTorch\'s initial kernel prints PyTorch\'s lines and learnt kernel', () => {
  const fx = loadFixture<KernelFixture>('conv/learn_kernel.json');
  const printed: string[] = [];
  const { lazy, scratch } = learnKernel.main((s) => printed.push(s), fromJson(fx.init));
  for (const [ours, torch, what] of [[lazy, fx.lazy, 'LazyConv2d'], [scratch, fx.scratch, 'Conv2D']] as const) {
    assert.deepEqual(ours.lines, torch.lines, what);
    assertClose(tensor(ours.losses), tensor(torch.losses), { what: `${what} losses`, rtol: 1e-5 });
    assert.equal(ours.kernel.toString(), torch.kernel, `${what} kernel`);
  }
  assert.deepEqual(printed, [...fx.lazy.lines, fx.lazy.kernel, `Conv2D (from scratch) kernel: ${fx.scratch.kernel}`]);
});

test('examples/ch07/learn_kernel (7.2.4) prints exactly what the seed notebooks printed, from the kernel each started at', () => {
  // gen_conv.py recovers each seed's (unseeded) initial kernel from its printed output and checks it in PyTorch.
  const { seeds } = loadFixture<KernelFixture>('conv/learn_kernel.json');
  assert.deepEqual(seeds.map((s) => s.seed), ['000/001', '003']);
  for (const s of seeds) {
    const printed: string[] = [];
    learnKernel.main((line) => printed.push(line), fromJson(s.init));
    assert.deepEqual(printed.slice(0, 6), [...s.lines, s.kernel], `seed ${s.seed}`);
  }
});
