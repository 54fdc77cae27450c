/**
 * torchvision.transforms as classes that compose: `new Compose([new Resize(64), new RandomCrop(64,
 * { padding: 8 }), new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.5], [0.5])])`.
 * A random transform draws from the Generator it is handed (the data pipeline gives every sample
 * its own, derived from the epoch's seed and the sample's position), or, called without one, from
 * a Generator seeded off the global generator, so `manualSeed` repeats it. Each transform knows its
 * constructor arguments (`spec()`), which is how a worker thread rebuilds the same pipeline.
 */
import { Generator, drawSeedWords } from '../../tensor/generator.js';
import { convertChannels, type FloatImage, type ImageLike, type PixelImage } from '../image.js';
import * as F from './functional.js';
import { INTERPOLATIONS, type Interpolation } from './resample.js';

/** What a transform takes and returns: decoded pixels, a float image, or anything a custom transform passes on. */
export type TransformValue = ImageLike;

/** A serialisable description: the registered class name and its constructor arguments. */
export interface TransformSpec { name: string; args: unknown[] }

/** Base of every transform: `call(img, generator?)`, `random`, `spec()`, torchvision's repr. */
export abstract class Transform {
  /** True when the output depends on random draws. */
  get random(): boolean { return false; }
  /** Apply to one image with draws from `g`. */
  abstract apply(img: TransformValue, g: Generator): TransformValue;
  /** The constructor arguments, for rebuilding in a worker (see transformFromSpec). */
  abstract spec(): TransformSpec;

  /** Apply; without a generator, random draws come from one seeded off the global generator (manualSeed). */
  call(img: TransformValue, g?: Generator): TransformValue {
    return this.apply(img, g ?? (this.random ? new Generator(...drawSeedWords()) : FIXED));
  }

  /** `Resize(size=64, interpolation=bilinear)`, as torchvision prints it. */
  toString(): string {
    const s = this.spec();
    return `${s.name}(${s.args.filter((a) => a !== undefined).map((a) => (typeof a === 'object' ? JSON.stringify(a) : String(a))).join(', ')})`;
  }
}

// Deterministic transforms get a generator they never draw from.
const FIXED = new Generator(0);

type Size2 = readonly [number, number];

function size2(name: string, size: number | readonly number[]): Size2 {
  const s = typeof size === 'number' ? [size, size] : size.length === 1 ? [size[0]!, size[0]!] : [...size];
  if (s.length !== 2 || s.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${name}: size must be a positive integer or [height, width] (got ${JSON.stringify(size)})`);
  }
  return [s[0]!, s[1]!];
}

function checkInterpolation(name: string, i: Interpolation): void {
  if (!INTERPOLATIONS.includes(i)) throw new Error(`${name}: interpolation must be one of ${INTERPOLATIONS.join(', ')} (got '${i}')`);
}

function expectKind<K extends ImageLike['kind']>(name: string, img: TransformValue, kind: K): Extract<ImageLike, { kind: K }> {
  if (img === null || typeof img !== 'object' || img.kind !== kind) {
    const got = img !== null && typeof img === 'object' && 'kind' in img ? `a ${img.kind === 'float' ? 'float image (after ToTensor)' : '8-bit image'}` : typeof img;
    throw new Error(`${name}: expects ${kind === 'pixels' ? 'an 8-bit image (put it before ToTensor)' : 'a float image (put it after ToTensor)'}, got ${got}`);
  }
  return img as Extract<ImageLike, { kind: K }>;
}

/** Compose([t1, t2, ...]): apply in order. */
export class Compose extends Transform {
  constructor(readonly transforms: readonly Transform[]) {
    super();
    transforms.forEach((t, i) => { if (!(t instanceof Transform)) throw new Error(`Compose: item ${i} is not a Transform`); });
  }
  override get random(): boolean { return this.transforms.some((t) => t.random); }
  apply(img: TransformValue, g: Generator): TransformValue {
    return this.transforms.reduce((x, t) => t.apply(x, g), img);
  }
  spec(): TransformSpec { return { name: 'Compose', args: [this.transforms.map((t) => t.spec())] }; }
  override toString(): string { return `Compose(\n${this.transforms.map((t) => `    ${t.toString()}`).join('\n')}\n)`; }
}

/** Resize(size, {interpolation, maxSize}): a number sets the shorter edge (aspect kept), [h, w] sets both. */
export class Resize extends Transform {
  readonly interpolation: Interpolation;
  constructor(readonly size: number | readonly [number, number], readonly opts: { interpolation?: Interpolation; maxSize?: number } = {}) {
    super();
    if (typeof size === 'number') size2('Resize', size); else size2('Resize', size);
    this.interpolation = opts.interpolation ?? 'bilinear';
    checkInterpolation('Resize', this.interpolation);
  }
  apply(img: TransformValue): TransformValue {
    return F.resize(img, F.resizedSize(img.height, img.width, this.size, this.opts.maxSize), this.interpolation);
  }
  spec(): TransformSpec { return { name: 'Resize', args: [this.size, this.opts] }; }
}

/** CenterCrop(size): the central [h, w] (zero-padded when the image is smaller). */
export class CenterCrop extends Transform {
  readonly size: Size2;
  constructor(size: number | readonly number[]) { super(); this.size = size2('CenterCrop', size); }
  apply(img: TransformValue): TransformValue { return F.centerCrop(img, this.size); }
  spec(): TransformSpec { return { name: 'CenterCrop', args: [this.size] }; }
}

/** Options of RandomCrop, as torchvision's. */
export interface RandomCropOptions { padding?: number | readonly number[]; padIfNeeded?: boolean; fill?: number; paddingMode?: F.PaddingMode }

/** RandomCrop(size, {padding, padIfNeeded, fill, paddingMode}): pad, then a crop at a uniformly random offset. */
export class RandomCrop extends Transform {
  readonly size: Size2;
  constructor(size: number | readonly number[], readonly opts: RandomCropOptions = {}) {
    super();
    this.size = size2('RandomCrop', size);
    if (opts.padding !== undefined) F.paddingLTRB(opts.padding);
  }
  override get random(): boolean { return true; }
  apply(img: TransformValue, g: Generator): TransformValue {
    const { fill = 0, paddingMode = 'constant' } = this.opts;
    let x = img;
    if (this.opts.padding !== undefined) x = F.pad(x, this.opts.padding, fill, paddingMode);
    const [th, tw] = this.size;
    if (this.opts.padIfNeeded && x.width < tw) x = F.pad(x, [tw - x.width, 0], fill, paddingMode);
    if (this.opts.padIfNeeded && x.height < th) x = F.pad(x, [0, th - x.height], fill, paddingMode);
    const [i, j] = RandomCrop.getParams(x.height, x.width, this.size, g);
    return F.crop(x, i, j, th, tw);
  }
  /** [top, left] uniform over the valid offsets (torchvision's get_params). */
  static getParams(h: number, w: number, [th, tw]: Size2, g: Generator): [number, number] {
    if (h < th || w < tw) throw new Error(`RandomCrop: required crop size (${th}, ${tw}) is larger than the input image size (${h}, ${w}); add padding or padIfNeeded, or Resize first`);
    if (h === th && w === tw) return [0, 0];
    return [g.randint(0, h - th + 1), g.randint(0, w - tw + 1)];
  }
  spec(): TransformSpec { return { name: 'RandomCrop', args: [this.size, this.opts] }; }
}

/** RandomHorizontalFlip(p = 0.5): mirror with probability p. */
export class RandomHorizontalFlip extends Transform {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`RandomHorizontalFlip: p must be in [0, 1] (got ${p})`);
  }
  override get random(): boolean { return true; }
  apply(img: TransformValue, g: Generator): TransformValue { return g.uniform() < this.p ? F.hflip(img) : img; }
  spec(): TransformSpec { return { name: 'RandomHorizontalFlip', args: [this.p] }; }
}

/** Options of RandomResizedCrop: area fraction and aspect-ratio ranges, interpolation. */
export interface RandomResizedCropOptions { scale?: readonly [number, number]; ratio?: readonly [number, number]; interpolation?: Interpolation }

/** RandomResizedCrop(size, {scale, ratio}): a crop of random area and aspect ratio, resized to size. */
export class RandomResizedCrop extends Transform {
  readonly size: Size2;
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];
  readonly interpolation: Interpolation;
  constructor(size: number | readonly number[], readonly opts: RandomResizedCropOptions = {}) {
    super();
    this.size = size2('RandomResizedCrop', size);
    this.scale = opts.scale ?? [0.08, 1];
    this.ratio = opts.ratio ?? [3 / 4, 4 / 3];
    this.interpolation = opts.interpolation ?? 'bilinear';
    checkInterpolation('RandomResizedCrop', this.interpolation);
    for (const [k, r] of [['scale', this.scale], ['ratio', this.ratio]] as const) {
      if (!(r[0] > 0 && r[0] <= r[1])) throw new Error(`RandomResizedCrop: ${k} must be [min, max] with 0 < min <= max (got ${JSON.stringify(r)})`);
    }
  }
  override get random(): boolean { return true; }
  /** [top, left, h, w] of the crop: up to 10 tries at a random area and log-uniform ratio, else a central crop (torchvision's get_params). */
  static getParams(height: number, width: number, scale: readonly [number, number], ratio: readonly [number, number], g: Generator): [number, number, number, number] {
    const area = height * width;
    const logLo = Math.log(ratio[0]), logHi = Math.log(ratio[1]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area * g.uniformRange(scale[0], scale[1]);
      const aspect = Math.exp(g.uniformRange(logLo, logHi));
      const w = F.pyRound(Math.sqrt(targetArea * aspect)), h = F.pyRound(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) return [g.randint(0, height - h + 1), g.randint(0, width - w + 1), h, w];
    }
    const inRatio = width / height;
    let w = width, h = height;
    if (inRatio < ratio[0]) h = F.pyRound(w / ratio[0]);
    else if (inRatio > ratio[1]) w = F.pyRound(h * ratio[1]);
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }
  apply(img: TransformValue, g: Generator): TransformValue {
    const [i, j, h, w] = RandomResizedCrop.getParams(img.height, img.width, this.scale, this.ratio, g);
    return F.resize(F.crop(img, i, j, h, w), this.size, this.interpolation);
  }
  spec(): TransformSpec { return { name: 'RandomResizedCrop', args: [this.size, this.opts] }; }
}

/** A jitter strength b (range [max(0, 1 − b), 1 + b]) or an explicit [min, max] factor range. */
export type JitterRange = number | readonly [number, number];

/** Options of ColorJitter. Hue is not implemented. */
export interface ColorJitterOptions { brightness?: JitterRange; contrast?: JitterRange; saturation?: JitterRange }

function jitterRange(name: string, v: JitterRange | undefined): [number, number] | null {
  if (v === undefined) return null;
  const r: [number, number] = typeof v === 'number' ? [Math.max(0, 1 - v), 1 + v] : [v[0], v[1]];
  if ((typeof v === 'number' && !(v >= 0)) || !(r[0] >= 0 && r[0] <= r[1] && Number.isFinite(r[1]))) {
    throw new Error(`ColorJitter: ${name} must be a non-negative number or [min, max] with 0 <= min <= max (got ${JSON.stringify(v)})`);
  }
  return r[0] === 1 && r[1] === 1 ? null : r;
}

/** ColorJitter({brightness, contrast, saturation}): random factors, applied in a random order (torchvision's get_params). */
export class ColorJitter extends Transform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  constructor(readonly opts: ColorJitterOptions = {}) {
    super();
    if ('hue' in opts) throw new Error('ColorJitter: hue is not supported (brightness, contrast and saturation are)');
    this.brightness = jitterRange('brightness', opts.brightness);
    this.contrast = jitterRange('contrast', opts.contrast);
    this.saturation = jitterRange('saturation', opts.saturation);
  }
  override get random(): boolean { return this.brightness !== null || this.contrast !== null || this.saturation !== null; }
  /** The order (a permutation of 0 brightness, 1 contrast, 2 saturation) and the factors (null when off). */
  getParams(g: Generator): { order: number[]; factors: (number | null)[] } {
    const order = Array.from(g.randperm(3));
    const factors = [this.brightness, this.contrast, this.saturation].map((r) => (r === null ? null : g.uniformRange(r[0], r[1])));
    return { order, factors };
  }
  apply(img: TransformValue, g: Generator): TransformValue {
    const { order, factors } = this.getParams(g);
    let x = img;
    for (const k of order) {
      const f = factors[k];
      if (f === null || f === undefined) continue;
      x = k === 0 ? F.adjustBrightness(x, f) : k === 1 ? F.adjustContrast(x, f) : F.adjustSaturation(x, f);
    }
    return x;
  }
  spec(): TransformSpec { return { name: 'ColorJitter', args: [this.opts] }; }
}

/** ToTensor(): 8-bit [H, W, C] pixels → float [C, H, W] in [0, 1]. */
export class ToTensor extends Transform {
  apply(img: TransformValue): FloatImage { return F.toTensor(expectKind('ToTensor', img, 'pixels')); }
  spec(): TransformSpec { return { name: 'ToTensor', args: [] }; }
}

/** Normalize(mean, std): per channel (x − mean) / std on float images. */
export class Normalize extends Transform {
  constructor(readonly mean: readonly number[], readonly std: readonly number[]) {
    super();
    if (mean.length === 0 || mean.length !== std.length) throw new Error(`Normalize: mean and std need the same, non-zero number of values (got ${mean.length} and ${std.length})`);
  }
  apply(img: TransformValue): FloatImage { return F.normalize(expectKind('Normalize', img, 'float'), this.mean, this.std); }
  spec(): TransformSpec { return { name: 'Normalize', args: [this.mean, this.std] }; }
}

/** Grayscale(numOutputChannels = 1): PIL's convert('L'), replicated to 3 channels when asked. */
export class Grayscale extends Transform {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    super();
    if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new Error(`Grayscale: numOutputChannels must be 1 or 3 (got ${numOutputChannels})`);
  }
  apply(img: TransformValue): PixelImage {
    const p = expectKind('Grayscale', img, 'pixels');
    const l = convertChannels(p.data, p.width, p.height, p.channels, 1);
    return this.numOutputChannels === 1 ? l : convertChannels(l.data, l.width, l.height, 1, 3);
  }
  spec(): TransformSpec { return { name: 'Grayscale', args: [this.numOutputChannels] }; }
}

type Ctor = new (...args: never[]) => Transform;
const REGISTRY = new Map<string, Ctor>([
  ['Compose', Compose], ['Resize', Resize], ['CenterCrop', CenterCrop], ['RandomCrop', RandomCrop],
  ['RandomHorizontalFlip', RandomHorizontalFlip], ['RandomResizedCrop', RandomResizedCrop], ['ColorJitter', ColorJitter],
  ['ToTensor', ToTensor], ['Normalize', Normalize], ['Grayscale', Grayscale],
]);

/** Make a user-defined Transform class rebuildable in data workers (the worker must import the module that registers it). */
export function registerTransform(name: string, ctor: Ctor): void {
  REGISTRY.set(name, ctor);
}

/** Rebuild a transform from `spec()` (Compose's children recursively). */
export function transformFromSpec(spec: TransformSpec): Transform {
  const C = REGISTRY.get(spec.name);
  if (C === undefined) {
    throw new Error(`transform '${spec.name}' is not registered, so data workers cannot rebuild it (registerTransform('${spec.name}', Class) in a module the worker loads, or numWorkers: 0)`);
  }
  const args = spec.name === 'Compose' ? [(spec.args[0] as TransformSpec[]).map(transformFromSpec)] : spec.args;
  return new (C as unknown as new (...a: unknown[]) => Transform)(...args);
}
