/** d2l exercise 7.1.6: a 1-D convolution over an audio signal (batch 1, 1 channel, 100 samples). */
import { d2l, nn, randn } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from './cells.js';

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);
  const audioSignal = randn([1, 1, 100]);
  const conv1d = new nn.Conv1d(1, 1, { kernelSize: 3, stride: 1, padding: 1 });
  const outputSignal = conv1d.call(audioSignal);
  show('ex7.1.6 print', `Audio signal after convolution:  ${d2l.torchSize(outputSignal.shape)}`);
  show('ex7.1.6 repr', conv1d);
  return cells;
}

runIfMain(import.meta.url, main);
