/**
 * PNG output for the ProgressBoard without dependencies: the same layout as `toSvg()`, rasterised
 * into an RGB buffer (2-px lines with the SVG's dash patterns, no anti-aliasing; text in a built-in
 * 5×7 pixel font drawn at 2×, lower-case letters, digits and `._-+`), encoded with node:zlib.
 * It is a faithful but plain rendering; the SVG is the better-looking one.
 */
import { deflateSync } from 'node:zlib';
import { LEGEND_LINE, type ChartLayout, type ProgressBoard } from './progress-board.js';

// 5×7 glyphs, rows top to bottom, '#' = ink. Upper-case letters are drawn in lower case; unknown characters as a box.
const GLYPHS: Record<string, string> = {
  '0': '.###.#...##..###.#.###..##...#.###.', '1': '..#...##....#....#....#....#...###.',
  '2': '.###.#...#....#...#...#...#...#####', '3': '#####...#...#.....#.....##...#.###.',
  '4': '...#...##..#.#.#..#.#####...#....#.', '5': '######....####.....#....##...#.###.',
  '6': '..##..#...#....####.#...##...#.###.', '7': '#####....#...#...#...#....#....#...',
  '8': '.###.#...##...#.###.#...##...#.###.', '9': '.###.#...##...#.####....#...#..##..',
  '.': '..........................##...##..', '-': '................###................',
  '_': '..............................#####', '+': '.......#....#..#####..#....#.......',
  a: '...........###.....#.#####...#.####', b: '#....#....#.##.##..##...##...#####.',
  c: '...........###.#....#....#...#.###.', d: '....#....#.##.##..###...##...#.####',
  e: '...........###.#...#######.....###.', f: '..##..#..#.#...###...#....#....#...',
  g: '...........#####...#.####....#.###.', h: '#....#....#.##.##..##...##...##...#',
  i: '..#........##....#....#....#...###.', j: '...#........##....#....#.#..#..##..',
  k: '#....#....#..#.#.#..##...#.#..#..#.', l: '.##....#....#....#....#....#...###.',
  m: '..........##.#.#.#.##.#.##...##...#', n: '..........#.##.##..##...##...##...#',
  o: '...........###.#...##...##...#.###.', p: '..........####.#...#####.#....#....',
  q: '...........#####...#.####....#....#', r: '..........#.##.##..##....#....#....',
  s: '...........#####.....###.....#####.', t: '.#....#...###...#....#....#..#..##.',
  u: '..........#...##...##...##..##.##.#', v: '..........#...##...##...#.#.#...#..',
  w: '..........#...##...##.#.##.#.#.#.#.', x: '..........#...#.#.#...#...#.#.#...#',
  y: '..........#...##...#.####....#.###.', z: '..........#####...#...#...#...#####',
};
const BOX = '#####' + '#...#'.repeat(5) + '#####';
const SCALE = 2;

type RGB = [number, number, number];
const hexRgb = (h: string): RGB => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** An RGB raster with the few drawing operations the chart needs. */
class Raster {
  readonly px: Uint8Array;
  constructor(readonly w: number, readonly h: number) { this.px = new Uint8Array(w * h * 3).fill(255); }

  dot(x: number, y: number, c: RGB, size = 1): void {
    const x0 = Math.round(x - (size - 1) / 2), y0 = Math.round(y - (size - 1) / 2);
    for (let yy = y0; yy < y0 + size; yy++) for (let xx = x0; xx < x0 + size; xx++) {
      if (xx < 0 || yy < 0 || xx >= this.w || yy >= this.h) continue;
      this.px.set(c, (yy * this.w + xx) * 3);
    }
  }

  /** A line `width` px thick; `dash` is the SVG dasharray (on, off, …) in px, '' for solid. `phase` carries the pattern across segments. */
  line(x0: number, y0: number, x1: number, y1: number, c: RGB, width = 1, dash: number[] = [], phase = 0): number {
    const len = Math.hypot(x1 - x0, y1 - y0), steps = Math.max(1, Math.ceil(len * 2));
    const period = dash.reduce((a, b) => a + b, 0);
    for (let i = 0; i <= steps; i++) {
      const t = i / steps, d = phase + t * len;
      if (period > 0) {
        let r = d % period, on = true;
        for (const seg of dash) { if (r < seg) break; r -= seg; on = !on; }
        if (!on) continue;
      }
      this.dot(x0 + t * (x1 - x0), y0 + t * (y1 - y0), c, width);
    }
    return phase + len;
  }

  rect(x: number, y: number, w: number, h: number, stroke: RGB | null, fill: RGB | null): void {
    if (fill !== null) for (let yy = Math.round(y); yy <= Math.round(y + h); yy++) this.line(x, yy, x + w, yy, fill);
    if (stroke !== null) {
      this.line(x, y, x + w, y, stroke); this.line(x + w, y, x + w, y + h, stroke);
      this.line(x + w, y + h, x, y + h, stroke); this.line(x, y + h, x, y, stroke);
    }
  }

  /** Text with its baseline at y; anchor like SVG's text-anchor. Returns the width in px. */
  text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end' = 'start', c: RGB = [0, 0, 0]): number {
    const width = s.length * 6 * SCALE - SCALE;
    let cx = anchor === 'start' ? x : anchor === 'middle' ? x - width / 2 : x - width;
    const top = Math.round(y - 7 * SCALE);
    for (const ch of s.toLowerCase()) {
      const g = ch === ' ' ? '' : GLYPHS[ch] ?? BOX;
      for (let k = 0; k < g.length; k++) {
        if (g[k] !== '#') continue;
        for (let dy = 0; dy < SCALE; dy++) for (let dx = 0; dx < SCALE; dx++) this.dot(Math.round(cx) + (k % 5) * SCALE + dx, top + Math.floor(k / 5) * SCALE + dy, c);
      }
      cx += 6 * SCALE;
    }
    return width;
  }
}

/** Rasterise a chart layout (see ProgressBoard.layout) into RGB pixels. */
export function rasterizeChart(L: ChartLayout): { width: number; height: number; rgb: Uint8Array } {
  const r = new Raster(L.width, L.height), b = L.box, black: RGB = [0, 0, 0];
  r.rect(b.x, b.y, b.w, b.h, black, null);
  for (const t of L.xticks) { r.line(t.at, b.y + b.h, t.at, b.y + b.h + 5, black); r.text(t.at, b.y + b.h + 22, t.text, 'middle'); }
  for (const t of L.yticks) { r.line(b.x - 5, t.at, b.x, t.at, black); r.text(b.x - 8, t.at + 7, t.text, 'end'); }
  if (L.xlabel) r.text(b.x + b.w / 2, L.height - 10, L.xlabel, 'middle');
  // The y label stays horizontal (no rotated glyphs), above the axis.
  if (L.ylabel) r.text(b.x, b.y - 4, L.ylabel, 'start');
  const dashOf = (d: string): number[] => (d === '' ? [] : d.split(',').map(Number));
  for (const s of L.series) {
    let phase = 0;
    for (let k = 1; k < s.points.length; k++) {
      const [xa, ya] = s.points[k - 1]!, [xb, yb] = s.points[k]!;
      phase = r.line(xa, ya, xb, yb, hexRgb(s.color), 2, dashOf(s.dash), phase);
    }
    if (s.marker) for (const [x, y] of s.points) r.dot(x, y, hexRgb(s.color), 7);
  }
  for (const it of L.legend) {
    r.line(it.x, it.y - 6, it.x + LEGEND_LINE, it.y - 6, hexRgb(it.color), 2, dashOf(it.dash));
    r.text(it.x + LEGEND_LINE + 6, it.y, it.label, 'start');
  }
  return { width: L.width, height: L.height, rgb: r.px };
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode 8-bit RGB pixels (row-major, width*height*3 bytes) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (rgb.length !== width * height * 3) throw new Error(`encodePng: ${rgb.length} bytes is not ${width}x${height} RGB`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit truecolour; compression, filter, interlace 0
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1); // filter 0 per row
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** The board as a PNG file (see the module comment for what the rendering does and does not do). */
export function boardToPng(board: ProgressBoard): Buffer {
  const { width, height, rgb } = rasterizeChart(board.layout());
  return encodePng(width, height, rgb);
}
