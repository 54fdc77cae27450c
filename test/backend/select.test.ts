import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { refBackend } from '../../src/backend/ref/index.js';

test('selectBackend: js and auto make a backend current; unknown names list the known ones', () => {
  const prev = getBackend();
  try {
    assert.equal(selectBackend('js'), refBackend);
    assert.equal(getBackend(), refBackend);
    const auto = selectBackend('auto');
    assert.equal(getBackend(), auto);
    assert.throws(() => selectBackend('cuda'), /unknown backend 'cuda' \(expected one of: js, auto/);
  } finally {
    setBackend(prev);
  }
});
