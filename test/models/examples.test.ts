/**
 * The ch08 examples print what the seeds' PyTorch cells print (fixtures/models/examples.json,
 * recorded by scripts/fixtures/gen_models.py). VGG-11 at 224×224 is ~15 GFLOP, so this file runs
 * on the wasm backend; the shapes do not depend on which backend computes them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { setBackend } from '../../src/backend/index.js';
import type { Backend } from '../../src/backend/backend.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { main as vggMain, exerciseVgg16 } from '../../examples/ch08/vgg.js';
import { main as regnetMain } from '../../examples/ch08/regnet.js';
import { main as resnetMain } from '../../examples/ch08/resnet.js';
import { main as densenetMain } from '../../examples/ch08/densenet.js';
import { main as classicMain } from '../../examples/ch08/classic.js';
import { countParams, type SummaryFixture } from './zoo-helpers.js';

const ex = loadFixture<Record<string, string[]>>('models/examples.json');
const summaries = loadFixture<Record<string, SummaryFixture>>('models/summaries.json');

let wasm: WasmBackend | null = null;
let previous: Backend | null = null;
before(() => { wasm = new WasmBackend(); previous = setBackend(wasm); });
after(() => { setBackend(previous); wasm?.dispose(); });

function run(main: (print: (l: string) => void) => unknown): { lines: string[]; result: unknown } {
  const lines: string[] = [];
  const result = main((l) => lines.push(l));
  return { lines, result };
}

describe('examples/ch08 print what PyTorch prints', () => {
  it('8.2 VGG: block shape, then VGG-11 layer summary on [1, 1, 224, 224]; 128,806,154 parameters', () => {
    const { lines, result } = run(vggMain);
    assert.deepEqual(lines, [...ex['vgg_block']!, ...ex['vgg11_summary']!]);
    assert.equal(lines[6], 'Flatten output shape:\t torch.Size([1, 25088])');
    assert.equal(countParams(result as Parameters<typeof countParams>[0]), summaries['vgg11']!.num_params);
  });

  it('8.6 ResNet: Residual(3) [4, 3, 6, 6], Residual(6, 1×1, strides 2) [4, 6, 3, 3], ResNet-18 summary, ResNeXt block', () => {
    const { lines, result } = run(resnetMain);
    assert.deepEqual(lines, [...ex['residual_same']!, ...ex['residual_down']!, ...ex['resnet18_summary']!, ...ex['resnext_block']!]);
    assert.deepEqual(lines.slice(0, 2), ['torch.Size([4, 3, 6, 6])', 'torch.Size([4, 6, 3, 3])']);
    assert.equal(countParams(result as Parameters<typeof countParams>[0]), summaries['resnet18']!.num_params);
  });

  it('8.7 DenseNet: DenseBlock(2, 10) [4, 23, 8, 8], transitionBlock(10) [4, 10, 4, 4], DenseNet summary', () => {
    const { lines, result } = run(densenetMain);
    assert.deepEqual(lines, [...ex['dense_block']!, ...summaries['densenet']!.summary]);
    assert.equal(countParams(result as Parameters<typeof countParams>[0]), summaries['densenet']!.num_params);
  });

  it('8.1/8.3/8.4 slides: AlexNet and NiN summaries on 224×224, GoogLeNet on 96×96', () => {
    const { lines, result } = run(classicMain);
    assert.deepEqual(lines, [...summaries['alexnet']!.summary, ...summaries['nin']!.summary, ...summaries['googlenet']!.summary]);
    for (const [name, m] of Object.entries(result as Record<string, Parameters<typeof countParams>[0]>)) {
      assert.equal(countParams(m), summaries[name]!.num_params, `${name} parameters`);
    }
  });

  it('8.2 exercise 3 (seed 003): VGG-16 layer summary on [1, 1, 224, 224]; 134,300,362 parameters', () => {
    const { lines, result } = run(exerciseVgg16);
    assert.deepEqual(lines, summaries['vgg16']!.summary);
    assert.equal(lines[4], 'Sequential output shape:\t torch.Size([1, 512, 7, 7])');
    assert.equal(countParams(result as Parameters<typeof countParams>[0]), summaries['vgg16']!.num_params);
  });

  it('8.8 RegNetX32 summary on [1, 1, 96, 96]: [1, 32, 48, 48], [1, 32, 24, 24], [1, 80, 12, 12], [1, 10]', () => {
    const { lines, result } = run(regnetMain);
    assert.deepEqual(lines, summaries['regnetx32']!.summary);
    assert.equal(lines.length, 4);
    assert.equal(countParams(result as Parameters<typeof countParams>[0]), summaries['regnetx32']!.num_params);
  });
});
