// Crash-safe file replacement: readers see either the old file or the complete new one, never a torn write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileWriteError } from './errors.js';

/** Data accepted by writeFileAtomic: one buffer, or chunks streamed in order (so large checkpoints need not be concatenated first). */
export type AtomicData = Uint8Array | Iterable<Uint8Array>;

/**
 * Test hook: with this many milliseconds in the environment, writeFileAtomic pauses after writing
 * the first half of the data, so a crash test can kill the process mid-write reliably.
 */
export const WRITE_DELAY_ENV = 'CONVNET_TEST_WRITE_DELAY_MS';

/** Temp-file name used next to `target`: `<target>.tmp-<pid>-<random>` (same dir, so rename never crosses filesystems). */
export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  // writeSync may write fewer bytes than asked (pipes, some network filesystems), so loop.
  while (off < chunk.byteLength) {
    off += fs.writeSync(fd, chunk, off, chunk.byteLength - off);
  }
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; not supported on every platform (e.g. Windows), hence best effort.
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `<target>.tmp-<pid>-<hex>` files left by writers that died mid-write (killed, power loss).
 * Only files whose process is gone are touched, so a concurrent live writer keeps its temp.
 * Returns the removed paths.
 */
export function removeStaleTemps(target: string): string[] {
  const dir = path.dirname(target), base = path.basename(target);
  const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-(\\d+)-[0-9a-f]{12}$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (m === null || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      fs.rmSync(path.join(dir, n), { force: true });
      removed.push(path.join(dir, n));
    } catch {
      /* someone else removed it, or we may not: harmless */
    }
  }
  return removed;
}

/**
 * Why `target` must not be replaced, or null. Like `cp`, a file the user cannot write is not
 * replaced even though the directory would allow a rename over it. Checked on the mode bits too,
 * because root passes every access() check: a `chmod 444` file is refused for root as well.
 */
export function replaceRefusal(target: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return null; // absent (or unreadable metadata: the write itself will report it)
  }
  if (st.isDirectory()) return 'is a directory';
  if ((st.mode & 0o222) === 0) return `is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); not replacing it (chmod u+w to allow)`;
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    return `is not writable by this user (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); not replacing it`;
  }
  return null;
}

function pauseForTests(): void {
  const ms = Number(process.env[WRITE_DELAY_ENV] ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * writeFileAtomic(path, bytes | chunks): temp file in the same dir + fsync + rename. A read-only
 * target is refused (FileWriteError) and left as it is; a replaced file keeps its permission bits.
 * On any failure the temp is removed, the old file is untouched, and a FileWriteError naming
 * `target` is thrown. Temp files of earlier writers that were killed mid-write are removed first.
 */
export function writeFileAtomic(target: string, data: AtomicData): void {
  const refusal = replaceRefusal(target);
  if (refusal !== null) throw new FileWriteError(target, `cannot write: the file ${refusal}`);
  removeStaleTemps(target);
  let mode = 0o644;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    /* new file */
  }
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    // 'wx' so we never clobber a file some other process happened to create under the same temp name.
    fd = fs.openSync(tmp, 'wx', mode);
    // openSync's mode is filtered by the umask; an existing file's bits are restored exactly.
    fs.fchmodSync(fd, mode);
    const chunks = data instanceof Uint8Array ? [data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)] : data;
    let first = true;
    for (const chunk of chunks) {
      writeAll(fd, chunk);
      if (first) pauseForTests();
      first = false;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing; the original error matters more */
      }
    }
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* ditto */
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw new FileWriteError(target, `atomic write failed (old file left unchanged): ${msg}`, { cause: err });
  }
  fsyncDir(path.dirname(target));
}
