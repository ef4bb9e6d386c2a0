// "Tune these shapes": the distinct Normal shapes of a run, in run order, forced configs dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShapeResult } from '../../../../extension/protocol/worker';
import { tunableShapes } from '../../../../extension/src/core/tuning/tunableShapes';

const row = (p: ShapeResult['problem']): ShapeResult => ({ problem: p, config: {} as ShapeResult['config'] });

test('a tune file of 19 shapes x many candidates gives its 19 shapes once each, in order', () => {
  const forced = { blockM: 128, blockN: 128 } as never;
  const shapes = tunableShapes({
    results: [
      row({ kind: 'normal', m: 64, n: 2112, k: 7168 }),
      row({ kind: 'normal', m: 64, n: 2112, k: 7168, config: forced }),
      row({ kind: 'normal', m: 4096, n: 7168, k: 2048 }),
      row({ kind: 'masked', m: 4096, n: 7168, k: 2048, numGroups: 6 }),
      row({ kind: 'normal', m: 64, n: 2112, k: 7168 }),
    ],
  });
  assert.deepEqual(shapes, [
    { kind: 'normal', m: 64, n: 2112, k: 7168 },
    { kind: 'normal', m: 4096, n: 7168, k: 2048 },
  ]);
});

test('a grouped run has nothing to tune', () => {
  assert.deepEqual(
    tunableShapes({ results: [row({ kind: 'contiguous', m: 8192, n: 4096, k: 2048, numGroups: 4 })] }),
    [],
  );
});
