/**
 * Training progress for a terminal or a log: a live bar redrawn in place on a TTY (images/s,
 * running loss; then a validation bar of its own), or plain lines when output goes to a file or
 * pipe (each quarter of a training epoch; quarters of a validation pass that runs long), so logs
 * stay readable. Used by the Trainer (unless `verbose: false`) and by the CLI.
 */
import type { BatchInfo, EpochRecord, ValBatchInfo } from './trainer.js';

/** Where progress goes; `isTTY` picks the live bar. */
export interface ProgressStream { write(s: string): unknown; isTTY?: boolean; columns?: number }

/** Plain-text validation progress waits this long before its first line (a LeNet validation takes ~1 s). */
const VAL_QUIET_SECONDS = 2;

/** Reports per-batch progress (training and validation) to a stream. */
export class ProgressReporter {
  private lastDraw = 0;
  private lastQuarter = 0;
  private lastValQuarter = 0;

  constructor(private readonly out: ProgressStream, private readonly maxEpochs: number) {}

  /** Called after every training batch. */
  batch(b: BatchInfo): void {
    const ips = b.examples / Math.max(b.seconds, 1e-9);
    if (this.out.isTTY) {
      if (!this.due(b.batch, b.numBatches)) return;
      this.out.write(`\r\x1b[Kepoch ${b.epoch}/${this.maxEpochs} [${bar(b.batch, b.numBatches)}] ${b.batch}/${b.numBatches}  loss ${b.runningLoss.toFixed(4)}  ${ips.toFixed(0)} img/s`);
      return;
    }
    const q = Math.floor((4 * b.batch) / b.numBatches);
    if (b.batch === 1) this.lastQuarter = 0;
    if (q > this.lastQuarter && b.batch < b.numBatches) {
      this.lastQuarter = q;
      this.out.write(`epoch ${b.epoch}/${this.maxEpochs}: batch ${b.batch}/${b.numBatches}  loss ${b.runningLoss.toFixed(4)}  ${ips.toFixed(0)} img/s\n`);
    }
  }

  /** Called after every validation batch: its own bar, so a long validation never looks frozen. Epoch 0: a standalone evaluation. */
  valBatch(b: ValBatchInfo): void {
    const ips = b.examples / Math.max(b.seconds, 1e-9);
    const what = b.epoch > 0 ? `epoch ${b.epoch}/${this.maxEpochs} validating` : 'evaluating';
    if (this.out.isTTY) {
      if (!this.due(b.batch, b.numBatches)) return;
      this.out.write(`\r\x1b[K${what} [${bar(b.batch, b.numBatches)}] ${b.batch}/${b.numBatches}  ${ips.toFixed(0)} img/s`);
      return;
    }
    const q = Math.floor((4 * b.batch) / b.numBatches);
    if (b.batch === 1) this.lastValQuarter = 0;
    if (q > this.lastValQuarter && b.batch < b.numBatches && b.seconds >= VAL_QUIET_SECONDS) {
      this.lastValQuarter = q;
      this.out.write(`${what.replace(' validating', ': validating')} ${b.batch}/${b.numBatches}  ${ips.toFixed(0)} img/s\n`);
    }
  }

  /** Clears the live bar (the epoch line is printed by the caller, possibly to another stream). */
  endEpoch(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
  }

  // Redraw at most every 100 ms, but always the first and the last batch.
  private due(batch: number, n: number): boolean {
    const now = Date.now();
    if (batch !== 1 && batch < n && now - this.lastDraw < 100) return false;
    this.lastDraw = now;
    return true;
  }
}

function bar(done: number, total: number, width = 24): string {
  const k = Math.round((width * done) / Math.max(total, 1));
  return '#'.repeat(k) + '.'.repeat(width - k);
}

/** `epoch 3/10  train loss 0.5123  val loss 0.5501  val acc 0.7950  41.2s  1512 img/s` */
export function formatEpochLine(r: EpochRecord, maxEpochs: number): string {
  const parts = [`epoch ${r.epoch}/${maxEpochs}`, `train loss ${r.trainLoss.toFixed(4)}`];
  if (r.val.loss !== undefined) parts.push(`val loss ${r.val.loss.toFixed(4)}`);
  if (r.val.acc !== undefined) parts.push(`val acc ${r.val.acc.toFixed(4)}`);
  parts.push(`${r.seconds.toFixed(1)}s`, `${r.imagesPerSec.toFixed(0)} img/s`);
  return parts.join('  ');
}

/** The `--json` record for an epoch (snake_case keys, one object per line). */
export function epochJson(r: EpochRecord, maxEpochs: number): Record<string, number> {
  const o: Record<string, number> = { epoch: r.epoch, epochs: maxEpochs, train_loss: r.trainLoss };
  for (const [k, v] of Object.entries(r.val)) o[`val_${k}`] = v;
  o.train_examples = r.trainExamples;
  o.seconds = r.seconds;
  o.train_seconds = r.trainSeconds;
  o.images_per_sec = r.imagesPerSec;
  return o;
}
