import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVAL_OPTIONS, TRAIN_OPTIONS } from '../../src/cli/options.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'convnet-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function convnet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--limit-train', '256', '--limit-test', '128', '--batch-size', '64', '--seed', '1'];
const jsonLines = (s: string): Record<string, number>[] => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

test('convnet --help lists commands and models; each command has its own --help with only its options; --version', () => {
  const r = convnet('--help');
  assert.equal(r.status, 0);
  for (const s of ['usage: convnet', 'train <model>', 'summary <model>', 'eval <model>', 'lenet', 'lenet-modern', "convnet <command> --help"]) {
    assert.ok(r.stdout.includes(s), s);
  }
  assert.equal(convnet().status, 2, 'no command is a usage error');
  const opts = (text: string): string[] => [...text.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!);
  const train = convnet('train', '--help'), ev = convnet('eval', 'lenet', '--help'), sum = convnet('summary', '-h');
  for (const x of [train, ev, sum]) assert.equal(x.status, 0);
  assert.match(train.stdout, /^usage: convnet train <model> \[options\]/);
  assert.deepEqual(opts(train.stdout).sort(), Object.keys(TRAIN_OPTIONS).sort(), 'train --help lists exactly the train table');
  assert.deepEqual(opts(ev.stdout).sort(), Object.keys(EVAL_OPTIONS).sort());
  assert.deepEqual(opts(sum.stdout), ['input']);
  for (const o of ['epochs', 'lr', 'limit-train', 'save', 'resume', 'plot', 'optimizer']) assert.ok(!opts(ev.stdout).includes(o), `eval does not offer --${o}`);
  for (const h of ['training:', 'data:', 'checkpoints:', 'output:', 'runtime:']) assert.ok(train.stdout.includes(`\n${h}\n`), h);
  assert.equal(convnet('help', 'eval').stdout, ev.stdout);
  const v = convnet('--version');
  assert.equal(v.status, 0);
  assert.equal(v.stdout, `convnet-ts ${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
});

test('convnet reports unknown models, flags and bad values clearly (exit 2)', () => {
  const cases: [string[], RegExp][] = [
    [['train', 'lenot'], /unknown model 'lenot' \(known: .*lenet.*\)/],
    [['train', 'lenet', '--epoch', '1'], /unknown option '--epoch' \(did you mean --epochs/],
    [['train', 'lenet', '--lr', 'fast'], /option --lr: 'fast' is not a number/],
    [['train', 'lenet', '--batch-size', '0'], /option --batch-size: '0' is not an integer >= 1/],
    [['train', 'lenet', '--resize', '100000'], /option --resize: '100000' is not an integer <= 1024/],
    [['train', 'lenet', '--optimizer', 'rmsprop'], /option --optimizer: 'rmsprop' is not one of sgd, adam/],
    [['train', 'lenet', '--backend', 'cuda', ...TINY], /unknown backend 'cuda'/],
    [['train', 'lenet', '--plot', 'curves.pdf'], /must be an \.svg or \.png file/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['eval', 'lenet'], /--weights FILE is required/],
    [['summary', 'lenet', '--input', '1,1,x'], /option --input: '1,1,x' is not a shape/],
    [['train', 'lenet', '--save', '/nonexistent-dir/ck.safetensors'], /option --save: cannot write '\/nonexistent-dir\/ck\.safetensors': directory '\/nonexistent-dir' does not exist/],
    [['train', 'lenet', '--save', tmp], /option --save: '.*' is a directory/],
  ];
  for (const [args, re] of cases) {
    const r = convnet(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.match(r.stderr, /^convnet: error: /);
  }
});

test('convnet summary lenet prints d2l\'s layer table and the parameter count', () => {
  const r = convnet('summary', 'lenet');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'Conv2d output shape:\t torch.Size([1, 6, 28, 28])');
  assert.equal(lines[6], 'Flatten output shape:\t torch.Size([1, 400])');
  assert.equal(lines[11], 'Linear output shape:\t torch.Size([1, 10])');
  assert.equal(lines[12], 'Total parameters: 61,706');
  const bad = convnet('summary', 'lenet', '--input', '1,1,4,4');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /summary: lenet does not accept input \[1, 1, 4, 4\]/);
});

test('convnet train: epoch lines, --json records, --save/--resume continue exactly, --plot writes the curves, eval agrees', () => {
  const ck = path.join(tmp, 'lenet.safetensors'), svg = path.join(tmp, 'curves.svg');
  const png = path.join(tmp, 'curves.png');
  const human = convnet('train', 'lenet-modern', ...TINY, '--epochs', '1', '--quiet', '--plot', png);
  assert.equal(human.status, 0, human.stderr);
  assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], '--plot .png writes a PNG');
  assert.match(human.stdout, /^epoch 1\/1  train loss \d+\.\d{4}  val loss \d+\.\d{4}  val acc \d\.\d{4}  \d+\.\ds  \d+ img\/s$/m);

  // Two epochs straight, against one epoch saved and resumed (momentum makes the optimizer state matter).
  const opts = [...TINY, '--momentum', '0.9', '--lr', '0.05', '--json'];
  const svgStraight = path.join(tmp, 'straight.svg'), svgResumed = path.join(tmp, 'resumed.svg');
  const straight = convnet('train', 'lenet-modern', ...opts, '--epochs', '2', '--plot', svgStraight);
  assert.equal(straight.status, 0, straight.stderr);
  const s = jsonLines(straight.stdout);
  assert.deepEqual(s.map((r) => r.epoch), [1, 2]);
  for (const k of ['train_loss', 'val_loss', 'val_acc', 'seconds', 'images_per_sec']) assert.equal(typeof s[0]![k], 'number', k);
  assert.equal(s[0]!.train_examples, 256);

  const first = convnet('train', 'lenet-modern', ...opts, '--epochs', '1', '--save', ck, '--plot', svg);
  assert.equal(first.status, 0, first.stderr);
  const f1 = jsonLines(first.stdout);
  assert.equal(f1.length, 1);
  for (const k of ['train_loss', 'val_loss', 'val_acc']) assert.equal(f1[0]![k], s[0]![k], `same seed, same ${k}`);
  assert.ok(existsSync(ck));
  const plot = readFileSync(svg, 'utf8');
  assert.match(plot, /^<svg /);
  for (const label of ['train_loss', 'val_loss', 'val_acc']) assert.ok(plot.includes(`data-label="${label}"`), label);

  const resumed = convnet('train', 'lenet-modern', ...opts, '--epochs', '2', '--resume', ck, '--plot', svgResumed);
  assert.equal(resumed.status, 0, resumed.stderr);
  const r = jsonLines(resumed.stdout);
  assert.deepEqual(r.map((x) => x.epoch), [2]);
  assert.equal(r[0]!.train_loss, s[1]!.train_loss, 'resumed epoch 2 repeats the uninterrupted run');
  assert.equal(r[0]!.val_acc, s[1]!.val_acc);
  assert.match(resumed.stderr, /resumed from .* at epoch 1/);
  // The checkpoint carries the plot's points: the resumed run draws both epochs, as the straight one.
  const resumedPlot = readFileSync(svgResumed, 'utf8');
  assert.equal((resumedPlot.match(/data-label="val_loss" d="M[^"]*"/)![0].match(/L/g) ?? []).length, 1, 'two val_loss points');
  assert.equal(resumedPlot, readFileSync(svgStraight, 'utf8'));

  const ev = convnet('eval', 'lenet-modern', '--weights', ck, '--limit-test', '128', '--json');
  assert.equal(ev.status, 0, ev.stderr);
  const e = JSON.parse(ev.stdout) as Record<string, number>;
  assert.equal(e.epoch, 1);
  assert.equal(e.test_examples, 128);
  assert.ok(Math.abs(e.test_acc! - s[0]!.val_acc!) < 1e-9, `eval acc ${e.test_acc} vs val acc ${s[0]!.val_acc}`);
  assert.ok(Math.abs(e.test_loss! - s[0]!.val_loss!) < 1e-5);
});

test('convnet train stops with a clear error when the loss diverges (exit 1)', () => {
  const r = convnet('train', 'lenet-modern', '--limit-train', '256', '--limit-test', '64', '--batch-size', '32', '--lr', '1e8', '--epochs', '1', '--quiet');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /convnet: error: Trainer: training loss became (NaN|Infinity|-Infinity) at epoch 1, batch \d+ of 8; stopping/);
});

test('convnet: checkpoint errors name the file and the keys', () => {
  const missing = convnet('eval', 'lenet', '--weights', path.join(tmp, 'nope.safetensors'), '--limit-test', '64');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read '.*nope\.safetensors'/);
  const junk = path.join(tmp, 'junk.safetensors');
  writeFileSync(junk, 'not a safetensors file');
  const bad = convnet('eval', 'lenet', '--weights', junk, '--limit-test', '64');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /junk\.safetensors/);
  // A modern-LeNet checkpoint has the same keys as classic LeNet, so resume across optimizers instead.
  const ck = path.join(tmp, 'sgd.safetensors');
  assert.equal(convnet('train', 'lenet', ...TINY, '--epochs', '1', '--save', ck, '--json', '--quiet').status, 0);
  const wrongOpt = convnet('train', 'lenet', ...TINY, '--epochs', '2', '--resume', ck, '--optimizer', 'adam', '--quiet');
  assert.equal(wrongOpt.status, 1);
  assert.match(wrongOpt.stderr, /holds SGD state but the optimizer is Adam/);
  const wrongModel = convnet('eval', 'lenet-modern', '--weights', ck, '--limit-test', '64');
  assert.equal(wrongModel.status, 1);
  assert.match(wrongModel.stderr, /sgd\.safetensors' was saved from model 'lenet', not 'lenet-modern'/);
});

test('convnet train: --backend js|wasm picks the backend, $CONVNET_BACKEND is the default, both train to the same loss', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), 'train', 'lenet-modern', '--epochs', '1', '--quiet', '--json', ...TINY, ...args],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  const js = run(['--backend', 'js']), wasm = run(['--backend', 'wasm']), auto = run([]), envJs = run([], { CONVNET_BACKEND: 'js' });
  for (const r of [js, wasm, auto, envJs]) assert.equal(r.status, 0, r.stderr);
  assert.match(js.stderr, /; backend js\n/);
  assert.match(wasm.stderr, /; backend wasm-(relaxed|simd)-\d+t\n/);
  assert.match(auto.stderr, /; backend wasm-(relaxed|simd)-\d+t\n/, 'auto is the wasm backend on Node 20');
  assert.match(envJs.stderr, /; backend js\n/);
  const loss = (s: string) => jsonLines(s)[0]!['train_loss']!;
  assert.ok(Math.abs(loss(js.stdout) - loss(wasm.stdout)) < 1e-4, `same seed, same data: js ${loss(js.stdout)} vs wasm ${loss(wasm.stdout)}`);
  const bad = run([], { CONVNET_BACKEND: 'gpu' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /CONVNET_BACKEND=gpu: unknown backend 'gpu'/);
});
