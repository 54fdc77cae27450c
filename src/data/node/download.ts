/**
 * Downloading dataset files: each missing file is fetched from a base URL (a mirror variable can
 * replace it), checked against its sha256 before anything is written, and written atomically;
 * archives (.tar.gz) are verified whole and then unpacked member by member, each atomically.
 * The same rules as downloadFashionMnist, for any table of files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic } from '../../io/atomic.js';

/** One file of a dataset as published: name, size and sha256 of the bytes served. */
export interface RemoteFile { file: string; bytes: number; sha256: string }

/** Options: base URL (else the dataset's mirror variable, else upstream), per-file deadline, progress callback. */
export interface FetchOptions {
  baseUrl?: string;
  /** File name → expected sha256, replacing the official table (a private mirror of re-packed files; tests). */
  checksums?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  onFile?: (r: { file: string; url: string; path: string; bytes: number }) => void;
}

/** The base URL: option, else $env (when set), else `upstream`; always ending in '/'. */
export function baseUrlFor(upstream: string, env: string, opts: FetchOptions): string {
  const e = process.env[env];
  const base = opts.baseUrl ?? (e !== undefined && e !== '' ? e : upstream);
  return base.endsWith('/') ? base : `${base}/`;
}

/** Fetch `f` from `base`, verify its sha256; returns the bytes (nothing is written here). */
export async function fetchVerified(base: string, f: RemoteFile, timeoutMs = 600_000): Promise<{ url: string; body: Uint8Array }> {
  if (f.file.includes('/') || f.file.includes('\\') || f.file === '..' || f.file === '.') throw new Error(`refusing to download ${JSON.stringify(f.file)}: not a plain file name`);
  const url = new URL(f.file, base).href;
  const signal = AbortSignal.timeout(timeoutMs);
  let body: Uint8Array;
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const msg = signal.aborted ? `no complete response within ${timeoutMs / 1000}s` : err instanceof Error ? err.message : String(err);
    throw new Error(`download of ${url} failed: ${msg}`, { cause: err });
  }
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== f.sha256.toLowerCase()) {
    throw new Error(`checksum mismatch for ${url}: expected sha256 ${f.sha256} but got ${actual} (${body.length} bytes); nothing written`);
  }
  return { url, body };
}

/** Members of an uncompressed POSIX (ustar) tar archive: path → bytes (regular files only). */
export function readTar(tar: Uint8Array, source: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const text = (o: number, n: number): string => {
    let e = o;
    while (e < o + n && tar[e] !== 0) e++;
    return Buffer.from(tar.subarray(o, e)).toString('utf8');
  };
  for (let o = 0; o + 512 <= tar.length;) {
    if (tar.subarray(o, o + 512).every((b) => b === 0)) break;
    const name = text(o, 100), prefix = text(o + 345, 155), type = String.fromCharCode(tar[o + 156]!);
    const size = parseInt(text(o + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0 || o + 512 + size > tar.length) throw new Error(`${source}: corrupt tar header at byte offset ${o} (member '${name}')`);
    if (type === '0' || type === '\0') out.set(prefix ? `${prefix}/${name}` : name, tar.subarray(o + 512, o + 512 + size));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Unpack members of a verified .tar.gz whose paths end in `wanted` names into `dir` (atomically each); returns the paths written. */
export function extractTarGz(gz: Uint8Array, source: string, dir: string, wanted: readonly string[]): string[] {
  let tar: Uint8Array;
  try { tar = gunzipSync(gz); } catch (e) { throw new Error(`${source}: corrupt gzip data: ${(e as Error).message}`); }
  const members = readTar(tar, source);
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const want of wanted) {
    const hit = [...members.keys()].find((k) => k === want || k.endsWith(`/${want}`));
    if (hit === undefined) throw new Error(`${source}: the archive has no member '${want}'`);
    const dest = path.join(dir, want);
    writeFileAtomic(dest, members.get(hit)!);
    written.push(dest);
  }
  return written;
}
