import { test } from 'node:test';
import assert from 'node:assert/strict';
import { occupancy, registersPerCta, roleSplit } from '../../../extension/src/core/occupancy';

test('a warp-specialised GEMM CTA (384 threads, 168 regs) is one per SM, register-limited', () => {
  const o = occupancy({ registersPerThread: 168, threadsPerCta: 384, sharedBytesPerCta: 200 * 1024 });
  assert.equal(o.registersPerCta, 64512);
  assert.equal(o.ctasPerSm, 1);
  assert.equal(o.byResource.registers, 1);
  assert.equal(o.byResource['shared memory'], 1);
  assert.equal(o.limiter, 'registers');
  assert.equal(o.problem, undefined);
});

test('small kernels are limited by threads or blocks, registers rounded per warp', () => {
  assert.equal(registersPerCta(29, 256), 8 * 1024); // 29 -> 32 per thread x 32 lanes, 8 warps
  const o = occupancy({ registersPerThread: 16, threadsPerCta: 32, sharedBytesPerCta: 0 });
  assert.equal(o.ctasPerSm, 32);
  assert.equal(o.limiter, 'blocks');
  const t = occupancy({ registersPerThread: 16, threadsPerCta: 1024, sharedBytesPerCta: 0 });
  assert.equal(t.ctasPerSm, 2);
  assert.equal(t.limiter, 'threads');
  assert.equal(t.warpOccupancy, 1);
});

test('shared memory: the 1 KB reserve per CTA counts, and too much cannot launch', () => {
  const two = occupancy({ registersPerThread: 32, threadsPerCta: 128, sharedBytesPerCta: 100 * 1024 });
  assert.equal(two.byResource['shared memory'], 2);
  const one = occupancy({ registersPerThread: 32, threadsPerCta: 128, sharedBytesPerCta: 114 * 1024 });
  assert.equal(one.byResource['shared memory'], 1); // 2 x (114 + 1) KB > 228 KB
  const none = occupancy({ registersPerThread: 32, threadsPerCta: 128, sharedBytesPerCta: 232449 });
  assert.equal(none.ctasPerSm, 0);
  assert.match(none.problem!, /232448/);
});

test('setmaxnreg split: producer 40 + two math WGs at 232 fits the 168-register launch', () => {
  const s = roleSplit(
    [
      { name: 'producer', warpgroups: 1, registers: 40 },
      { name: 'math', warpgroups: 2, registers: 232 },
    ],
    168,
  );
  assert.equal(s.fits, true);
  assert.equal(s.registersAfterSetmaxnreg, 64512);
  assert.equal(s.roles[1].registersTotal, 2 * 232 * 128);
  const over = roleSplit(
    [
      { name: 'producer', warpgroups: 1, registers: 40 },
      { name: 'math', warpgroups: 2, registers: 240 },
    ],
    168,
  );
  assert.equal(over.fits, false);
  assert.match(over.problem!, /launched with 64512/);
  const bad = roleSplit([{ name: 'producer', warpgroups: 1, registers: 20 }], 40);
  assert.match(bad.problem!, /multiple of 8 in 24\.\.256/);
});
