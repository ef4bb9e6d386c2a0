// The MQA-logits kernel configs around the runtime's on real cases: the neighbourhood's size and
// order, the runtime's config chosen with what it trades, each rejection's rule and a reason that
// says what would work, and the register split mirrored from the kernel headers' own constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqaPagedCase, MqaPlainCase } from '../../../../extension/protocol/mqa';
import {
  enumerateMqaCandidates,
  maxKvStagesThatFit,
  mqaConfigLabel,
  mqaConfigReport,
  mqaConfigViolation,
  MQA_REGISTER_SPLIT,
} from '../../../../extension/src/core/mqa/mqaCandidates';
import { formatMqaConfigReport } from '../../../../extension/src/core/mqa/mqaConfigTable';
import {
  mqaKernelConfig,
  pagedSharedBytes,
  plainSharedBytes,
  SMEM_CAPACITY,
} from '../../../../extension/src/core/mqa/mqaRules';
import { repoRoot } from '../../repoRoot';

const plain: MqaPlainCase = { kind: 'mqa-logits', seqQ: 2048, seqKv: 8192, heads: 64, dim: 128, windows: 'causal' };
const paged: MqaPagedCase = { kind: 'paged-mqa-logits', batch: 256, nextN: 2, heads: 64, dim: 128, avgKv: 8192 };

test('every math-warpgroup x Q-stage x KV-stage config is listed once, the runtime one chosen', () => {
  for (const c of [plain, paged]) {
    const report = mqaConfigReport(c);
    assert.equal(report.candidates.length, 3 * 4 * 6);
    const keys = new Set(report.candidates.map((x) => mqaConfigLabel(x.config)));
    assert.equal(keys.size, report.candidates.length);
    const runtime = mqaKernelConfig(c);
    assert.deepEqual(report.chosen, runtime);
    const chosen = report.candidates[report.chosenIndex];
    assert.deepEqual(chosen.config, runtime);
    assert.equal(chosen.rejected, undefined);
    assert.equal(chosen.keysPerStep, 256);
    // Why: the fixed default, what it buys and what it trades.
    assert.match(report.why, /always runs 3 Q stages, 3 KV stages and 4 math warpgroups/);
    assert.match(report.why, /What it trades: 640 threads leave 1[01][24] registers per math thread/);
    for (const x of report.candidates) {
      assert.equal(x.config.threads, 128 * (x.config.numMathWarpgroups + 1));
      assert.equal(x.config.heads, 64);
      assert.equal(x.config.nextN, c.kind === 'paged-mqa-logits' ? 2 : 1);
    }
  }
});

test('shared memory of each candidate is the kernel layout of its stages and warpgroups; over 227 KB is refused with what fits', () => {
  const cands = enumerateMqaCandidates(plain);
  for (const x of cands) {
    const { numQStages: q, numKVStages: kv, numMathWarpgroups: wg } = x.config;
    assert.equal(x.config.sharedBytes, plainSharedBytes(64, 128, q, kv, wg));
  }
  // 3 Q + 6 KV stages with 4 warpgroups: 16.5 KB per Q stage, 33 KB per KV stage, over the capacity.
  const over = cands.find((x) => mqaConfigLabel(x.config) === '3Q/6KV x4WG')!;
  assert.ok(over.config.sharedBytes > SMEM_CAPACITY);
  assert.equal(over.rejected?.rule, 'smem');
  assert.match(over.rejected!.reason, /at most 5 KV stages fit/);
  assert.equal(maxKvStagesThatFit(plain, 3, 4), 5);
  assert.ok(plainSharedBytes(64, 128, 3, 5, 4) <= SMEM_CAPACITY);
  // Paged: one KV ring per warpgroup.
  const p = enumerateMqaCandidates(paged).find((x) => mqaConfigLabel(x.config) === '2Q/6KV x4WG')!;
  assert.equal(p.config.sharedBytes, pagedSharedBytes(2, 64, 128, 2, 6, 4));
  assert.equal(p.rejected?.rule, 'smem');
  // Nothing legal is over the capacity, nothing rejected for smem is under it.
  for (const x of [...cands, ...enumerateMqaCandidates(paged)])
    assert.equal(x.rejected?.rule === 'smem', x.config.sharedBytes > SMEM_CAPACITY);
});

test('one stage in either ring is refused by the stages rule, naming the counts that would work', () => {
  const cands = enumerateMqaCandidates(plain);
  const one = cands.filter((x) => x.config.numQStages < 2 || x.config.numKVStages < 2);
  assert.equal(one.length, 3 * (4 + 6 - 1));
  for (const x of one) assert.equal(x.rejected?.rule, 'stages');
  const q1 = cands.find((x) => mqaConfigLabel(x.config) === '1Q/4KV x2WG')!;
  assert.match(q1.rejected!.reason, /use 2 Q and 4 KV stages/);
  // Small dims leave every two-plus-stage config legal.
  const small = enumerateMqaCandidates({ ...plain, heads: 32, dim: 64 });
  assert.ok(small.every((x) => (x.rejected ? x.rejected.rule === 'stages' : true)));
});

test('a forced warpgroup count outside 1, 2, 4 is refused with what the kernels take', () => {
  const cfg = { ...mqaKernelConfig(plain), numMathWarpgroups: 3, threads: 512 };
  const v = mqaConfigViolation(plain, cfg);
  assert.equal(v?.rule, 'math-warpgroups');
  assert.match(v!.reason, /1, 2 or 4/);
});

test('a case the kernels refuse is a coded error, not a list', () => {
  assert.throws(
    () => mqaConfigReport({ ...plain, heads: 48 }),
    (e: Error & { code?: string }) => e.code === 'E_INVALID_SHAPE' && /heads must be 32 or 64/.test(e.message),
  );
});

test('the register split mirrors kProducerRegisters / kMathRegisters of both kernel headers', () => {
  const headers = {
    'mqa-logits': 'sm90_fp8_mqa_logits.cuh',
    'paged-mqa-logits': 'sm90_fp8_paged_mqa_logits.cuh',
  } as const;
  for (const [kind, file] of Object.entries(headers) as Array<[keyof typeof headers, string]>) {
    const text = readFileSync(join(repoRoot(), 'kernels/include/fp8lab/impls', file), 'utf8');
    const producer = Number(/kProducerRegisters = (\d+);/.exec(text)?.[1]);
    const m = /kMathRegisters = kNumMathWarpgroups == 4 \? (\d+) : kNumMathWarpgroups == 2 \? (\d+) : (\d+);/.exec(
      text,
    );
    assert.ok(m, `${file}: kMathRegisters not found`);
    assert.equal(MQA_REGISTER_SPLIT[kind].producer, producer, file);
    assert.deepEqual(MQA_REGISTER_SPLIT[kind].math, { 4: Number(m[1]), 2: Number(m[2]), 1: Number(m[3]) }, file);
  }
});

test('the text table marks the runtime config and prints each rejection with its rule', () => {
  const text = formatMqaConfigReport(mqaConfigReport(paged));
  const lines = text.trimEnd().split('\n');
  assert.match(
    lines[0],
    /^FP8LAB configs: paged-mqa-logits B=256 next_n=2 H=64 D=128 avg_kv=8192 — 72 kernel configs, \d+ legal$/,
  );
  assert.equal(lines.filter((l) => l.startsWith('*')).length, 1);
  assert.match(
    lines.find((l) => l.startsWith('*'))!,
    /^\*\s+3Q\/3KV x4WG .*runtime default$/,
  );
  assert.ok(lines.some((l) => /rejected smem: .* KB of shared memory, over the 227\.0 KB/.test(l)));
  const legalOnly = formatMqaConfigReport(mqaConfigReport(paged), { legalOnly: true });
  assert.doesNotMatch(legalOnly, /rejected/);
});
