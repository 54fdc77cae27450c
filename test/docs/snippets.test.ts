/**
 * Every code block in README.md and docs/*.md runs (conventions in test/docs/markdown.ts):
 * TypeScript/JavaScript blocks are type-checked against the built package and run with
 * `import ... from 'convnet-ts'` resolving to this checkout; shell blocks run in bash in a fresh
 * directory where `npx convnet` (and `convnet`) is this checkout's bin. Blocks that train for
 * minutes run quickly because CONVNET_MAX_BATCHES=2 (set here unless the environment sets it)
 * caps every epoch at two training and two validation batches, in the CLI and the library's
 * Trainer alike, which say so on stderr: the code paths are the documented ones, only shorter.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { codeBlocks, documentationFiles, type CodeBlock } from './markdown.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const blocks = documentationFiles(root).flatMap((f) => codeBlocks(root, f));
const work = fs.mkdtempSync(path.join(tmpdir(), 'convnet-docs-'));
const project = path.join(work, 'project');
const id = (b: CodeBlock): string => `${b.file.replace(/[/.]/g, '_')}-L${b.line}`;
const where = (b: CodeBlock): string => `${b.file}:${b.line}`;

before(() => {
  // A project that depends on convnet-ts the way a user's does: node_modules/convnet-ts and its bin.
  fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(root, path.join(project, 'node_modules', 'convnet-ts'), 'dir');
  fs.symlinkSync(path.join(root, 'bin', 'convnet.js'), path.join(project, 'node_modules', '.bin', 'convnet'));
  fs.symlinkSync(path.join(root, 'node_modules', '@types'), path.join(project, 'node_modules', '@types'), 'dir');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'docs-snippets', private: true, type: 'module' }));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      cwd,
      env: {
        ...process.env, CONVNET_MAX_BATCHES: process.env.CONVNET_MAX_BATCHES ?? '2',
        PATH: `${path.join(project, 'node_modules', '.bin')}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        // npx must find the local bin or fail; it may never fetch a package named 'convnet' from the registry.
        npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_yes: 'false',
      },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.stderr.on('data', (d: Buffer) => { out += d; });
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, out }));
  });
}

describe('documentation code blocks', { concurrency: 2 }, () => {
  test('every block is tagged: sh/ts/js (run here), text (output), python (PyTorch), json/svg (data), or marked tested-by', () => {
    const bad = blocks.filter((b) => b.kind === 'unknown').map((b) => `${where(b)}: \`\`\`${b.lang || '(no language)'}`);
    assert.deepEqual(bad, [], 'tag these blocks (see test/docs/markdown.ts)');
    assert.ok(blocks.filter((b) => b.kind === 'ts').length >= 8 && blocks.filter((b) => b.kind === 'sh').length >= 2, 'the docs still have their examples');
  });

  test('tested-by markers name test files that exist', () => {
    for (const b of blocks.filter((x) => x.kind === 'tested-by')) {
      assert.ok(fs.existsSync(path.join(root, b.testedBy!)), `${where(b)}: tested-by ${b.testedBy} does not exist`);
    }
  });

  test('TypeScript blocks type-check (strict) against the built package', () => {
    const files = blocks.filter((b) => b.kind === 'ts').map((b) => {
      const dir = path.join(project, 'typecheck');
      fs.mkdirSync(dir, { recursive: true });
      const f = path.join(dir, `${id(b)}.ts`);
      // Each block is its own module, so two blocks may both declare `const X`.
      fs.writeFileSync(f, `${b.code}\nexport {};\n`);
      return [f, b] as const;
    });
    const program = ts.createProgram(files.map(([f]) => f), {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'], skipLibCheck: true, lib: ['lib.es2022.d.ts'],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const blk = files.find(([f]) => d.file !== undefined && path.resolve(d.file.fileName) === f)?.[1];
      const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const at = blk !== undefined ? `${blk.file}:${blk.line + 1 + line}` : d.file?.fileName ?? '';
      return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    assert.deepEqual(errors, []);
  });

  for (const b of blocks.filter((x) => x.kind === 'ts' || x.kind === 'js' || x.kind === 'sh')) {
    test(`${where(b)} (${b.lang}) runs`, { timeout: 600_000 }, async () => {
      const dir = path.join(project, 'run', id(b));
      fs.mkdirSync(dir, { recursive: true });
      let r: { status: number | null; out: string };
      if (b.kind === 'sh') {
        r = await run('bash', ['-euo', 'pipefail', '-c', b.code], dir);
      } else {
        const js = b.kind === 'ts' ? ts.transpileModule(b.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : b.code;
        fs.writeFileSync(path.join(dir, 'snippet.mjs'), js);
        r = await run(process.execPath, ['snippet.mjs'], dir);
      }
      assert.equal(r.status, 0, `${where(b)} failed (exit ${r.status}):\n${b.code}\n--- output ---\n${r.out.slice(-4000)}`);
    });
  }
});
