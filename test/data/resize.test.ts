import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeBilinear } from '../../src/data/resize.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, loadFixture, type TensorJson } from '../helpers/fixtures.js';

interface Fixture { x: TensorJson; cases: { size: [number, number]; y: TensorJson }[] }
const fx = loadFixture<Fixture>('resize/bilinear.json');

for (const c of fx.cases) {
  test(`resizeBilinear 28x28 → ${c.size.join('x')} equals F.interpolate(bilinear, align_corners=False)`, () => {
    const [n, , h, w] = fx.x.shape as [number, number, number, number];
    const out = resizeBilinear(Uint8Array.from(fx.x.data), n, h, w, c.size[0], c.size[1]);
    assertClose(new Tensor(out, [n, 1, c.size[0], c.size[1]], 'float32'), c.y, { atol: 1e-3, rtol: 1e-5, what: `resize ${c.size}` });
  });
}

test('resizeBilinear: same size copies; bad sizes and lengths are errors', () => {
  assert.deepEqual(Array.from(resizeBilinear([1, 2, 3, 4], 1, 2, 2, 2, 2)), [1, 2, 3, 4]);
  assert.throws(() => resizeBilinear([1, 2, 3], 1, 2, 2, 4, 4), /input has 3 values but \[1, 2, 2\] needs 4/);
  assert.throws(() => resizeBilinear([1, 2, 3, 4], 1, 2, 2, 0, 4), /outH must be a positive integer/);
});
