/** The `convnet` command line: train, summary, eval, export. Entry point for bin/convnet.js. */
import { formatFlags, UsageError } from './args.js';
import type { Io } from './common.js';
import { TRAIN_FLAGS, trainCommand } from './train.js';
import { SUMMARY_FLAGS, summaryCommand } from './summary.js';
import { EVAL_FLAGS, evalCommand } from './eval.js';
import { EXPORT_FLAGS, exportCommand } from './export.js';
import { getModelSpec, modelNames } from '../models/index.js';

/** Top-level usage text. */
export function usage(): string {
  const models = modelNames().map((m) => `  ${m.padEnd(16)}${getModelSpec(m).description}`).join('\n');
  return `usage: convnet <command> <model> [options]

commands:
  train <model>     train on Fashion-MNIST with d2l's Trainer
  summary <model>   print each layer's output shape and the parameter count
  eval <model>      test loss and accuracy of a checkpoint (--weights FILE)
  export <model>    write the model with its weights as an ONNX file (--weights FILE --onnx OUT.onnx)

models:
${models}

train options:
${formatFlags(TRAIN_FLAGS)}

summary options:
${formatFlags(SUMMARY_FLAGS)}

eval options:
${formatFlags(EVAL_FLAGS)}

export options:
${formatFlags(EXPORT_FLAGS)}

examples:
  convnet train lenet --epochs 10 --batch-size 128 --lr 0.1 --plot lenet.svg --save lenet.safetensors
  convnet train lenet --limit-train 1024 --limit-test 256 --epochs 2 --json
  convnet summary lenet --input 1,1,28,28
  convnet eval lenet --weights lenet.safetensors
  convnet train lenet --init model.pt --epochs 2
  convnet export lenet --weights lenet.safetensors --onnx lenet.onnx
`;
}

/** Run the CLI on `argv` (without node and script); returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      (cmd === undefined ? io.err : io.out).write(usage());
      return cmd === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) { io.out.write(usage()); return 0; }
    switch (cmd) {
      case 'train': return await trainCommand(rest, io);
      case 'summary': return summaryCommand(rest, io);
      case 'eval': return await evalCommand(rest, io);
      case 'export': return exportCommand(rest, io);
      default: throw new UsageError(`unknown command '${cmd}' (expected train, summary, eval or export)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`convnet: error: ${e.message}\nRun 'convnet --help' for usage.\n`);
      return 2;
    }
    io.err.write(`\nconvnet: error: ${(e as Error).message}\n`);
    if (process.env.CONVNET_DEBUG) io.err.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}
