#!/usr/bin/env node
// Launcher for the compiled CLI (run `npm run build` first).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
