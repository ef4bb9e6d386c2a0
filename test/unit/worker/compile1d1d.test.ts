// The Config Explorer's Compile on a 1D1D candidate (wgrad, kgrouped): the real worker, asked as the
// explorer asks ('kernel/compile' with the candidate's config), builds it with the real nvcc; a
// config the 1D1D kernel cannot take is refused before nvcc with the rule that says why.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { GemmProblem, RuntimeSettings } from '../../../extension/protocol/worker';
import type { RuntimeError } from '../../../extension/src/core/runtimeError';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import { createRuntimeClient } from '../../../extension/src/runtime/client';
import { resolveSettings } from '../../../extension/src/core/settings';
import { nvcc, skip } from '../nvccHarness';

const root = findExtensionRoot(__dirname, {});
const work = mkdtempSync(join(tmpdir(), 'fp8lab-compile-1d1d-'));
const settings: RuntimeSettings = {
  ...resolveSettings(
    { 'jit.cacheDir': join(work, 'cache') },
    {},
    { kernelsDir: join(root, 'kernels'), homeDir: homedir(), cwd: root },
  ).settings,
  ...(nvcc ? { nvccPath: nvcc } : {}),
};
const client = createRuntimeClient({
  workerPath: join(root, 'extension', 'dist', 'worker.js'),
  requestTimeoutMs: () => 300_000,
  isTrusted: () => true,
});
after(async () => {
  await client.dispose();
  rmSync(work, { recursive: true, force: true });
});

test(
  'a wgrad candidate of the explorer compiles as listed; an illegal one is refused with its rule',
  { skip },
  async () => {
    const problem: GemmProblem = { kind: 'wgrad', m: 4096, n: 7168, k: 2048 };
    const report = await client.request('gemm/configs', { settings, problem });
    const legal = report.candidates.filter((c) => !c.rejected);
    assert.ok(legal.length >= 2, `${legal.length} legal 1D1D tiles`);
    // Not the chosen one: the explorer compiles whichever candidate the user pressed.
    const other = legal.find((c) => c.config.blockN !== report.chosen.blockN) ?? legal[1];
    const compiled = await client.request('kernel/compile', { settings, job: { problem, config: other.config } });
    assert.deepEqual(compiled.config, other.config);
    assert.match(
      compiled.kernelName,
      new RegExp(`^fp8lab_sm90_fp8_gemm_1d1d_wgrad_bm${other.config.blockM}_bn${other.config.blockN}_`),
    );
    assert.equal(compiled.registers.spillStoresBytes + compiled.registers.spillLoadsBytes, 0);

    // A 2x2 cluster (the kernel pairs two CTAs at most), as a hand-edited candidate could carry.
    await assert.rejects(
      client.request('kernel/compile', {
        settings,
        job: { problem, config: { ...other.config, clusterM: 2, clusterN: 2 } },
      }),
      (e: RuntimeError) =>
        e.code === 'E_INVALID_CONFIG' && /\[cluster\] clusterM and clusterN must be 1 or 2/.test(e.message),
    );
  },
);
