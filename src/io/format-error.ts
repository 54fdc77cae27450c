/** The error every binary-format reader in src/io throws for bad bytes: it names the file (or source) and the byte offset. */
import { FileFormatError } from './errors.js';

/**
 * A malformed, truncated, hostile or unsupported file (`.pt` archives and their pickles, ONNX).
 * `source` names the file (or '<bytes>'); `byte` is where the problem was found, null when no
 * single byte is to blame (a well-formed value that is not allowed), and `offset` is that byte or
 * 0 (FileFormatError's contract: an integer inside the file). The message starts with the file
 * and ends with the byte.
 */
export class FormatError extends FileFormatError {
  readonly byte: number | null;
  constructor(source: string, offset: number | null, detail: string) {
    super(source, offset ?? 0, detail);
    this.byte = offset;
    this.message = `${source}: ${detail}${offset !== null ? ` (byte ${offset})` : ''}`;
    this.name = 'FormatError';
  }

  /** The file's name, as given to the reader (FileFormatError calls it `file`). */
  get source(): string { return this.file; }
}
