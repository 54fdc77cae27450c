/**
 * Fenced code blocks of the README and docs/*.md, with the conventions the snippet test enforces:
 *
 * - ```sh / ```bash and ```ts / ```js blocks are run by test/docs/snippets.test.ts;
 * - ```text (printed output, diagrams, command templates shown for reading) and ```python
 *   (PyTorch code to compare with) are not run; so are ```json and ```svg data;
 * - a block right after `<!-- tested-by: PATH -->` is run by that test file instead (the snippet
 *   test checks the file exists), e.g. the install instructions that only a packaging test can run;
 * - any other block, or one without a language, is an error, so nothing unrun slips into the docs.
 */
import * as fs from 'node:fs';
import path from 'node:path';

/** How the snippet test treats a block. */
export type BlockKind = 'sh' | 'ts' | 'js' | 'output' | 'pytorch' | 'data' | 'tested-by' | 'unknown';

/** One fenced block: where it is, its language, its code, and the marker before it. */
export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  kind: BlockKind;
  /** For `tested-by`: the test file (relative to the repository root). */
  testedBy?: string;
}

const KINDS: Record<string, BlockKind> = {
  sh: 'sh', bash: 'sh', shell: 'sh', ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', mjs: 'js',
  text: 'output', output: 'output', python: 'pytorch', py: 'pytorch', json: 'data', svg: 'data',
};

/** The fenced blocks of one markdown file (`rel` is its path relative to `root`). */
export function codeBlocks(root: string, rel: string): CodeBlock[] {
  const lines = fs.readFileSync(path.join(root, rel), 'utf8').split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    const lang = info!.trim().split(/\s+/)[0] ?? '';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[j]!); j++) body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    // The marker is the last non-blank line before the fence.
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? /^\s*<!--\s*tested-by:\s*(\S+)\s*-->\s*$/.exec(lines[k]!) : null;
    const block: CodeBlock = { file: rel, line: i + 1, lang, code: body.join('\n'), kind: marker !== null ? 'tested-by' : KINDS[lang.toLowerCase()] ?? 'unknown' };
    if (marker !== null) block.testedBy = marker[1]!;
    out.push(block);
    i = j;
  }
  return out;
}

/** README.md and every docs/*.md, in a stable order. */
export function documentationFiles(root: string): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}
