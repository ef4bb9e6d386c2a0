// When a GEMM launch asks for programmatic dependent launch: only when its grid holds every SM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchWithPdl } from '../../../extension/src/core/launchPolicy';

test('PDL when the grid uses every SM of the GPU and the run wants it', () => {
  assert.equal(launchWithPdl(true, 132, 132), true);
  assert.equal(launchWithPdl(true, 78, 78), true, 'an H20 at its own 78 SMs');
});

test('no PDL for a grid on fewer SMs than the GPU has, or when the run asked for none', () => {
  assert.equal(launchWithPdl(true, 78, 132), false, 'FP8LAB_NUM_SMS=78 on an H100');
  assert.equal(launchWithPdl(true, 128, 132), false, 'a tuned num_sms variant');
  assert.equal(launchWithPdl(false, 132, 132), false, '--no-pdl');
});
