/**
 * Runs the code blocks of a markdown page as a reader would: ```ts blocks as ES modules (transpiled
 * with TypeScript; `from 'convnet-ts'` resolves to this build), ```sh lines `npx convnet …` through
 * bin/convnet.js, all with the same working directory, in page order. A ```text block right after
 * a block is that block's expected stdout. ```python blocks are run by scripts/fixtures/check_interop_doc.py
 * (tests need no Python), which uses runBlock from here for the TypeScript and shell ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** One fenced block: its language, code, the ```text block that follows it (if any), and its position. */
export interface Block { lang: string; code: string; expected: string | null; index: number; line: number }

/** The fenced code blocks of a markdown file, ```text blocks attached to the block before them. */
export function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(markdown)) !== null) {
    const line = markdown.slice(0, m.index).split('\n').length;
    const [lang, code] = [m[1]!, m[2]!];
    const prev = blocks[blocks.length - 1];
    if (lang === 'text' && prev !== undefined && prev.expected === null) prev.expected = code;
    else blocks.push({ lang, code, expected: null, index: blocks.length, line });
  }
  return blocks;
}

/** Result of running one block. */
export interface RunResult { status: number | null; stdout: string; stderr: string }

/** Run a ts or sh block with `cwd` as the working directory. */
export function runBlock(b: Block, cwd: string): RunResult {
  if (b.lang === 'ts') {
    const src = b.code.replace(/from 'convnet-ts'/g, `from '${pathToFileURL(path.join(ROOT, 'dist/src/index.js')).href}'`);
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    // Inside the repository, so bare imports (onnxruntime-node) resolve from its node_modules.
    const dir = path.join(ROOT, 'dist/.doc-snippets');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `block-${process.pid}-${b.index}.mjs`);
    writeFileSync(file, js);
    const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: 120_000 });
    rmSync(file, { force: true });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  if (b.lang === 'sh') {
    let out = '', err = '';
    for (const raw of b.code.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      if (!line.startsWith('npx convnet ')) return { status: 1, stdout: out, stderr: `only 'npx convnet …' lines are run, got: ${line}` };
      const args = line.slice('npx convnet '.length).split(/\s+/);
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/convnet.js'), ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
      out += r.stdout;
      err += r.stderr;
      if (r.status !== 0) return { status: r.status, stdout: out, stderr: err };
    }
    return { status: 0, stdout: out, stderr: err };
  }
  throw new Error(`runBlock: cannot run a '${b.lang}' block (line ${b.line})`);
}

/** The blocks of `docs/<name>`. */
export function docBlocks(name: string): Block[] {
  return parseBlocks(readFileSync(path.join(ROOT, 'docs', name), 'utf8'));
}
