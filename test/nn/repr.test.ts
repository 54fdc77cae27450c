import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyFloat, pyBool } from '../../src/nn/repr.js';

test('pyFloat writes floats like Python repr', () => {
  const cases: [number | null, string][] = [
    [1e-5, '1e-05'], [0.1, '0.1'], [1, '1.0'], [0, '0.0'], [0.0001, '0.0001'], [5e-5, '5e-05'],
    [1.5e-7, '1.5e-07'], [0.001, '0.001'], [-2.5, '-2.5'], [1e16, '1e+16'], [null, 'None'],
  ];
  for (const [v, want] of cases) assert.equal(pyFloat(v), want, String(v));
  assert.equal(pyBool(true), 'True');
  assert.equal(pyBool(false), 'False');
});
