// Builds the two wasm kernel modules (relaxed-SIMD FMA and plain SIMD) from assembly/ into
// src/backend/wasm/gen/, where the loader finds them from both src/ and dist/src/.
// `node scripts/build-wasm.mjs --out DIR` builds into DIR instead (the test that checks the
// committed modules are up to date with assembly/ uses this; the build is deterministic).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const asc = path.join(root, 'node_modules', '.bin', 'asc');
const outArg = process.argv.indexOf('--out');
const outDir = outArg >= 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'src/backend/wasm/gen');
const common = [
  'assembly/index.ts', '-O3', '--runtime', 'stub', '--noAssert',
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--use', 'abort=', '--enable', 'threads', '--enable', 'simd',
];
const builds = [
  { out: 'kernels-simd.wasm', extra: [] },
  { out: 'kernels-relaxed.wasm', extra: ['--enable', 'relaxed-simd'] },
];
for (const b of builds) {
  const file = path.join(outDir, b.out);
  execFileSync(asc, [...common, ...b.extra, '--outFile', file], { cwd: root, stdio: 'inherit' });
  console.log(`built ${path.relative(root, file)}`);
}
