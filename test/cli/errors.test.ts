/**
 * Every kind of CLI failure, as a table: exit status 2 for usage errors (before any work) and 1
 * for data, file and runtime problems; stderr is exactly one line `convnet: error: …` with no stack
 * trace, unless CONVNET_DEBUG=1 asks for one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyFashionMnist } from '../helpers/tiny-data.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'convnet-errors-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run { status: number | null; stdout: string; stderr: string }
function convnet(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'bin/convnet.js'), ...args], { cwd: tmp, env: { ...process.env, CONVNET_DEBUG: '', ...env } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d; });
    p.stderr.on('data', (d: Buffer) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const data = path.join(tmp, 'data');
const testOnly = path.join(tmp, 'test-only');
const empty = path.join(tmp, 'empty');
const ck = path.join(tmp, 'lenet.safetensors');
const D = ['--data-dir', data, '--batch-size', '64', '--quiet'];

before(async () => {
  writeTinyFashionMnist(data, 256, 128);
  writeTinyFashionMnist(testOnly, 0, 128, ['test']);
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(tmp, 'notes.txt'), 'not a safetensors file, just notes\n');
  fs.writeFileSync(path.join(tmp, 'ro.safetensors'), 'read-only');
  fs.chmodSync(path.join(tmp, 'ro.safetensors'), 0o444);
  const bad = path.join(tmp, 'corrupt');
  writeTinyFashionMnist(bad, 64, 64);
  const f = path.join(bad, 't10k-labels-idx1-ubyte.gz');
  fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 20));
  const r = await convnet(['train', 'lenet', ...D, '--epochs', '1', '--save', ck]);
  assert.equal(r.status, 0, r.stderr);
});

// [args, env, exit status, what stderr must say]
const CASES: [string[], Record<string, string>, 1 | 2, RegExp][] = [
  [['frobnicate'], {}, 2, /unknown command 'frobnicate' \(expected train, summary, eval/],
  [['train'], {}, 2, /train: which model\?/],
  [['train', 'lenot'], {}, 2, /unknown model 'lenot'/],
  [['train', 'lenet', '--epoch', '1'], {}, 2, /unknown option '--epoch' \(did you mean --epochs\?\)/],
  [['train', 'lenet', '--lr'], {}, 2, /option --lr needs a value/],
  [['train', 'lenet', '--lr', 'fast'], {}, 2, /option --lr: 'fast' is not a number/],
  [['train', 'lenet', '--epochs', '0'], {}, 2, /option --epochs: 0 epochs trains nothing/],
  [['train', 'lenet', '--resize', '3', ...D], {}, 2, /option --resize: lenet needs images of at least 12x12 \(got 3x3/],
  [['train', 'lenet', '--save', 'ro.safetensors'], {}, 2, /option --save: 'ro\.safetensors' is read-only \(mode 0444\); not replacing it/],
  [['train', 'lenet', '--plot', 'curves.pdf'], {}, 2, /option --plot: 'curves\.pdf' must be an \.svg or \.png file/],
  [['train', 'lenet', '--optimizer', 'adam', '--momentum', '0.9'], {}, 2, /--momentum applies to sgd only/],
  [['train', 'lenet', ...D], { CONVNET_BACKEND: 'gpu' }, 2, /CONVNET_BACKEND=gpu: unknown backend 'gpu'/],
  [['train', 'lenet', ...D], { CONVNET_MAX_BATCHES: 'two' }, 2, /CONVNET_MAX_BATCHES=two: expected a positive integer/],
  [['eval', 'lenet'], {}, 2, /eval: --weights FILE is required/],
  [['eval', 'lenet', '--weights', ck, '--epochs', '3'], {}, 2, /unknown option '--epochs'/],
  [['summary', 'lenet', '--input', '1,1,x'], {}, 2, /option --input: '1,1,x' is not a shape/],
  [['train', 'lenet', '--data-dir', empty, '--epochs', '1'], {}, 1, /Fashion-MNIST file\(s\) not found in .*empty: train-images-idx3-ubyte\.gz, .*--data-dir DIR, or add --download/],
  [['train', 'lenet', '--data-dir', path.join(tmp, 'corrupt'), '--epochs', '1'], {}, 1, /t10k-labels-idx1-ubyte\.gz: corrupt gzip data \(20 compressed bytes\), at byte 20: unexpected end of file/],
  [['eval', 'lenet', '--weights', 'missing.safetensors', ...D], {}, 1, /cannot read 'missing\.safetensors'/],
  [['eval', 'lenet', '--weights', 'notes.txt', ...D], {}, 1, /notes\.txt: not a safetensors file: byte 8 should open the JSON header/],
  [['eval', 'lenet-modern', '--weights', ck, ...D], {}, 1, /was saved from model 'lenet', not 'lenet-modern' \(use 'convnet eval lenet \.\.\.'\)$/m],
  [['eval', 'resnet18', '--weights', ck, ...D, '--resize', '32'], {}, 1, /was saved from model 'lenet', not 'resnet18'/],
  [['train', 'lenet', ...D, '--epochs', '2', '--resume', 'notes.txt'], {}, 1, /notes\.txt: not a safetensors file/],
  [['train', 'lenet-modern', ...D, '--lr', '1e8', '--epochs', '1'], {}, 1, /Trainer: training loss became (NaN|-?Infinity) at epoch 1, batch \d+ of 4; stopping/],
  [['summary', 'lenet', '--input', '1,1,4,4'], {}, 1, /summary: lenet does not accept input \[1, 1, 4, 4\]/],
];

test('CLI errors: exit 2 for usage, 1 for data/runtime; one line on stderr, no stack trace', async () => {
  const results: Run[] = [];
  // A few at a time: each is a process start plus, at most, a tiny data load.
  for (let i = 0; i < CASES.length; i += 4) {
    results.push(...await Promise.all(CASES.slice(i, i + 4).map(([args, env]) => convnet(args, env))));
  }
  CASES.forEach(([args, , status, re], i) => {
    const r = results[i]!, what = `convnet ${args.join(' ')}`;
    assert.equal(r.status, status, `${what}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const errors = lines.filter((l) => l.startsWith('convnet: error: '));
    assert.equal(errors.length, 1, `${what}: one error line in ${JSON.stringify(r.stderr)}`);
    assert.match(errors[0]!, re, what);
    assert.ok(!/^\s+at /m.test(r.stderr), `${what}: no stack trace`);
    assert.ok(errors[0]!.length < 600, `${what}: the message is short (${errors[0]!.length} chars)`);
    if (status === 2) assert.match(errors[0]!, /\(see 'convnet( \w+)? --help'\)$/, `${what}: points at the help`);
  });
  // The read-only checkpoint was neither replaced nor re-moded.
  assert.equal(fs.readFileSync(path.join(tmp, 'ro.safetensors'), 'utf8'), 'read-only');
  assert.equal(fs.statSync(path.join(tmp, 'ro.safetensors')).mode & 0o777, 0o444);
});

test('CONVNET_DEBUG=1 adds the stack trace after the error line', async () => {
  const r = await convnet(['eval', 'lenet', '--weights', 'notes.txt', ...D], { CONVNET_DEBUG: '1' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^convnet: error: .*notes\.txt: not a safetensors file/);
  assert.match(r.stderr, /^FileFormatError: .*\n\s+at /m);
});

test('eval needs only the test files; a directory without the training split works', async () => {
  const r = await convnet(['eval', 'lenet', '--weights', ck, '--data-dir', testOnly, '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const rec = JSON.parse(r.stdout) as { test_examples: number; epoch: number };
  assert.equal(rec.test_examples, 128);
  assert.equal(rec.epoch, 1);
});
