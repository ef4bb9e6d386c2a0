// The flags the kernel-family benches share (grouped FP8, BF16, MQA logits), read the same way by
// each parser: values checked with the message a user sees, the argument index moved past a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchOptions, defaultBenchFlags, readBenchFlag } from '../../../extension/src/core/benchFlags';
import { parseGroupedArgs } from '../../../extension/src/core/grouped/cliArgs';
import { parseMqaArgs } from '../../../extension/src/core/mqa/mqaCliArgs';

test('each common flag is read, its value consumed, anything else left to the family', () => {
  const flags = defaultBenchFlags(10);
  const args = [
    '--json',
    'out.json',
    '--rounds',
    '7',
    '--seed',
    '42',
    '--check-only',
    '--no-pdl',
    '--no-peer',
    '--shapes',
    '--kernel',
  ];
  let i = 0;
  const seen: number[] = [];
  for (; i < args.length; i++) {
    const r = readBenchFlag(args, i, flags);
    if (r === undefined) break;
    assert.equal(typeof r, 'number');
    seen.push(i);
    i = r as number;
  }
  assert.equal(args[i], '--kernel', 'a family flag is not taken');
  assert.deepEqual(seen, [0, 2, 4, 6, 7, 8, 9]);
  assert.deepEqual(flags, { jsonFile: 'out.json', rounds: 7, seed: 42, timing: false, pdl: false, peer: false });
  assert.deepEqual(benchOptions(flags), { timing: false, rounds: 7, seed: 42, pdl: false, peer: false });
  assert.deepEqual(benchOptions(defaultBenchFlags(5)), { timing: true, rounds: 5, seed: 0, pdl: true });
});

test('bad values say what is wrong', () => {
  const f = defaultBenchFlags(10);
  assert.deepEqual(readBenchFlag(['--rounds', '0'], 0, f), { message: '--rounds must be in 1..10000; got 0' });
  assert.deepEqual(readBenchFlag(['--rounds', 'x'], 0, f), { message: '--rounds needs a whole number' });
  assert.deepEqual(readBenchFlag(['--seed'], 0, f), { message: '--seed needs a whole number' });
  assert.deepEqual(readBenchFlag(['--json'], 0, f), { message: '--json needs a file name' });
});

test('the grouped and MQA parsers agree on the common flags', () => {
  const common = ['--rounds', '3', '--seed', '9', '--no-peer', '--json', 'r.json'];
  const g = parseGroupedArgs(['--kernel', 'masked', ...common]);
  const m = parseMqaArgs(['--kernel', 'mqa-logits', ...common]);
  assert.ok(g.ok === true && m.ok === true);
  if (g.ok !== true || m.ok !== true) return;
  assert.deepEqual(g.value.options, m.value.options);
  assert.deepEqual(g.value.options, { timing: true, rounds: 3, seed: 9, pdl: true, peer: false });
  assert.equal(g.value.jsonFile, 'r.json');
  assert.equal(m.value.jsonFile, 'r.json');
  const bad = parseMqaArgs(['--kernel', 'mqa-logits', '--rounds', '-1']);
  assert.deepEqual(bad, { ok: false, message: '--rounds needs a whole number' });
});
