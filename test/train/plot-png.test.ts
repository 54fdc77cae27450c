import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { ProgressBoard } from '../../src/train/progress-board.js';
import { boardToPng, crc32, encodePng } from '../../src/train/plot-png.js';

/** A minimal PNG reader (8-bit RGB, filter 0 rows as encodePng writes): checks signature and every chunk CRC. */
function decodePng(png: Buffer): { width: number; height: number; rgb: Uint8Array; chunks: string[] } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: string[] = [];
  let off = 8, width = 0, height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off), type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    assert.equal(png.readUInt32BE(off + 8 + len), crc32(png.subarray(off + 4, off + 8 + len)), `${type} CRC`);
    chunks.push(type);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); assert.deepEqual([...data.subarray(8)], [8, 2, 0, 0, 0]); }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (1 + 3 * width));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (1 + 3 * width)], 0, 'filter type 0');
    rgb.set(raw.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width)), y * width * 3);
  }
  return { width, height, rgb, chunks };
}

test('crc32 is the PNG/zlib CRC (check value of "123456789") and encodePng round-trips pixels', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const rgb = Uint8Array.from({ length: 3 * 4 * 2 }, (_, i) => (i * 37) % 256);
  const d = decodePng(encodePng(4, 2, rgb));
  assert.deepEqual([d.width, d.height, d.chunks], [4, 2, ['IHDR', 'IDAT', 'IEND']]);
  assert.deepEqual(d.rgb, rgb);
  assert.throws(() => encodePng(4, 3, rgb), /24 bytes is not 4x3 RGB/);
});

test('boardToPng draws the SVG layout: white background, black axes, each series in its colour at its points, legend text', () => {
  const b = new ProgressBoard({ xlabel: 'epoch', xlim: [0, 2] });
  b.draw(0.5, 2.0, 'train_loss'); b.draw(1, 1.5, 'train_loss'); b.draw(1.5, 1.0, 'train_loss');
  b.draw(1, 0.4, 'val_acc'); b.draw(2, 0.6, 'val_acc');
  const L = b.layout();
  const { width, height, rgb } = decodePng(boardToPng(b));
  assert.deepEqual([width, height], [640, 400]);
  const at = (x: number, y: number): number[] => { const i = (Math.round(y) * width + Math.round(x)) * 3; return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!]; };
  assert.deepEqual(at(2, 2), [255, 255, 255]);
  assert.deepEqual(at(L.box.x, L.box.y + L.box.h / 2), [0, 0, 0], 'left axis');
  // Solid train_loss (#1f77b4) passes through its middle point; the second series (#bf00bf, dashed 8,4) starts with ink at its first point.
  assert.deepEqual(at(...L.series[0]!.points[1]!), [0x1f, 0x77, 0xb4]);
  assert.deepEqual(at(...L.series[1]!.points[0]!), [0xbf, 0, 0xbf]);
  // The dash pattern leaves gaps: along val_acc some sampled points are white.
  const [[xa, ya], [xb, yb]] = L.series[1]!.points as [[number, number], [number, number]];
  const samples = Array.from({ length: 200 }, (_, i) => at(xa + ((xb - xa) * i) / 199, ya + ((yb - ya) * i) / 199)[1]);
  assert.ok(samples.some((g) => g === 255) && samples.some((g) => g === 0), 'dashed, not solid');
  // Text: the x-axis label is drawn as dark pixels under the axis, centred.
  let ink = 0;
  for (let y = height - 30; y < height; y++) for (let x = L.box.x + L.box.w / 2 - 40; x < L.box.x + L.box.w / 2 + 40; x++) if (at(x, y)[0] === 0) ink++;
  assert.ok(ink > 40, `xlabel pixels: ${ink}`);
});
