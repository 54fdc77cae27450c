import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempPathFor, writeFileAtomic } from '../../src/io/atomic.js';
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

test('a failing rename (target is a directory) removes the temp and leaves the target alone', () => {
  const dir = freshDir('rename');
  const target = path.join(dir, 'taken');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep.txt'), 'x');
  assert.throws(() => writeFileAtomic(target, Uint8Array.from([1])), /atomic write failed .*(EISDIR|ENOTEMPTY|EEXIST|EPERM)/);
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
