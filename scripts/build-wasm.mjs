// Builds the two wasm kernel modules (relaxed-SIMD FMA and plain SIMD) from assembly/ into
// src/backend/wasm/gen/, where the loader finds them from both src/ and dist/src/.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const asc = path.join(root, 'node_modules', '.bin', 'asc');
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
  const args = [...common, ...b.extra, '--outFile', `src/backend/wasm/gen/${b.out}`];
  execFileSync(asc, args, { cwd: root, stdio: 'inherit' });
  console.log(`built src/backend/wasm/gen/${b.out}`);
}
