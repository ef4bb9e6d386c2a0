// The MQA kernel configs the enumerator lists, built by the real nvcc (sm_90a) from the runtime's own
// translation units: a legal candidate other than the runtime's compiles (its unit also
// static_asserts that the listed shared memory equals the kernel's), and the candidates it refuses
// are refused by the kernels' static_asserts under the same rule. Skips only without nvcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqaCase } from '../../../extension/protocol/mqa';
import { enumerateMqaCandidates, mqaConfigLabel } from '../../../extension/src/core/mqa/mqaCandidates';
import { mqaKernelSource } from '../../../extension/src/core/mqa/mqaSource';
import { findEntry, parsePtxas, usesLocalMemory } from '../../../extension/src/core/ptxas';
import { compileCubin, skip, withWorkDir } from '../nvccHarness';

const plain: MqaCase = { kind: 'mqa-logits', seqQ: 2048, seqKv: 8192, heads: 64, dim: 128, windows: 'causal' };
const paged: MqaCase = { kind: 'paged-mqa-logits', batch: 256, nextN: 2, heads: 64, dim: 128, avgKv: 8192 };

const pick = (c: MqaCase, label: string) => {
  const found = enumerateMqaCandidates(c).find((x) => mqaConfigLabel(x.config) === label);
  assert.ok(found, `${label} is not among the candidates`);
  return found;
};

test('legal non-default candidates compile with 0 spills, their shared memory as the kernel lays it out', { skip }, () => {
  withWorkDir('fp8lab-mqa-cand-', (work) => {
    for (const [c, label] of [
      [plain, '2Q/5KV x2WG'],
      [paged, '4Q/2KV x1WG'],
    ] as const) {
      const cand = pick(c, label);
      assert.equal(cand.rejected, undefined, `${label} should be legal`);
      const { source, kernelName } = mqaKernelSource(cand.config);
      const { status, log } = compileCubin(source, work, kernelName);
      assert.equal(status, 0, `${kernelName}:\n${log}`);
      const fn = findEntry(parsePtxas(log), kernelName);
      assert.ok(fn && !usesLocalMemory(fn), `${kernelName}: spills or stack\n${log}`);
    }
  });
});

test('candidates refused for shared memory and for one stage are refused by the kernels too', { skip }, () => {
  withWorkDir('fp8lab-mqa-cand-', (work) => {
    for (const [c, label, rule] of [
      [plain, '3Q/6KV x4WG', /rule smem/],
      [paged, '1Q/3KV x2WG', /rule stages/],
    ] as const) {
      const cand = pick(c, label);
      assert.ok(cand.rejected, `${label} should be rejected`);
      assert.match(`rule ${cand.rejected.rule}`, rule);
      const { source, kernelName } = mqaKernelSource(cand.config);
      const { status, log } = compileCubin(source, work, kernelName);
      assert.notEqual(status, 0, `${label} compiled`);
      assert.match(log, rule, `${label}:\n${log}`);
    }
  });
});
