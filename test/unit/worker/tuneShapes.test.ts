// gemm/tuneShapes (worker/bench/tuneShapes.ts), what "Tune this shape" and `fp8lab tune` run: bad
// input is refused with a coded error before anything is probed, and without a Hopper GPU it says
// so (E_NO_DEVICE) and writes nothing to the tuning store. The GPU path runs in test/gpu/workerBench.ts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuntimeSettings } from '../../../extension/protocol/worker';
import { resolveSettings } from '../../../extension/src/core/settings';
import { tuneShapes } from '../../../extension/src/worker/bench/tuneShapes';
import { repoRoot } from '../repoRoot';
import { hasCudaDriver } from '../cudaDriver';

function settings(): RuntimeSettings {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-tune-shapes-'));
  const { settings: s } = resolveSettings({}, process.env, {
    kernelsDir: join(repoRoot(), 'kernels'),
    homeDir: dir,
    cwd: dir,
  });
  return { ...s, cacheDir: join(dir, 'cache'), tuningDbPath: join(dir, 'tuning') };
}
const shape = { kind: 'normal' as const, m: 4096, n: 7168, k: 2048 };
const options = { top: 2, rounds: 3, save: true };

test('no shapes, or a top below 1, is refused with a coded error', async () => {
  await assert.rejects(tuneShapes(settings(), [], options), (e: { code?: string }) => e.code === 'E_INVALID_SHAPE');
  await assert.rejects(
    tuneShapes(settings(), [shape], { ...options, top: 0 }),
    (e: { code?: string; message?: string }) =>
      e.code === 'E_BAD_ARGUMENT' && /top must be a whole number/.test(e.message ?? ''),
  );
});

test(
  'without a Hopper GPU: E_NO_DEVICE, saying what would work, and the store stays empty',
  { skip: hasCudaDriver && 'this machine has a CUDA driver' },
  async () => {
    const s = settings();
    await assert.rejects(
      tuneShapes(s, [shape], options),
      (e: { code?: string; message?: string }) =>
        e.code === 'E_NO_DEVICE' &&
        /needs a Hopper GPU/.test(e.message ?? '') &&
        /ranks candidates without a GPU/.test(e.message ?? ''),
    );
    assert.ok(
      !existsSync(s.tuningDbPath!) || readdirSync(s.tuningDbPath!).length === 0,
      'nothing written to the tuning store',
    );
  },
);
