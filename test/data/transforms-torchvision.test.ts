/** The deterministic transforms against torchvision 0.14 + Pillow 9.4 (fixtures/transforms, scripts/fixtures/gen_transforms.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../helpers/fixtures.js';
import { pixelImage, type FloatImage, type PixelImage } from '../../src/data/image.js';
import * as F from '../../src/data/transforms/functional.js';
import { Grayscale, Resize } from '../../src/data/transforms/transforms.js';
import type { Interpolation } from '../../src/data/transforms/resample.js';

interface Pix { mode: 'L' | 'RGB'; h: number; w: number; data: number[] }
interface Flt { shape: [number, number, number]; data: number[] }
interface Case { name: string; input: string; args: Record<string, unknown>; out: Pix | Flt }
const fx = loadFixture<{ inputs: Record<string, Pix>; cases: Case[] }>('transforms/transforms.json');

const toPix = (p: Pix): PixelImage => pixelImage(Uint8Array.from(p.data), p.w, p.h, p.mode === 'L' ? 1 : 3);

function run(c: Case, img: PixelImage): PixelImage | FloatImage {
  const a = c.args as Record<string, any>;
  const t = F.toTensor(img);
  switch (c.name) {
    case 'resize': return new Resize(a.size, { interpolation: a.interpolation as Interpolation }).call(img) as PixelImage;
    case 'center_crop': return F.centerCrop(img, a.size);
    case 'pad': return F.pad(img, a.padding, a.fill, a.mode);
    case 'hflip': return F.hflip(img);
    case 'grayscale': return new Grayscale(a.channels).call(img) as PixelImage;
    case 'crop': return F.crop(img, a.top, a.left, a.height, a.width);
    case 'brightness': return F.adjustBrightness(img, a.factor);
    case 'contrast': return F.adjustContrast(img, a.factor);
    case 'saturation': return F.adjustSaturation(img, a.factor);
    case 'resized_crop': return F.resize(F.crop(img, a.top, a.left, a.height, a.width), a.size);
    case 'to_tensor': return t;
    case 'normalize': return F.normalize(t, a.mean, a.std);
    case 'tensor_resize': return F.resize(t, a.size);
    case 'tensor_brightness': return F.adjustBrightness(t, a.factor);
    case 'tensor_contrast': return F.adjustContrast(t, a.factor);
    case 'tensor_hflip': return F.hflip(t);
    case 'tensor_center_crop': return F.centerCrop(t, a.size);
    default: throw new Error(`unknown case ${c.name}`);
  }
}

// Float results are compared exactly where torch's arithmetic is elementwise float32 (to_tensor, normalize,
// brightness, flips, crops); resize and contrast (a mean over the image) are compared to 2e-6.
const TOLERANCE: Record<string, number> = { tensor_resize: 2e-6, tensor_contrast: 2e-6 };

for (const c of fx.cases) {
  test(`torchvision ${c.name} ${c.input} ${JSON.stringify(c.args)}`, () => {
    const out = run(c, toPix(fx.inputs[c.input]!));
    if ('mode' in c.out) {
      assert.equal(out.kind, 'pixels');
      assert.deepEqual([out.height, out.width, out.channels], [c.out.h, c.out.w, c.out.mode === 'L' ? 1 : 3]);
      const want = c.out.data;
      let bad = 0, first = -1;
      for (let i = 0; i < want.length; i++) if (out.data[i] !== want[i]) { bad++; if (first < 0) first = i; }
      assert.equal(bad, 0, `${bad} of ${want.length} bytes differ, first at ${first}: ${out.data[first]} vs ${want[first]}`);
    } else {
      assert.equal(out.kind, 'float');
      assert.deepEqual([out.channels, out.height, out.width], c.out.shape);
      const tol = TOLERANCE[c.name] ?? 0;
      let worst = 0;
      for (let i = 0; i < c.out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - Math.fround(c.out.data[i]!)));
      assert.ok(worst <= tol, `max |diff| ${worst} > ${tol}`);
    }
  });
}
