/**
 * Crash safety of `convnet train --save`: runs are killed with SIGKILL at random moments, at least
 * half of them while a checkpoint is being written (CONVNET_TEST_WRITE_DELAY_MS holds each write
 * open halfway for 150 ms, and the test waits until it sees the temp file). After every kill the
 * checkpoint is the previous or the next complete one: it loads (weights, optimiser state, epoch,
 * plot) and its epoch is the last one the run reported or the one before. The next run resumes
 * from it and removes the dead run's temp file; at the end nothing but the checkpoint is left.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinyFashionMnist } from '../helpers/tiny-data.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { getModelSpec } from '../../src/models/index.js';
import { zeros } from '../../src/tensor/creation.js';
import { SGD } from '../../src/optim/sgd.js';
import { restoreBoard } from '../../src/cli/train.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'convnet-crash-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const KILLS = 12;
const data = writeTinyFashionMnist(path.join(tmp, 'data'), 192, 64);
const dir = path.join(tmp, 'run');
fs.mkdirSync(dir);
const ck = path.join(dir, 'ck.safetensors');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic "random" delays (the test must be repeatable). */
let seed = 20261207;
const random = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };

interface Run { child: ChildProcess; epochs: number[]; exited: Promise<number | null> }

function start(epochs: number): Run {
  const args = [path.join(root, 'bin/convnet.js'), 'train', 'lenet-modern', '--data-dir', data, '--batch-size', '64', '--epochs', String(epochs),
    '--save', ck, '--json', '--quiet', '--seed', '3', ...(fs.existsSync(ck) ? ['--resume', ck] : [])];
  const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, CONVNET_TEST_WRITE_DELAY_MS: '150', CONVNET_WASM_THREADS: '1' } });
  const run: Run = { child, epochs: [], exited: new Promise((r) => child.on('close', (code) => r(code))) };
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      run.epochs.push((JSON.parse(buf.slice(0, i)) as { epoch: number }).epoch);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr!.resume();
  return run;
}

const temps = (pid?: number): string[] => fs.readdirSync(dir).filter((n) => n.startsWith('ck.safetensors.tmp-') && (pid === undefined || n.startsWith(`ck.safetensors.tmp-${pid}-`)));

/** Load the checkpoint as `--resume` does; returns its epoch. */
function checkpointEpoch(): number {
  const spec = getModelSpec('lenet-modern');
  const model = spec.create({ lr: spec.defaultLr });
  model.applyInit([zeros(1, 1, 28, 28)]);
  const loaded = loadCheckpoint(ck, model, { optimizer: new SGD(model.parameters(), { lr: spec.defaultLr }) });
  restoreBoard(loaded.metadata, model.board, ck);
  assert.equal(loaded.metadata.model, 'lenet-modern');
  assert.ok(loaded.epoch !== null && loaded.epoch >= 1);
  return loaded.epoch;
}

test(`convnet train --save survives ${KILLS} SIGKILLs (half of them mid-write): the checkpoint is always a complete one`, { timeout: 600_000 }, async () => {
  let prevEpoch = 0, midWrite = 0;
  for (let k = 0; k < KILLS; k++) {
    const staleBefore = temps();
    const run = start(10_000);
    const pid = run.child.pid!;
    let wasMidWrite = false;
    if (k % 2 === 1) {
      // Wait for this run's second save to be under way, then kill it at a random point of the write.
      let seen = 0;
      const t0 = Date.now();
      while (Date.now() - t0 < 60_000) {
        if (temps(pid).length > 0) { seen++; if (seen === 2 || (seen === 1 && random() < 0.5)) break; await sleep(160); }
        await sleep(3);
      }
      await sleep(Math.floor(random() * 100));
      wasMidWrite = temps(pid).length > 0;
    } else {
      await sleep(500 + Math.floor(random() * 2500));
    }
    run.child.kill('SIGKILL');
    await run.exited;
    if (wasMidWrite && temps(pid).length > 0) midWrite++;
    if (!fs.existsSync(ck)) {
      assert.deepEqual(run.epochs, [], `kill ${k}: epochs were reported but no checkpoint exists`);
      continue;
    }
    const epoch = checkpointEpoch();
    const reported = run.epochs.length > 0 ? run.epochs.at(-1)! : prevEpoch;
    assert.ok(epoch === reported || epoch === reported - 1, `kill ${k}: checkpoint at epoch ${epoch}, run reported ${run.epochs.join(',')}`);
    assert.ok(epoch >= prevEpoch, `kill ${k}: checkpoint went back from epoch ${prevEpoch} to ${epoch}`);
    // A save completed in this run, so the temp files dead runs left before it are gone.
    if (epoch > prevEpoch) for (const s of staleBefore) assert.ok(!fs.existsSync(path.join(dir, s)), `kill ${k}: ${s} from a dead run was left behind`);
    prevEpoch = epoch;
  }
  console.log(`crash test: ${KILLS} kills, ${midWrite} of them mid-write; checkpoint reached epoch ${prevEpoch}`);
  assert.ok(midWrite >= KILLS / 2 - 1, `only ${midWrite} of ${KILLS} kills landed mid-write`);
  assert.ok(prevEpoch >= 3, `training advanced across the kills (at epoch ${prevEpoch})`);

  // A last run to completion resumes, finishes, and leaves only the checkpoint.
  const last = start(prevEpoch + 1);
  assert.equal(await last.exited, 0);
  assert.deepEqual(last.epochs, [prevEpoch + 1]);
  assert.equal(checkpointEpoch(), prevEpoch + 1);
  assert.deepEqual(fs.readdirSync(dir), ['ck.safetensors']);
});
