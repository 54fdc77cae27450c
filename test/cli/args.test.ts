import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFlags, parseArgs, UsageError } from '../../src/cli/args.js';

test('parseArgs: --flag value, --flag=value, booleans, shapes; errors name the flag', () => {
  const specs = { epochs: { type: 'int', min: 0, help: '' }, lr: { type: 'float', help: '' }, json: { type: 'bool', help: '' }, input: { type: 'shape', help: '' } } as const;
  const r = parseArgs(['lenet', '--epochs', '3', '--lr=0.05', '--json', '--input', '1,1,28,28'], specs);
  assert.deepEqual(r.positionals, ['lenet']);
  assert.deepEqual([...r.flags], [['epochs', 3], ['lr', 0.05], ['json', true], ['input', [1, 1, 28, 28]]]);
  assert.throws(() => parseArgs(['--epochs'], specs), (e: Error) => e instanceof UsageError && /--epochs needs a value/.test(e.message));
  assert.throws(() => parseArgs(['--epochs', '1.5'], specs), /'1\.5' is not an integer/);
  assert.throws(() => parseArgs(['--epochs', '-1'], specs), /not an integer >= 0/);
  assert.throws(() => parseArgs(['--json=1'], specs), /--json takes no value/);
  assert.throws(() => parseArgs(['-x'], specs), /unknown option '-x'/);
  assert.throws(() => parseArgs(['--lr', 'NaN'], specs), /'NaN' is not a number/);
});

test('parseArgs suggests the closest option for a typo; formatFlags groups options by section', () => {
  const specs = { 'batch-size': { type: 'int', help: 'b', section: 'data' }, epochs: { type: 'int', help: 'e', section: 'training' } } as const;
  assert.throws(() => parseArgs(['--batchsize', '3'], specs), /unknown option '--batchsize' \(did you mean --batch-size\?\)/);
  assert.throws(() => parseArgs(['--zzz'], specs), (e: Error) => e.message === "unknown option '--zzz'");
  assert.equal(formatFlags(specs), 'data:\n  --batch-size INT  b\n\ntraining:\n  --epochs INT      e');
});
