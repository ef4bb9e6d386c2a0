import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newJobId } from '../../../extension/src/core/jobId';

test('a run job id starts with its time (saved runs sort by it); other jobs say their kind; ids differ', () => {
  const now = new Date('2026-12-06T03:04:05.678Z');
  assert.equal(
    newJobId('run', now, () => 0.5),
    '2026-12-06T03-04-05.678Z-i00000',
  );
  assert.match(
    newJobId('study', now, () => 0.123456),
    /^study-[0-9a-z]+-[0-9a-z]{6}$/,
  );
  assert.ok(newJobId('grouped', now).startsWith(`grouped-${now.getTime().toString(36)}-`));
  const ids = new Set(Array.from({ length: 1000 }, () => newJobId('explorer')));
  assert.equal(ids.size, 1000);
  assert.ok(newJobId('run', new Date('2026-01-01T00:00:00Z')) < newJobId('run', new Date('2026-01-01T00:00:01Z')));
});
