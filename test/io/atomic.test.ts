import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeStaleTemps, tempPathFor, writeFileAtomic } from '../../src/io/atomic.js';
import { FileWriteError } from '../../src/io/errors.js';
import { writeSafetensorsFile, readSafetensorsFile } from '../../src/io/safetensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-atomic-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function freshDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d);
  return d;
}

test('temp files live next to the target as <file>.tmp-<pid>-<random>', () => {
  const p = tempPathFor('/some/dir/model.safetensors');
  assert.match(p, new RegExp(`^/some/dir/model\\.safetensors\\.tmp-${process.pid}-[0-9a-f]{12}$`));
  assert.notEqual(p, tempPathFor('/some/dir/model.safetensors'));
});

test('creates and replaces files, from one buffer or from chunks, leaving no temp files', () => {
  const dir = freshDir('ok');
  const f = path.join(dir, 'a.bin');
  writeFileAtomic(f, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...fs.readFileSync(f)], [1, 2, 3]);
  writeFileAtomic(f, [Uint8Array.from([9]), new Uint8Array(0), Uint8Array.from([8, 7])]);
  assert.deepEqual([...fs.readFileSync(f)], [9, 8, 7]);
  assert.deepEqual(fs.readdirSync(dir), ['a.bin']);
});

test('a failure while writing (chunk producer throws) keeps the old file and removes the temp', () => {
  const dir = freshDir('midway');
  const f = path.join(dir, 'ckpt.bin');
  fs.writeFileSync(f, 'old contents');
  function* chunks(): Generator<Uint8Array> {
    yield new Uint8Array(1024).fill(1);
    throw new Error('disk on fire');
  }
  assert.throws(() => writeFileAtomic(f, chunks()), (e: Error) => {
    assert.equal(e.message, `${f}: atomic write failed (old file left unchanged): disk on fire`);
    assert.equal((e.cause as Error).message, 'disk on fire');
    return true;
  });
  assert.equal(fs.readFileSync(f, 'utf8'), 'old contents');
  assert.deepEqual(fs.readdirSync(dir), ['ckpt.bin']);
});

test('a directory in the way is refused and left alone, with no temp file', () => {
  const dir = freshDir('rename');
  const target = path.join(dir, 'taken');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep.txt'), 'x');
  assert.throws(() => writeFileAtomic(target, Uint8Array.from([1])), { name: 'FileWriteError', message: `${target}: cannot write: the file is a directory` });
  assert.deepEqual(fs.readdirSync(dir), ['taken']);
  assert.equal(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8'), 'x');
});

test('a missing directory is reported with the target path', () => {
  const f = path.join(tmp, 'no-such-dir', 'x.bin');
  assert.throws(() => writeFileAtomic(f, Uint8Array.from([1])), (e: Error) => e.message.startsWith(`${f}: atomic write failed`) && /ENOENT/.test(e.message));
});

test('writeSafetensorsFile: an invalid entry fails before touching the old checkpoint', () => {
  const dir = freshDir('st');
  const f = path.join(dir, 'model.safetensors');
  writeSafetensorsFile(f, { w: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) } });
  const before = fs.readFileSync(f);
  assert.throws(() => writeSafetensorsFile(f, { w: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2]) } }), /needs 12 bytes/);
  assert.deepEqual(fs.readFileSync(f), before);
  assert.deepEqual(readSafetensorsFile(f).tensors.get('w')!.data, Float32Array.from([1, 2]));
  assert.deepEqual(fs.readdirSync(dir), ['model.safetensors']);
});

test('a read-only file is refused like cp refuses it: contents and mode unchanged (for root too: the mode bits decide)', () => {
  const dir = freshDir('readonly');
  const f = path.join(dir, 'ro.safetensors');
  fs.writeFileSync(f, 'precious');
  fs.chmodSync(f, 0o444);
  assert.throws(() => writeFileAtomic(f, Uint8Array.from([1, 2, 3])), (e: Error) => {
    assert.ok(e instanceof FileWriteError);
    assert.equal(e.file, f);
    assert.equal(e.message, `${f}: cannot write: the file is read-only (mode 0444); not replacing it (chmod u+w to allow)`);
    return true;
  });
  assert.equal(fs.readFileSync(f, 'utf8'), 'precious');
  assert.equal(fs.statSync(f).mode & 0o777, 0o444);
  assert.deepEqual(fs.readdirSync(dir), ['ro.safetensors']);
});

test('a replaced file keeps its permission bits (a 0600 checkpoint stays private)', () => {
  const dir = freshDir('mode');
  const f = path.join(dir, 'private.bin');
  fs.writeFileSync(f, 'old');
  fs.chmodSync(f, 0o600);
  writeFileAtomic(f, Uint8Array.from([7]));
  assert.deepEqual([...fs.readFileSync(f)], [7]);
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  const g = path.join(dir, 'wide.bin');
  fs.writeFileSync(g, 'old');
  fs.chmodSync(g, 0o664);
  writeFileAtomic(g, Uint8Array.from([8]));
  assert.equal(fs.statSync(g).mode & 0o777, 0o664, 'the umask does not narrow an existing file');
});

test('temp files of dead writers are removed by the next write; a live process\'s temp is kept', () => {
  const dir = freshDir('stale');
  const f = path.join(dir, 'ck.safetensors');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  const stale = `${f}.tmp-${deadPid}-0123456789ab`;
  const live = `${f}.tmp-${process.ppid}-ba9876543210`; // our parent is alive
  const other = path.join(dir, 'other.bin.tmp-' + deadPid + '-0123456789ab'); // another target's temp: not ours to judge
  for (const p of [stale, live, other]) fs.writeFileSync(p, 'half a checkpoint');
  writeFileAtomic(f, Uint8Array.from([1]));
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(f), path.basename(other), path.basename(live)].sort());
  assert.deepEqual(removeStaleTemps(path.join(dir, 'other.bin')), [other]);
});
