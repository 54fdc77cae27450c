/**
 * Typed errors for files: every malformed, truncated or hostile input a reader meets becomes a
 * FileFormatError that names the file and the byte offset where reading went wrong, so callers
 * (the CLI, the fuzz tests) can tell "bad file" from a bug.
 */

/**
 * A file whose bytes are not what the reader expects. `offset` is the byte where the problem was
 * found (for gzip-compressed files, an offset into the decompressed stream when `decompressed`).
 * The message reads `FILE: DETAIL`, and DETAIL states the offset.
 */
export class FileFormatError extends Error {
  constructor(readonly file: string, readonly offset: number, readonly detail: string, readonly decompressed = false, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.name = 'FileFormatError';
  }
}

/**
 * A well-formed checkpoint that does not fit what it is loaded into: missing, unexpected or
 * mis-shaped keys, another optimiser's state. `offset` is the start of the header that lists them (8).
 */
export class CheckpointMismatchError extends FileFormatError {
  constructor(file: string, offset: number, detail: string) {
    super(file, offset, detail);
    this.name = 'CheckpointMismatchError';
  }
}

/** A file that could not be (re)written: read-only target, missing directory, full disk. The old file is left as it was. */
export class FileWriteError extends Error {
  constructor(readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.name = 'FileWriteError';
  }
}
