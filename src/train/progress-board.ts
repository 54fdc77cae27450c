/**
 * d2l's ProgressBoard without matplotlib: `draw(x, y, label, everyN)` averages every `everyN`
 * raw points into one plotted point (so train loss is smoothed over half an epoch, like d2l),
 * and `toSvg()` renders the curves as a line chart with axes, ticks and a legend.
 */

/** One plotted point. */
export interface Point { x: number; y: number }

/** Axis labels and limits (null: fit the data) and the SVG size in pixels. */
export interface ProgressBoardOptions {
  xlabel?: string; ylabel?: string; xlim?: [number, number]; ylim?: [number, number];
  width?: number; height?: number;
}

// d2l's fmts ('-', 'm--', 'g-.', 'r:') in matplotlib's colours.
const STYLES: readonly { color: string; dash: string }[] = [
  { color: '#1f77b4', dash: '' },
  { color: '#bf00bf', dash: '8,4' },
  { color: '#008000', dash: '8,3,2,3' },
  { color: '#ff0000', dash: '2,3' },
];

/** What a board has recorded, as plain JSON: per label its plotted points and the raw points not yet averaged. */
export interface BoardState { series: { label: string; points: [number, number][]; pending: [number, number][] }[] }

/** Records labelled series of (x, y) points and draws them as an SVG line chart. */
export class ProgressBoard {
  xlabel: string;
  ylabel: string;
  xlim: [number, number] | null;
  ylim: [number, number] | null;
  width: number;
  height: number;
  /** Averaged points per label, in first-seen label order. */
  readonly data = new Map<string, Point[]>();
  private readonly raw = new Map<string, Point[]>();

  constructor(opts: ProgressBoardOptions = {}) {
    this.xlabel = opts.xlabel ?? '';
    this.ylabel = opts.ylabel ?? '';
    this.xlim = opts.xlim ?? null;
    this.ylim = opts.ylim ?? null;
    this.width = opts.width ?? 640;
    this.height = opts.height ?? 400;
  }

  /** Everything recorded so far (for a checkpoint: a resumed run keeps drawing the same curves). */
  state(): BoardState {
    const xy = (p: Point): [number, number] => [p.x, p.y];
    return { series: [...this.data].map(([label, pts]) => ({ label, points: pts.map(xy), pending: (this.raw.get(label) ?? []).map(xy) })) };
  }

  /** Replace what was recorded by `s` (from state()); throws naming `source` on a malformed state. */
  loadState(s: unknown, source = 'board state'): void {
    const pairs = (v: unknown): v is [number, number][] =>
      Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && p.every((e) => typeof e === 'number' || e === null));
    const series = (s as BoardState | null)?.series;
    if (!Array.isArray(series) || !series.every((e) => typeof e?.label === 'string' && pairs(e.points) && pairs(e.pending))) {
      throw new Error(`${source}: malformed plot state (expected {series: [{label, points, pending}]})`);
    }
    // JSON has no NaN: a non-finite value was written as null; keep it non-finite (the plot skips it).
    const pt = ([x, y]: [number, number]): Point => ({ x: x ?? Number.NaN, y: y ?? Number.NaN });
    this.data.clear();
    this.raw.clear();
    for (const e of series) {
      this.data.set(e.label, e.points.map(pt));
      this.raw.set(e.label, e.pending.map(pt));
    }
  }

  /** Add a raw point; every `everyN` raw points of a label become one averaged plotted point. */
  draw(x: number, y: number, label: string, everyN = 1): void {
    let pts = this.raw.get(label), line = this.data.get(label);
    if (pts === undefined || line === undefined) {
      pts = []; line = [];
      this.raw.set(label, pts); this.data.set(label, line);
    }
    pts.push({ x, y });
    // d2l uses int(n) which can be 0 for tiny loaders (and then never plots); plot at least every point.
    if (pts.length < Math.max(1, Math.floor(everyN))) return;
    const mean = (f: (p: Point) => number): number => pts!.reduce((s, p) => s + f(p), 0) / pts!.length;
    line.push({ x: mean((p) => p.x), y: mean((p) => p.y) });
    pts.length = 0;
  }

  /**
   * Pixel geometry shared by the SVG and PNG renderers: plot box, axis ranges, ticks, series and
   * legend in pixels. The legend sits in a row above the plot box, so it never covers the curves'
   * ends (the part one watches); the data range is padded a little inside the frame, so the last
   * epoch's points are not drawn on the frame itself; a lone point gets a marker.
   */
  layout(): ChartLayout {
    const W = this.width, H = this.height;
    const m = { l: 60, r: 20, t: 34, b: 50 };
    const pw = W - m.l - m.r, ph = H - m.t - m.b;
    const all = [...this.data.values()].flat().filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const [x0, x1] = this.xlim ?? extent(all.map((p) => p.x));
    const [y0, y1] = this.ylim ?? niceExtent(extent(all.map((p) => p.y)));
    const xpad = (x1 - x0 || 1) * 0.03, ypad = this.ylim === null ? 0 : (y1 - y0 || 1) * 0.03;
    const sx = (x: number): number => m.l + ((x - (x0 - xpad)) / (x1 - x0 + 2 * xpad || 1)) * pw;
    const sy = (y: number): number => m.t + ph - ((y - (y0 - ypad)) / (y1 - y0 + 2 * ypad || 1)) * ph;
    const series = [...this.data].map(([label, pts], i) => {
      const points = pts.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).map((p): [number, number] => [sx(p.x), sy(p.y)]);
      return { label, ...STYLES[i % STYLES.length]!, points, marker: points.length === 1 };
    });
    // Legend items right-aligned in the top margin; widths assume the PNG's 12-px glyphs (the SVG's are narrower).
    const widths = series.map((s) => LEGEND_LINE + 6 + s.label.length * LEGEND_CHAR);
    let lx = m.l + pw - (widths.reduce((a, w) => a + w, 0) + LEGEND_GAP * Math.max(0, widths.length - 1));
    const legend = series.map((s, i) => {
      const item = { x: lx, y: m.t - 12, label: s.label, color: s.color, dash: s.dash };
      lx += widths[i]! + LEGEND_GAP;
      return item;
    });
    return {
      width: W, height: H, box: { x: m.l, y: m.t, w: pw, h: ph },
      xticks: ticks(x0, x1).map((t) => ({ at: sx(t), text: fmtTick(t) })),
      yticks: ticks(y0, y1).map((t) => ({ at: sy(t), text: fmtTick(t) })),
      xlabel: this.xlabel, ylabel: this.ylabel, series, legend,
    };
  }

  /** The chart as a standalone SVG document. */
  toSvg(): string {
    const L = this.layout(), W = L.width, H = L.height, b = L.box;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
    out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
    out.push(`<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="none" stroke="black"/>`);
    for (const t of L.xticks) {
      out.push(`<line x1="${f(t.at)}" y1="${b.y + b.h}" x2="${f(t.at)}" y2="${b.y + b.h + 5}" stroke="black"/>`);
      out.push(`<text x="${f(t.at)}" y="${b.y + b.h + 18}" text-anchor="middle">${t.text}</text>`);
    }
    for (const t of L.yticks) {
      out.push(`<line x1="${b.x - 5}" y1="${f(t.at)}" x2="${b.x}" y2="${f(t.at)}" stroke="black"/>`);
      out.push(`<text x="${b.x - 8}" y="${f(t.at + 4)}" text-anchor="end">${t.text}</text>`);
    }
    if (L.xlabel) out.push(`<text x="${b.x + b.w / 2}" y="${H - 12}" text-anchor="middle">${esc(L.xlabel)}</text>`);
    if (L.ylabel) out.push(`<text x="14" y="${b.y + b.h / 2}" text-anchor="middle" transform="rotate(-90 14 ${b.y + b.h / 2})">${esc(L.ylabel)}</text>`);
    for (const s of L.series) {
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      if (s.points.length > 0) {
        const d = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${f(x)},${f(y)}`).join(' ');
        out.push(`<path class="series" data-label="${esc(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
      }
      if (s.marker) for (const [x, y] of s.points) out.push(`<circle class="marker" data-label="${esc(s.label)}" cx="${f(x)}" cy="${f(y)}" r="3.5" fill="${s.color}"/>`);
    }
    for (const it of L.legend) {
      const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
      out.push(`<line x1="${f(it.x)}" y1="${it.y - 4}" x2="${f(it.x + LEGEND_LINE)}" y2="${it.y - 4}" stroke="${it.color}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${f(it.x + LEGEND_LINE + 6)}" y="${it.y}">${esc(it.label)}</text>`);
    }
    out.push('</svg>');
    return out.join('\n') + '\n';
  }
}

/** Legend geometry (px): sample line length, assumed glyph advance, space between items. */
export const LEGEND_LINE = 24;
const LEGEND_CHAR = 12;
const LEGEND_GAP = 18;

/** What `ProgressBoard.layout()` computes, in pixels (y grows downwards). */
export interface ChartLayout {
  width: number; height: number;
  box: { x: number; y: number; w: number; h: number };
  xticks: { at: number; text: string }[];
  yticks: { at: number; text: string }[];
  xlabel: string; ylabel: string;
  /** `marker`: draw a dot at each point (a series with a single point would otherwise be invisible). */
  series: { label: string; color: string; dash: string; points: [number, number][]; marker: boolean }[];
  /** One legend entry per series: its sample line starts at x, text baseline at y. */
  legend: { x: number; y: number; label: string; color: string; dash: string }[];
}

function extent(v: number[]): [number, number] {
  if (v.length === 0) return [0, 1];
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

function niceExtent([lo, hi]: [number, number]): [number, number] {
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Round-numbered ticks covering [lo, hi]: the widest step of 1, 2 or 5 × 10^k that still gives at least five. */
export function ticks(lo: number, hi: number, min = 5): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const count = (step: number): number => Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
  let mag = 10 ** Math.ceil(Math.log10(span));
  let step = mag;
  for (let guard = 0; guard < 40; guard++) {
    const c = [5, 2, 1].map((k) => k * mag).filter((s) => s <= span).find((s) => count(s) >= min);
    if (c !== undefined) { step = c; break; }
    mag /= 10;
  }
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const f = (v: number): string => v.toFixed(1);
const fmtTick = (t: number): string => String(Number(t.toPrecision(6)));
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
