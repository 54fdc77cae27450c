/**
 * Training progress for the terminal: a live bar redrawn in place on a TTY (images/s, running
 * loss), or a plain line at each quarter of an epoch when output goes to a file or pipe, so logs
 * stay readable.
 */
import type { BatchInfo, EpochRecord } from '../train/trainer.js';

/** Where progress goes; `isTTY` picks the live bar. */
export interface ProgressStream { write(s: string): unknown; isTTY?: boolean; columns?: number }

/** Reports per-batch progress and per-epoch summaries to a stream. */
export class ProgressReporter {
  private lastDraw = 0;
  private lastQuarter = 0;

  constructor(private readonly out: ProgressStream, private readonly maxEpochs: number) {}

  /** Called after every training batch. */
  batch(b: BatchInfo): void {
    const ips = b.examples / Math.max(b.seconds, 1e-9);
    if (this.out.isTTY) {
      const now = Date.now();
      if (b.batch < b.numBatches && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24, done = Math.round((width * b.batch) / b.numBatches);
      const bar = '#'.repeat(done) + '.'.repeat(width - done);
      this.out.write(`\r\x1b[Kepoch ${b.epoch}/${this.maxEpochs} [${bar}] ${b.batch}/${b.numBatches}  loss ${b.runningLoss.toFixed(4)}  ${ips.toFixed(0)} img/s`);
      return;
    }
    const q = Math.floor((4 * b.batch) / b.numBatches);
    if (b.batch === 1) this.lastQuarter = 0;
    if (q > this.lastQuarter && b.batch < b.numBatches) {
      this.lastQuarter = q;
      this.out.write(`epoch ${b.epoch}/${this.maxEpochs}: batch ${b.batch}/${b.numBatches}  loss ${b.runningLoss.toFixed(4)}  ${ips.toFixed(0)} img/s\n`);
    }
  }

  /** Clears the live bar (the epoch line is printed by the caller, possibly to another stream). */
  endEpoch(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
  }
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
