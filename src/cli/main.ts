/** The `convnet` command line: train, summary, eval, export. Entry point for bin/convnet.js. */
import * as fs from 'node:fs';
import path from 'node:path';
import { formatFlags, UsageError, type FlagSpec } from './args.js';
import type { Io } from './common.js';
import { EVAL_OPTIONS, SUMMARY_OPTIONS, TRAIN_OPTIONS } from './options.js';
import { trainCommand } from './train.js';
import { summaryCommand } from './summary.js';
import { evalCommand } from './eval.js';
import { EXPORT_FLAGS, exportCommand } from './export.js';
import { getModelSpec, modelNames } from '../models/index.js';
import { packageRoot } from '../data/fashion-mnist-files.js';

/** A subcommand: its one-line summary, usage line, option table (src/cli/options.ts), examples and runner. */
export interface Command {
  summary: string;
  usage: string;
  options: Readonly<Record<string, FlagSpec>>;
  examples: readonly string[];
  run(argv: readonly string[], io: Io): number | Promise<number>;
}

/** The subcommands, in help order. A new one is a row here plus its option table. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  train: {
    summary: "train on Fashion-MNIST with d2l's Trainer",
    usage: 'convnet train <model> [options]',
    options: TRAIN_OPTIONS,
    examples: [
      'convnet train lenet                                    # d2l 7.6: 10 epochs, about a minute',
      'convnet train lenet-modern --epochs 3 --save ck.safetensors --plot curves.svg',
      'convnet train lenet-modern --epochs 5 --resume ck.safetensors',
      'convnet train resnet18 --resize 64 --limit-train 2048 --limit-test 512 --epochs 2 --batch-size 64',
    ],
    run: trainCommand,
  },
  summary: {
    summary: "print each layer's output shape and the parameter count",
    usage: 'convnet summary <model> [--input N,C,H,W]',
    options: SUMMARY_OPTIONS,
    examples: ['convnet summary lenet', 'convnet summary resnet18 --input 1,1,96,96'],
    run: summaryCommand,
  },
  eval: {
    summary: 'test loss and accuracy of a checkpoint',
    usage: 'convnet eval <model> --weights FILE [options]',
    options: EVAL_OPTIONS,
    examples: ['convnet eval lenet-modern --weights ck.safetensors', 'convnet eval lenet --weights lenet.safetensors --data-dir ~/fashion-mnist --json'],
    run: evalCommand,
  },
  export: {
    summary: 'write the model with its weights as an ONNX file',
    usage: 'convnet export <model> --weights FILE [--onnx OUT.onnx, options]',
    options: EXPORT_FLAGS,
    examples: ['convnet export lenet --weights lenet.safetensors --onnx lenet.onnx', 'convnet export resnet18 --weights model.pt --onnx resnet18.onnx --input 1,1,96,96 --dynamic-batch'],
    run: exportCommand,
  },
};

/** The package version (package.json). */
export function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

/** Top-level usage text: commands, models, where to find each command's options. */
export function usage(): string {
  const models = modelNames().map((m) => `  ${m.padEnd(16)}${getModelSpec(m).description}`).join('\n');
  const cmds = Object.entries(COMMANDS).map(([, c]) => {
    const u = c.usage.replace('convnet ', '').split(' [')[0]!;
    return `  ${u.length >= 29 ? `${u}  ` : u.padEnd(30)}${c.summary}`;
  }).join('\n');
  return `usage: convnet <command> <model> [options]

commands:
${cmds}

models:
${models}

Run 'convnet <command> --help' for a command's options, 'convnet --version' for the version.

examples:
  convnet train lenet --epochs 10 --plot lenet.svg --save lenet.safetensors
  convnet summary googlenet
  convnet eval lenet --weights lenet.safetensors
  convnet export lenet --weights lenet.safetensors --onnx lenet.onnx
`;
}

/** `convnet <command> --help`: the command's usage line, its options by section, examples. */
export function commandUsage(name: string): string {
  const c = COMMANDS[name]!;
  return `usage: ${c.usage}

${c.summary}; <model> is one of: ${modelNames().join(', ')}

${formatFlags(c.options)}

examples:
${c.examples.map((e) => `  ${e}`).join('\n')}
`;
}

// One line, whatever the error: newlines in messages (key lists) are folded, and a page-long message is cut.
function oneLine(msg: string, max = 1200): string {
  const s = msg.replace(/\s*\n\s*/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters; CONVNET_DEBUG=1 shows all)` : s;
}

/**
 * Run the CLI on `argv` (without node and script); returns the exit status: 0 ok, 1 failure (data,
 * files, training), 2 usage error. Every error is one line `convnet: error: …` on stderr; with
 * CONVNET_DEBUG=1 the full message and stack follow it.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      const which = rest[0];
      if (cmd === 'help' && which !== undefined && COMMANDS[which] !== undefined) { io.out.write(commandUsage(which)); return 0; }
      (cmd === undefined ? io.err : io.out).write(usage());
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version' || cmd === '-V' || cmd === 'version') { io.out.write(`${version()}\n`); return 0; }
    const command = COMMANDS[cmd];
    if (command === undefined) {
      throw new UsageError(`unknown command '${cmd}' (expected ${Object.keys(COMMANDS).join(', ')}; 'convnet --help' lists them)`);
    }
    const dashDash = rest.indexOf('--');
    const own = dashDash < 0 ? rest : rest.slice(0, dashDash);
    if (own.includes('--help') || own.includes('-h')) { io.out.write(commandUsage(cmd)); return 0; }
    return await command.run(rest, io);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    // Clear a live progress bar first, so the error starts its own line.
    if (io.err.isTTY) io.err.write('\r\x1b[K');
    const debug = (process.env.CONVNET_DEBUG ?? '') !== '' && process.env.CONVNET_DEBUG !== '0';
    if (err instanceof UsageError) {
      const help = cmd !== undefined && COMMANDS[cmd] !== undefined ? `convnet ${cmd} --help` : 'convnet --help';
      io.err.write(`convnet: error: ${oneLine(err.message)} (see '${help}')\n`);
      if (debug) io.err.write(`${err.stack ?? ''}\n`);
      return 2;
    }
    io.err.write(`convnet: error: ${oneLine(err.message)}\n`);
    if (debug) io.err.write(`${err.message}\n${err.stack ?? ''}\n`);
    return 1;
  }
}
