// Builds the wasm kernel modules from assembly/ into src/backend/wasm/gen/: relaxed-SIMD FMA and
// plain SIMD, each importing a shared memory (threads) and a plain one (pages that are not
// cross-origin isolated cannot create a shared memory in every browser). The loader finds them
// from src/ and dist/src/ alike (Node) or by URL (browsers).
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
  '--importMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--use', 'abort=', '--enable', 'simd',
];
const shared = ['--sharedMemory', '--enable', 'threads'];
const relaxed = ['--enable', 'relaxed-simd'];
const builds = [
  { out: 'kernels-simd.wasm', extra: shared },
  { out: 'kernels-relaxed.wasm', extra: [...shared, ...relaxed] },
  { out: 'kernels-simd-single.wasm', extra: [] },
  { out: 'kernels-relaxed-single.wasm', extra: relaxed },
];
for (const b of builds) {
  const file = path.join(outDir, b.out);
  execFileSync(asc, [...common, ...b.extra, '--outFile', file], { cwd: root, stdio: 'inherit' });
  console.log(`built ${path.relative(root, file)}`);
}
