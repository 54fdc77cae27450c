/** Evaluating a classifier over a loader: loss, accuracy and per-class accuracy (what `convnet eval` prints). */
import { noGrad } from '../autograd/grad-mode.js';
import type { Classifier } from '../train/classifier.js';
import type { Tensor } from '../tensor/tensor.js';
import { scoped } from '../tensor/lifetime.js';

/** Totals of one evaluation; perClass[c] = {n, correct} for label c. */
export interface Evaluation { n: number; loss: number; acc: number; perClass: { n: number; correct: number }[] }

/** Mean loss and accuracy over every batch of `loader`, counted per class too (numClasses rows). */
export function evaluate(model: Classifier, loader: Iterable<Tensor[]>, numClasses: number,
                         onBatch?: (batches: number, examples: number) => void): Evaluation {
  const perClass = Array.from({ length: numClasses }, () => ({ n: 0, correct: 0 }));
  let loss = 0, correct = 0, n = 0, batches = 0;
  model.eval();
  noGrad(() => {
    // Each batch's tensors are released once its numbers are read.
    for (const [X, y] of loader as Iterable<[Tensor, Tensor]>) scoped('convnet eval', () => {
      const yHat = model.call(X);
      const b = y.shape[0]!;
      loss += model.loss(yHat, y).item() * b;
      correct += model.accuracy(yHat, y).item() * b;
      const pred = yHat.argmax(1).data, lab = y.data;
      for (let i = 0; i < b; i++) {
        const c = lab[i]!;
        const row = perClass[c] ?? (perClass[c] = { n: 0, correct: 0 });
        row.n++;
        if (pred[i] === c) row.correct++;
      }
      n += b;
      onBatch?.(++batches, n);
    });
  });
  return { n, loss: loss / n, acc: correct / n, perClass };
}

/** `  t-shirt        1000   0.8120` lines for the classes that have examples. */
export function formatPerClass(ev: Evaluation, classes: readonly string[]): string {
  const w = Math.max(5, ...classes.map((c) => c.length)) + 2;
  const rows = ev.perClass.map((r, c) => (r.n === 0 ? null : `  ${(classes[c] ?? String(c)).padEnd(w)}${String(r.n).padStart(7)}   ${(r.correct / r.n).toFixed(4)}`)).filter((r) => r !== null);
  return `  ${'class'.padEnd(w)}${'images'.padStart(7)}   accuracy\n${rows.join('\n')}\n`;
}

/** The per-class record for --json: {name: {n, acc}}. */
export function perClassJson(ev: Evaluation, classes: readonly string[]): Record<string, { n: number; acc: number }> {
  const o: Record<string, { n: number; acc: number }> = {};
  ev.perClass.forEach((r, c) => { if (r.n > 0) o[classes[c] ?? String(c)] = { n: r.n, acc: r.correct / r.n }; });
  return o;
}
