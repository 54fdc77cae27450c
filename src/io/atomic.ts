// Crash-safe file replacement: readers see either the old file or the complete new one, never a torn write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Data accepted by writeFileAtomic: one buffer, or chunks streamed in order (so large checkpoints need not be concatenated first). */
export type AtomicData = Uint8Array | Iterable<Uint8Array>;

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

/** writeFileAtomic(path, bytes | chunks): temp file in the same dir + fsync + rename; on any failure the temp is removed, the old file is untouched, and the error (naming `target`) is rethrown. */
export function writeFileAtomic(target: string, data: AtomicData): void {
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    // 'wx' so we never clobber a file some other process happened to create under the same temp name.
    fd = fs.openSync(tmp, 'wx', 0o644);
    if (data instanceof Uint8Array) {
      writeAll(fd, data);
    } else {
      for (const chunk of data) writeAll(fd, chunk);
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
    throw new Error(`${target}: atomic write failed (old file left unchanged): ${msg}`, { cause: err });
  }
  fsyncDir(path.dirname(target));
}
