/** `convnet eval <model> --weights FILE --data DIR|NAME`: a checkpoint on images, with the preprocessing and classes it was trained with. */
import { loadCheckpoint } from '../io/checkpoint.js';
import { readSafetensorsFile } from '../io/safetensors.js';
import { initCnn } from '../train/init-cnn.js';
import type { ModelSpec } from '../models/index.js';
import { Flags, UsageError } from './args.js';
import { checkSavedModel, setupRun, type Io } from './common.js';
import { readDataMetadata, setupImageData } from './image-data.js';
import { evaluate, formatPerClass, perClassJson } from './evaluate.js';

/** Numeric-aware key order: net.2.weight < net.10.weight. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The input channels of the first convolution in a state_dict (4-D weight with the smallest name), or null. */
export function firstConvChannels(shapes: Map<string, readonly number[]>): { name: string; channels: number } | null {
  const convs = [...shapes].filter(([k, s]) => s.length === 4 && k.endsWith('weight')).sort((p, q) => naturalCompare(p[0], q[0]));
  const c = convs[0];
  return c === undefined ? null : { name: c[0], channels: c[1][1]! };
}

/** Evaluate `weights` on the --data images; prints loss, accuracy and per-class accuracy. */
export async function evalOnImages(name: string, spec: ModelSpec, weights: string, f: Flags, io: Io): Promise<number> {
  const file = readSafetensorsFile(weights);
  const md = file.metadata ?? {};
  checkSavedModel(weights, md.model, name);
  const meta = readDataMetadata(md, weights);
  const conv = firstConvChannels(new Map([...file.tensors].map(([k, t]) => [k, t.shape])));
  const modelChannels = meta.channels ?? conv?.channels;
  if (modelChannels !== undefined && modelChannels !== 1 && modelChannels !== 3) {
    throw new Error(`${weights}: the model takes ${modelChannels} input channels (${conv?.name} ${JSON.stringify(file.tensors.get(conv?.name ?? '')?.shape)}), ` +
      'but images decode to 1 (grayscale) or 3 (RGB) channels; evaluate it on tensors with that many channels instead');
  }
  const asked = f.str('channels');
  if (asked !== undefined && asked !== 'auto' && modelChannels !== undefined && Number(asked) !== modelChannels) {
    throw new UsageError(`option --channels: ${weights} was trained on ${modelChannels}-channel images; drop --channels ${asked} (images are converted to ${modelChannels} channel${modelChannels === 1 ? '' : 's'} automatically)`);
  }
  const r = f.num('resize');
  const size: [number, number] = r !== undefined ? [r, r] : meta.size ?? [spec.defaultResize[0], spec.defaultResize[1]];
  setupRun(f);
  const data = await setupImageData(f, {
    mode: 'eval', size, batchSize: f.num('batch-size') ?? 128, warn: (s) => io.err.write(s),
    ...(modelChannels === 1 || modelChannels === 3 ? { channels: modelChannels } : {}),
    ...(meta.classes !== undefined ? { classes: meta.classes } : {}),
  });
  try {
    const classes = data.meta.classes;
    const model = spec.create({ lr: 0.1, numClasses: classes.length });
    model.applyInit([data.sampleBatch()], initCnn);
    const ck = loadCheckpoint(weights, model);
    const ev = evaluate(model, data.train, classes.length);
    const rec = { model: name, weights, epoch: ck.epoch, test_examples: ev.n, test_loss: ev.loss, test_acc: ev.acc, per_class: perClassJson(ev, classes) };
    if (f.bool('json')) io.out.write(JSON.stringify(rec) + '\n');
    else {
      io.out.write(`${name} ${weights}${ck.epoch !== null ? ` (epoch ${ck.epoch})` : ''}: test loss ${ev.loss.toFixed(4)}  test acc ${ev.acc.toFixed(4)}  on ${ev.n} images (${data.describe})\n`);
      io.out.write(formatPerClass(ev, classes));
    }
    return 0;
  } finally {
    data.close();
  }
}
