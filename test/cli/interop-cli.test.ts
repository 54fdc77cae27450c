/**
 * The command line with PyTorch's files: `convnet eval --weights model.pt`, `convnet train --init
 * model.pt|.safetensors`, and `convnet export --weights … --onnx …`, whose file ONNX Runtime runs
 * to PyTorch's own logits (fixtures/torch/lenet.pt and lenet.json, scripts/fixtures/gen_torch_files.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTorch } from '../../src/io/torch-file.js';
import { encodeCheckpoint } from '../../src/io/checkpoint.js';
import { LeNet } from '../../src/models/lenet.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'convnet-interop-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const pt = path.join(root, 'fixtures/torch/lenet.pt');

function convnet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const EVAL_DATA = ['--limit-test', '256', '--batch-size', '64'];
const DATA = ['--limit-train', '128', ...EVAL_DATA, '--seed', '3'];

test('eval --weights model.pt equals eval of the same weights as safetensors; train --init model.pt starts from them', () => {
  const viaPt = convnet('eval', 'lenet', '--weights', pt, ...EVAL_DATA, '--json');
  assert.equal(viaPt.status, 0, viaPt.stderr);
  const a = JSON.parse(viaPt.stdout) as { test_loss: number; test_acc: number; epoch: number | null };
  assert.equal(a.epoch, null);

  const m = new LeNet();
  m.loadStateDict(loadTorch(pt));
  const st = path.join(tmp, 'lenet.safetensors');
  writeFileSync(st, encodeCheckpoint(m, { rngState: null }));
  const viaSt = convnet('eval', 'lenet', '--weights', st, ...EVAL_DATA, '--json');
  assert.equal(viaSt.status, 0, viaSt.stderr);
  assert.equal((JSON.parse(viaSt.stdout) as { test_loss: number }).test_loss, a.test_loss);

  // With lr 0 the weights stay as loaded, so the epoch's validation loss is eval's test loss.
  for (const init of [pt, st]) {
    const r = convnet('train', 'lenet', '--init', init, '--lr', '0', '--epochs', '1', ...DATA, '--json', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`initialised lenet from ${init.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const rec = JSON.parse(r.stdout.trim().split('\n')[0]!) as { val_loss: number; val_acc: number };
    assert.ok(Math.abs(rec.val_loss - a.test_loss) < 1e-6, `${init}: val loss ${rec.val_loss} vs eval ${a.test_loss}`);
    assert.equal(rec.val_acc, a.test_acc);
  }
});

test('train --init: clear errors for a conflict with --resume (2) and for weights of another model (1)', () => {
  const both = convnet('train', 'lenet', '--init', pt, '--resume', pt);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /convnet: error: options --init and --resume exclude each other/);
  const other = convnet('train', 'resnet18', '--init', pt, ...DATA, '--resize', '64', '--quiet');
  assert.equal(other.status, 1);
  assert.match(other.stderr, new RegExp(`loadWeights: '${pt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' does not fit ResNet18: [\\s\\S]*Missing key\\(s\\): "net\\.0\\.0\\.weight"`));
  const junk = path.join(tmp, 'junk.pt');
  writeFileSync(junk, 'not a model');
  const bad = convnet('eval', 'lenet', '--weights', junk, ...EVAL_DATA);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /not a safetensors file.*nor is it a torch\.save archive/);
});

test('convnet export: a torch.save LeNet to ONNX, which ONNX Runtime runs to PyTorch\'s logits (≤ 1e-5); --dynamic-batch serves any batch', async () => {
  const ort = await import('onnxruntime-node');
  const fx = loadFixture<{ X: TensorJson; logits: TensorJson }>('torch/lenet.json');
  const X = fromJson(fx.X);
  for (const dynamic of [false, true]) {
    const out = path.join(tmp, dynamic ? 'lenet-dyn.onnx' : 'lenet.onnx');
    const args = ['export', 'lenet', '--weights', pt, '--onnx', out, '--input', X.shape.join(',')];
    const r = convnet(...(dynamic ? [...args.slice(0, -2), '--dynamic-batch'] : args));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^exported lenet \\(61,706 parameters\\) from .* for input \\[${dynamic ? '1, 1, 28, 28\\] \\(any batch size\\)' : '4, 1, 28, 28\\]'} to .*: 12 nodes, opset 13, [\\d,]+ bytes\\n$`));
    const session = await ort.InferenceSession.create(readFileSync(out));
    const res = await session.run({ input: new ort.Tensor('float32', X.toFloat32Array(), X.shape.slice()) });
    const y = new Tensor(Float32Array.from(res.output!.data as Float32Array), res.output!.dims.slice(), 'float32');
    assertClose(y, fx.logits, { atol: 1e-5, rtol: 1e-5, what: `ONNX Runtime on the exported PyTorch LeNet (dynamic ${dynamic})` });
    await session.release();
  }
});

test('convnet export: usage errors (2) and a model/input mismatch that names the input and says what to pass (1)', () => {
  const cases: [string[], number, RegExp][] = [
    [['export', 'lenet', '--onnx', path.join(tmp, 'x.onnx')], 2, /export: --weights FILE is required/],
    [['export', 'lenet', '--weights', pt], 2, /export: --onnx OUT\.onnx is required/],
    [['export', 'lenet', '--weights', pt, '--onnx', '/nonexistent-dir/x.onnx'], 2, /option --onnx: cannot write '\/nonexistent-dir\/x\.onnx': directory '\/nonexistent-dir' does not exist/],
    [['export', 'lenet', '--weights', pt, '--onnx', path.join(tmp, 'x.onnx'), '--input', '1,28,28'], 2, /option --input: expected 4 dims N,C,H,W/],
    [['export', 'lenet', '--weights', pt, '--onnx', path.join(tmp, 'x.onnx'), '--input', '1,1,32,32'], 1,
      /export: lenet with these weights does not accept input \[1, 1, 32, 32\]: .*pass --input N,C,H,W with the image size the weights were trained at/],
  ];
  for (const [args, status, re] of cases) {
    const r = convnet(...args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  assert.ok(!existsSync(path.join(tmp, 'x.onnx')), 'no file is left behind by a failed export');
  const help = convnet('--help');
  assert.match(help.stdout, /export <model>.*  write the model with its weights as an ONNX file/);
  // Each command's options are on its own help page.
  assert.match(convnet('export', '--help').stdout, /--dynamic-batch/);
  assert.match(convnet('train', '--help').stdout, /--init FILE/);
});
