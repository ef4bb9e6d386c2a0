// The CLI's --config (service.completeConfigs) completes a partial config for the SMs its kind's bench
// plans with: the grouped runtime's SM setting for the grouped and 1D1D kinds, the runtime's for the
// Normal GEMM, on this machine's real environment probe (with or without a GPU).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { GemmProblem } from '../../../extension/protocol/worker';
import { setGroupedSettings } from '../../../extension/src/worker/grouped/groupedSettings';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import { completeConfigs } from '../../../extension/src/worker/service';
import { testSettings } from './fakeEnvironment';

const dir = mkdtempSync(join(tmpdir(), 'fp8lab-complete-configs-'));
const settings = { ...testSettings(join(dir, 'cache')), kernelsDir: join(findExtensionRoot(__dirname, {}), 'kernels') };
after(() => {
  setGroupedSettings({ numSms: 0 });
  rmSync(dir, { recursive: true, force: true });
});

test('--config completes a grouped or 1D1D kind for the grouped SM setting, the Normal GEMM for its own', async () => {
  const normal: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
  const contiguous: GemmProblem = { kind: 'contiguous', m: 4 * 4096, n: 4096, k: 7168, numGroups: 4 };
  const wgrad: GemmProblem = { kind: 'wgrad', m: 4096, n: 7168, k: 2048 };
  const [before] = await completeConfigs(settings, [normal], { blockN: 128 });
  setGroupedSettings({ numSms: 66 });
  const [n, c, w] = await completeConfigs(settings, [normal, contiguous, wgrad], { blockN: 128 });
  assert.equal(n.config!.numSms, before.config!.numSms, 'the Normal GEMM keeps the runtime SMs');
  assert.notEqual(before.config!.numSms, 66);
  assert.equal(c.config!.numSms, 66);
  assert.equal(w.config!.numSms, 66);
  assert.deepEqual([c.config!.blockN, w.config!.blockN], [128, 128]);
});
