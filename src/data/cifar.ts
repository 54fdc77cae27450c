/**
 * The CIFAR-10 / CIFAR-100 "binary version" record formats (https://www.cs.toronto.edu/~kriz/cifar.html):
 * CIFAR-10 records are <label byte><3072 pixel bytes>, CIFAR-100 records <coarse label><fine label>
 * <3072 pixel bytes>; pixels are the 32×32 red plane, then green, then blue. Parsing works on bytes,
 * so it runs anywhere; reading the files is in src/data/node/datasets.ts.
 */
import { FileFormatError } from '../io/errors.js';

/** A malformed data file: names the file and the byte offset of the problem. */
export class DataFileError extends FileFormatError {
  constructor(file: string, offset: number, readonly reason: string) {
    super(file, offset, `${reason} (byte offset ${offset})`);
    this.name = 'DataFileError';
  }
}

/** Which CIFAR: label bytes per record and label count per field. */
export interface CifarLayout { labelBytes: 1 | 2; numClasses: readonly number[] }

export const CIFAR10_LAYOUT: CifarLayout = { labelBytes: 1, numClasses: [10] };
/** CIFAR-100: coarse (20 superclasses) then fine (100 classes). */
export const CIFAR100_LAYOUT: CifarLayout = { labelBytes: 2, numClasses: [20, 100] };

const PIXELS = 32 * 32 * 3;

/** Parsed records: `images` n×32×32×3 HWC bytes, `labels[k]` one Uint8Array per label field. */
export interface CifarRecords { n: number; images: Uint8Array; labels: Uint8Array[] }

/** parseCifar(bytes, source, layout): records as HWC images plus labels; DataFileError on a truncated file or an out-of-range label. */
export function parseCifar(bytes: Uint8Array, source: string, layout: CifarLayout): CifarRecords {
  const rec = layout.labelBytes + PIXELS;
  if (bytes.length === 0) throw new DataFileError(source, 0, 'empty file: expected CIFAR records');
  if (bytes.length % rec !== 0) {
    const n = Math.floor(bytes.length / rec);
    throw new DataFileError(source, n * rec, `truncated or not a CIFAR${layout.labelBytes === 1 ? '-10' : '-100'} binary file: ${bytes.length} bytes is not a whole number of ${rec}-byte records (${n} whole records, then ${bytes.length - n * rec} bytes)`);
  }
  const n = bytes.length / rec;
  const images = new Uint8Array(n * PIXELS);
  const labels = layout.numClasses.map(() => new Uint8Array(n));
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    for (let f = 0; f < layout.labelBytes; f++) {
      const v = bytes[o + f]!;
      if (v >= layout.numClasses[f]!) {
        throw new DataFileError(source, o + f, `record ${i}: label ${v} is outside 0..${layout.numClasses[f]! - 1} (a CIFAR${layout.labelBytes === 1 ? '-100 file read as CIFAR-10' : '-10 file read as CIFAR-100'}, or a corrupt file?)`);
      }
      labels[f]![i] = v;
    }
    // Planes (R, G, B) → interleaved HWC, the layout decoded images have.
    const src = o + layout.labelBytes, dst = i * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = bytes[src + p]!;
      images[dst + 3 * p + 1] = bytes[src + 1024 + p]!;
      images[dst + 3 * p + 2] = bytes[src + 2048 + p]!;
    }
  }
  return { n, images, labels };
}

/** encodeCifar(records, layout): the inverse of parseCifar (test files in the real format). */
export function encodeCifar(images: Uint8Array, labels: readonly Uint8Array[], layout: CifarLayout): Uint8Array {
  const n = images.length / PIXELS, rec = layout.labelBytes + PIXELS;
  const out = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    for (let f = 0; f < layout.labelBytes; f++) out[o + f] = labels[f]![i]!;
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[o + layout.labelBytes + c * 1024 + p] = images[i * PIXELS + 3 * p + c]!;
    }
  }
  return out;
}

/** The official class names (batches.meta.txt). */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
