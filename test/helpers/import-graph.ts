// Walks the static (and literal dynamic) import graph of compiled ES modules: which files a
// universal entry reaches, and which of them import Node's built-in modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

const IMPORT_RE = /(?:^|[\s;}])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g;

/** Whether a specifier names a Node built-in module (`node:fs`, `fs`, `fs/promises`). */
export function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]!);
}

/** Every file reachable from `entry` and, per file, the Node built-ins it imports. */
export function nodeImports(entry: string): { files: string[]; offenders: { file: string; spec: string }[] } {
  const seen = new Set<string>();
  const offenders: { file: string; spec: string }[] = [];
  const stack = [path.resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (isNodeBuiltin(spec)) offenders.push({ file, spec });
      else if (spec.startsWith('.')) stack.push(path.resolve(path.dirname(file), spec));
    }
  }
  return { files: [...seen].sort(), offenders };
}
