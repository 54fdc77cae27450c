/** The error every binary-format reader in src/io throws for bad bytes: it names the file (or source) and the byte offset. */

/**
 * A malformed, truncated, hostile or unsupported file. `source` names the file (or '<bytes>'),
 * `offset` the byte in it where the problem was found (null when no single byte is to blame, e.g.
 * a value that is well-formed but not allowed). The message starts with both.
 */
export class FormatError extends Error {
  constructor(readonly source: string, readonly offset: number | null, readonly detail: string) {
    super(`${source}${offset !== null ? ` (byte ${offset})` : ''}: ${detail}`);
    this.name = 'FormatError';
  }
}
