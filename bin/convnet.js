#!/usr/bin/env node
// Launcher for the compiled CLI (src/cli/main.ts → dist/src/cli/main.js).
let main;
try {
  ({ main } = await import('../dist/src/cli/main.js'));
} catch (e) {
  // A fresh checkout has no dist/ yet: say how to build instead of printing a module-resolution stack.
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('cli/main.js')) {
    process.stderr.write('convnet: the CLI is not built yet; run `npm run build` (or `npm start`) first\n');
    process.exit(1);
  }
  throw e;
}
process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
