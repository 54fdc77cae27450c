import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBoard, ticks } from '../../src/train/progress-board.js';

test('ProgressBoard.draw averages every n raw points into one plotted point, like d2l', () => {
  const b = new ProgressBoard();
  for (let i = 1; i <= 5; i++) b.draw(i / 4, i, 'train_loss', 2);
  b.draw(1, 0.5, 'val_acc', 1);
  assert.deepEqual(b.data.get('train_loss'), [{ x: 0.375, y: 1.5 }, { x: 0.875, y: 3.5 }]);
  assert.deepEqual(b.data.get('val_acc'), [{ x: 1, y: 0.5 }]);
  // everyN below 1 (d2l's int(n) can be 0 on tiny loaders) still plots every point.
  b.draw(2, 0.7, 'val_acc', 0);
  assert.equal(b.data.get('val_acc')!.length, 2);
});

test('ProgressBoard.toSvg draws one path per series with a legend and axis label', () => {
  const b = new ProgressBoard({ xlabel: 'epoch', xlim: [0, 2] });
  b.draw(0.5, 2.0, 'train_loss'); b.draw(1, 1.5, 'train_loss'); b.draw(1.5, 1.0, 'train_loss');
  b.draw(1, 1.6, 'val_loss'); b.draw(2, 1.1, 'val_loss');
  b.draw(1, 0.4, 'val_acc'); b.draw(2, Number.NaN, 'val_acc');
  const svg = b.toSvg();
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  const paths = [...svg.matchAll(/<path class="series" data-label="([^"]+)" d="([^"]+)"/g)];
  assert.deepEqual(paths.map((m) => m[1]), ['train_loss', 'val_loss', 'val_acc']);
  assert.equal(paths[0]![2]!.split(' ').length, 3);
  assert.equal(paths[2]![2]!.split(' ').length, 1, 'the NaN point is left out, not drawn');
  assert.ok(!svg.includes('NaN'));
  for (const label of ['train_loss', 'val_loss', 'val_acc', 'epoch']) assert.ok(svg.includes(`>${label}</text>`), label);
});

test('after one epoch the chart is readable: the legend sits above the plot, lone points get markers inside the frame, ticks are not clipped', () => {
  const b = new ProgressBoard({ xlabel: 'epoch', xlim: [0, 1] });
  b.draw(0.25, 2.3, 'train_loss'); b.draw(0.75, 2.2, 'train_loss');
  b.draw(1, 2.1, 'val_loss'); b.draw(1, 0.42, 'val_acc');
  const L = b.layout();
  // Every legend entry is in the top margin, never over the plot box (where the curves end).
  for (const it of L.legend) assert.ok(it.y < L.box.y && it.x >= L.box.x, `${it.label} at ${it.x},${it.y}`);
  assert.deepEqual(L.legend.map((i) => i.label), ['train_loss', 'val_loss', 'val_acc']);
  // Validation after one epoch: one point each, drawn with a marker strictly inside the frame.
  for (const s of L.series.slice(1)) {
    assert.equal(s.marker, true, s.label);
    const [x, y] = s.points[0]!;
    assert.ok(x > L.box.x && x < L.box.x + L.box.w - 5 && y > L.box.y && y < L.box.y + L.box.h, `${s.label} point ${x},${y} inside the box`);
  }
  assert.equal(L.series[0]!.marker, false);
  // The last x tick ("1") is inside the box, so its label is not cut off by the image edge.
  const last = L.xticks.at(-1)!;
  assert.equal(last.text, '1');
  assert.ok(last.at < L.box.x + L.box.w && last.at + 10 < L.width);
  const svg = b.toSvg();
  assert.equal((svg.match(/<circle class="marker"/g) ?? []).length, 2);
});

test('axes get at least five round tick labels', () => {
  for (const [lo, hi] of [[0, 1], [0, 3], [0, 10], [0.35, 0.42], [1.9, 2.35], [0, 224], [2.2, 2.31], [0.1, 0.100001]]) {
    const t = ticks(lo!, hi!);
    assert.ok(t.length >= 5 && t.length <= 11, `[${lo}, ${hi}]: ${t}`);
    assert.ok(t[0]! >= lo! - 1e-12 && t.at(-1)! <= hi! + 1e-12, `[${lo}, ${hi}]: ${t}`);
    const step = t[1]! - t[0]!;
    assert.ok(/^[125]$/.test(String(Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(3)))), `round step ${step}`);
  }
  assert.deepEqual(ticks(0, 10), [0, 2, 4, 6, 8, 10]);
});
