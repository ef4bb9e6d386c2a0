// cuBLASLt's enum values as its own names: the stages ladder (16/32/64/128-deep x 1..6, then the odd
// ones and the AUTO counts) and the cluster shapes, with unknown values shown as numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cublasLtClusterName, cublasLtStagesName } from '../../../../extension/src/core/peers/cublasltNames';

test('stages: 1 is 16x1, 13 is 64x1, 24 is 128x6, 31 is 8x3, 35 is 64xAUTO, 36 is 128xAUTO; others stay numbers', () => {
  assert.deepEqual([1, 6, 7, 13, 18, 24, 25, 29, 31, 32, 35, 36].map(cublasLtStagesName), [
    '16x1',
    '16x6',
    '32x1',
    '64x1',
    '64x6',
    '128x6',
    '32x10',
    '16x80',
    '8x3',
    '8xAUTO',
    '64xAUTO',
    '128xAUTO',
  ]);
  assert.deepEqual([0, 37, -1].map(cublasLtStagesName), ['0', '37', '-1']);
});

test('cluster shapes: 0 auto, 2 1x1x1, 3 2x1x1, 5 1x2x1, 16 1x16x1; 1 and unknown values stay numbers', () => {
  assert.deepEqual([0, 2, 3, 5, 6, 16].map(cublasLtClusterName), [
    'auto',
    '1x1x1',
    '2x1x1',
    '1x2x1',
    '2x2x1',
    '1x16x1',
  ]);
  assert.deepEqual([1, 17, -1].map(cublasLtClusterName), ['1', '17', '-1']);
});
