// The kernel problem `configs`, `compile` and the explorer plan for a grouped case: the case
// drawn as the grouped bench draws its first case at the default seed (the same rows, K and groups
// the bench's heuristics see), its label, and the explorer's kinds with each one's shape syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseSeed, drawCase, kernelProblem } from '../../../../extension/src/core/grouped/cases';
import { parseGroupedArgs } from '../../../../extension/src/core/grouped/cliArgs';
import {
  configProblemOfCase,
  isGroupedConfigKind,
  parseGroupedConfigShape,
  problemLabel,
} from '../../../../extension/src/core/grouped/configProblem';
import {
  EXPLORER_KINDS,
  explorerActions,
  isExplorerKind,
  shapePlaceholder,
} from '../../../../extension/src/core/explorerKinds';
import { parseShape, validateProblem } from '../../../../extension/src/core/shapes';

test('a grouped case is planned as the bench draws its first case at its default seed', () => {
  for (const [kind, text] of [
    ['bf16-contiguous', '4,4096,7168,2048'],
    ['bf16-masked', '6,1024,4096,7168'],
    ['bf16-kgrouped', '4,4096,7168,8192'],
  ] as const) {
    const bench = parseGroupedArgs(['--kernel', kind, text]);
    assert.equal(bench.ok, true);
    if (bench.ok !== true) return;
    const c = bench.value.cases[0];
    const fromBench = kernelProblem(c, drawCase(c, caseSeed(bench.value.options.seed, 0)));
    const parsed = parseGroupedConfigShape(kind, text);
    assert.equal(parsed.ok, true);
    if (parsed.ok !== true) return;
    assert.deepEqual(parsed.problem, fromBench, kind);
    assert.deepEqual(configProblemOfCase(c), fromBench);
    // The problem passes the shape rules the worker checks before choosing.
    assert.deepEqual(validateProblem(parsed.problem), { ok: true }, kind);
  }
  const kg = parseGroupedConfigShape('bf16-kgrouped', '4,4096,7168,8192');
  assert.ok(kg.ok && kg.problem.k % 128 === 0 && kg.problem.numGroups === 4 && kg.problem.m === 4096);
});

test('a bad grouped case says what the kind takes', () => {
  const bad = parseGroupedConfigShape('bf16-masked', '6,1024,4096');
  assert.equal(bad.ok, false);
  assert.match(bad.ok === false ? bad.message : '', /masked shape is G,EXPECTED_M,N,K\[,MMAX\]/);
  const words = parseGroupedConfigShape('bf16-contiguous', '4,4096,x,2048');
  assert.equal(words.ok, false);
});

test('labels name the groups and the drawn total', () => {
  assert.equal(
    problemLabel({ kind: 'bf16-kgrouped', m: 4096, n: 7168, k: 26368, numGroups: 4 }),
    '4 groups, M=4096, N=7168, ΣK=26368',
  );
  assert.equal(
    problemLabel({ kind: 'bf16-contiguous', m: 13312, n: 7168, k: 2048, numGroups: 4, expectedM: 4096 }),
    '4 groups, ΣM=13312 (~4096 each), N=7168, K=2048',
  );
  assert.equal(problemLabel({ kind: 'normal', m: 64, n: 2112, k: 7168 }), '64x2112x7168');
});

test('the explorer offers every kind with its own shape syntax', () => {
  assert.equal(EXPLORER_KINDS.length, 11);
  for (const k of ['bf16-contiguous', 'bf16-masked', 'bf16-kgrouped', 'mqa-logits', 'paged-mqa-logits'])
    assert.ok(isExplorerKind(k), k);
  assert.equal(isExplorerKind('sparse'), false);
  assert.match(shapePlaceholder('normal'), /^M,N,K /);
  assert.match(shapePlaceholder('bf16-masked'), /^G,EXPECTED_M,N,K\[,MMAX\] /);
  assert.match(shapePlaceholder('bf16-kgrouped'), /^G,M,N,K /);
  // The FP8 grouped kinds take their bench's case too; the weight gradient one GEMM's M,N,K.
  assert.match(shapePlaceholder('masked'), /^G,EXPECTED_M,N,K\[,MMAX\] e\.g\. 6,1024,4096,7168$/);
  assert.match(shapePlaceholder('contiguous'), /^G,M,N,K /);
  assert.match(shapePlaceholder('kgrouped'), /^G,M,N,K /);
  assert.match(shapePlaceholder('wgrad'), /^M,N,K /);
  for (const kind of EXPLORER_KINDS.filter((k) => k !== 'mqa-logits' && k !== 'paged-mqa-logits')) {
    // Every placeholder's own example parses into a problem the kind's planner accepts.
    const example = shapePlaceholder(kind).split(' e.g. ')[1];
    const parsed = isGroupedConfigKind(kind) ? parseGroupedConfigShape(kind, example) : parseShape(example, { kind });
    assert.ok(parsed.ok, `${kind} ${example}: ${parsed.ok ? '' : parsed.message}`);
  }
  assert.match(shapePlaceholder('mqa-logits'), /^SEQ_Q,SEQ_KV,HEADS,DIM /);
  assert.match(shapePlaceholder('paged-mqa-logits'), /^BATCH,NEXT_N,HEADS,DIM,AVG_KV /);
});

test('the worker-side shape check refuses a grouped BF16 problem that breaks a rule, saying what works', () => {
  const masked = validateProblem({ kind: 'bf16-masked', m: 1024, n: 4096, k: 7168, numGroups: 6, expectedM: 2000 });
  assert.equal(masked.ok, false);
  assert.match(masked.ok === false ? masked.message : '', /expectedM \(2000\) cannot exceed M/);
  const groups = validateProblem({ kind: 'bf16-kgrouped', m: 4096, n: 7168, k: 32768 });
  assert.match(groups.ok === false ? groups.message : '', /a bf16-kgrouped GEMM needs numGroups/);
  const k = validateProblem({ kind: 'bf16-contiguous', m: 16384, n: 7168, k: 2050, numGroups: 4, expectedM: 4096 });
  assert.match(k.ok === false ? k.message : '', /K must be a positive multiple of 8/);
  // BF16 has no 128-deep scaling blocks: K = 2056 is fine for the grouped BF16 kinds.
  const fine = validateProblem({ kind: 'bf16-contiguous', m: 16384, n: 7168, k: 2056, numGroups: 4, expectedM: 4096 });
  assert.deepEqual(fine, { ok: true });
  // One B per group: the bytes count every group's B.
  const huge = validateProblem({ kind: 'bf16-masked', m: 4096, n: 65536, k: 65536, numGroups: 32, expectedM: 1024 });
  assert.match(huge.ok === false ? huge.message : '', /GiB/);
});

test("the explorer's per-candidate actions per kind: where a kind's kernels are built and timed, said when not here", () => {
  assert.deepEqual(explorerActions('normal'), { compile: true, time: true, timeline: true, accuracy: true });
  for (const kind of ['contiguous', 'masked', 'kgrouped', 'wgrad', 'bf16', 'bf16-masked'] as const) {
    const a = explorerActions(kind);
    assert.deepEqual([a.compile, a.time, a.timeline, a.accuracy], [true, false, kind === 'bf16', false], kind);
    assert.match(a.whyNot ?? '', new RegExp(`timed by its bench: .*fp8lab bench --kernel ${kind}$`));
  }
  // The MQA kinds list kernel configs only; their bench builds and times them.
  const mqa = explorerActions('paged-mqa-logits');
  assert.deepEqual([mqa.compile, mqa.time, mqa.timeline, mqa.accuracy], [false, false, false, false]);
  assert.match(mqa.whyNot ?? '', /"Run FP8 MQA-logits benchmark" or fp8lab bench --kernel paged-mqa-logits$/);
});
