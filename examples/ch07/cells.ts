/** Notebook-style output for the chapter 7 examples: each printed cell is also returned by key for the tests. */
import { pathToFileURL } from 'node:url';

/** What `main()` returns: the printed text of every cell, keyed like fixtures/conv/seed_ch7.json. */
export type Cells = Record<string, string>;

/** A printer that records each cell under its key and prints it like a notebook output. */
export function notebook(log: (s: string) => void): { cells: Cells; show: (key: string, value: unknown) => void } {
  const cells: Cells = {};
  return {
    cells,
    show(key, value) {
      const s = String(value);
      cells[key] = s;
      log(s);
    },
  };
}

/** Call `main` when the file is run directly (`node dist/examples/ch07/<name>.js`), not when imported. */
export function runIfMain(url: string, main: () => unknown): void {
  const entry = process.argv[1];
  if (entry !== undefined && url === pathToFileURL(entry).href) main();
}
