import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBoard } from '../../src/train/progress-board.js';

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
