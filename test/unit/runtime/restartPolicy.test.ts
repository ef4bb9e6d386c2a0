import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeExit, RestartPolicy } from '../../../extension/src/runtime/restartPolicy';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, stableAfterMs: 10_000, maxEagerRestarts: 4 };

test('first death restarts at once and tells the user', () => {
  const p = new RestartPolicy(opts);
  p.started(0);
  assert.deepEqual(p.died(50_000), { delayMs: 0, notify: true, consecutive: 1 });
});

test('quick repeated deaths back off, tell the user once more when eager restarts stop', () => {
  const p = new RestartPolicy(opts);
  const seen = [];
  let now = 0;
  for (let i = 0; i < 6; i++) {
    p.started(now);
    now += 10;
    seen.push(p.died(now));
  }
  assert.deepEqual(
    seen.map((d) => d.delayMs),
    [0, 100, 200, 400, undefined, undefined],
  );
  assert.deepEqual(
    seen.map((d) => d.notify),
    [true, false, false, false, true, false],
  );
});

test('the delay is capped', () => {
  const p = new RestartPolicy({ ...opts, maxEagerRestarts: 20 });
  let d;
  for (let i = 0; i < 10; i++) {
    p.started(i);
    d = p.died(i + 1);
  }
  assert.equal(d?.delayMs, 1000);
});

test('a worker that stayed up long enough, or answered a request, starts a fresh series', () => {
  const p = new RestartPolicy(opts);
  p.started(0);
  p.died(1);
  p.started(2);
  assert.equal(p.died(3).consecutive, 2);
  p.started(4);
  assert.equal(p.died(4 + 10_000).consecutive, 1, 'stable worker resets');
  p.started(20_000);
  p.died(20_001);
  p.answered();
  p.started(20_002);
  assert.deepEqual(p.died(20_003), { delayMs: 0, notify: true, consecutive: 1 });
});

test('describeExit names the signal or the code', () => {
  assert.equal(describeExit(null, 'SIGKILL'), 'signal SIGKILL');
  assert.equal(describeExit(70, null), 'exit code 70');
});
