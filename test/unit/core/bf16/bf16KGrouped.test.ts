// The K-grouped BF16 GEMM (kind 'bf16-kgrouped') without a GPU: its standard list (DeepGEMM's sm90
// K-grouped test shapes) and seeded draws, the kernel problem, the rules mirrored from the kernel's
// static_asserts (kgrouped-output, kgrouped-cluster, ΣK % 64) and the per-group K_g % 64 check with
// its coded error, the heuristics' candidates and choice, the generated unit, FLOPs and bytes, the
// bytes of one input set, the CLI's shapes, and the problem DeepGEMM's peer is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupedCase } from '../../../../extension/protocol/grouped';
import { chooseConfigBf16, enumerateCandidatesBf16 } from '../../../../extension/src/core/bf16/heuristicsBf16';
import {
  BF16_KGROUPED_K_ALIGNMENT,
  completeConfigBf16,
  configViolationsBf16,
  defaultOutputBf16,
  instantiationViolationsBf16,
  sharedMemoryBytesBf16,
} from '../../../../extension/src/core/bf16/kernelRulesBf16';
import { kernelSourceBf16 } from '../../../../extension/src/core/bf16/kernelSourceBf16';
import {
  caseLabel,
  drawCase,
  edgeCases,
  kernelProblem,
  standardCases,
} from '../../../../extension/src/core/grouped/cases';
import { parseGroupedArgs } from '../../../../extension/src/core/grouped/cliArgs';
import { groupedConfig } from '../../../../extension/src/core/grouped/config';
import { drawFromLayout, groupedLayout } from '../../../../extension/src/core/grouped/inputs';
import { groupedWork } from '../../../../extension/src/core/grouped/metrics';
import { checkCase } from '../../../../extension/src/core/grouped/validate';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { kernelSourceForKind } from '../../../../extension/src/core/kernelSource';
import { bf16CaseBytes, bf16Rows } from '../../../../extension/src/worker/grouped/bf16Case';
import { peerProblem } from '../../../../extension/src/worker/grouped/caseBench';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

test("the standard bf16-kgrouped list is DeepGEMM's six sm90 K-grouped shapes, drawn K_g = align(U(0.7, 1.3)·K, 128) from the seed", () => {
  const cases = standardCases('bf16-kgrouped');
  assert.deepEqual(
    cases.map((c) => [c.numGroups, c.m, c.n, c.k]),
    [
      [4, 4096, 7168, 8192],
      [4, 7168, 2048, 8192],
      [8, 4096, 7168, 4096],
      [8, 7168, 2048, 4096],
      [16, 4096, 7168, 2048],
      [16, 7168, 2048, 2048],
    ],
  );
  assert.ok(cases.every((c) => c.kind === 'bf16-kgrouped' && checkCase(c) === undefined));
  for (const c of cases) {
    const draw = drawCase(c, 11);
    assert.equal(draw.groupK!.length, c.numGroups);
    for (const k of draw.groupK!) {
      assert.equal(k % 128, 0, `K_g ${k} is aligned to 128`);
      assert.ok(
        k >= Math.floor(0.7 * c.k) && k <= Math.ceil((1.3 * c.k) / 128) * 128,
        `K_g ${k} within 0.7..1.3 x ${c.k}`,
      );
    }
    assert.deepEqual(drawCase(c, 11), draw, 'the same seed draws the same K_g');
    // The FP8 kgrouped case of the same sizes draws the same K_g: one recipe for both data types.
    assert.deepEqual(drawCase({ ...c, kind: 'kgrouped' }, 11), draw);
  }
  const parsed = parseGroupedArgs(['--kernel', 'bf16-kgrouped']);
  assert.equal(parsed.ok, true);
  if (parsed.ok === true) assert.equal(parsed.value.cases.length, 6);
  const edges = edgeCases().filter((c) => c.kind === 'bf16-kgrouped');
  assert.equal(edges.length, 1);
  assert.equal(drawCase(edges[0], 3).groupK![edges[0].emptyGroup!], 0, 'the edge case has an empty group');
});

test('a drawn case becomes the kernel problem (K = ΣK_g, fp32-accumulate D), its label, FLOPs, bytes and layout', () => {
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 4, m: 4096, n: 2048, k: 2048, emptyGroup: 2 };
  const draw = drawCase(c, 5);
  const kt = sum(draw.groupK!);
  const problem = kernelProblem(c, draw);
  assert.deepEqual(problem, { kind: 'bf16-kgrouped', m: 4096, n: 2048, k: kt, numGroups: 4 });
  assert.equal(defaultOutputBf16(problem.kind), 'fp32-accumulate');
  assert.equal(caseLabel(c), 'bf16 kgrouped 4 M=4096 N=2048 K~2048 (group 2 empty)');
  assert.deepEqual(Array.from(groupedLayout(c, draw)!), draw.groupK);
  assert.deepEqual(groupedWork(c, draw), {
    flops: 2 * 4096 * 2048 * kt,
    bytes: (4096 + 2048) * kt * 2 + 2 * 4 * 4096 * 2048 * 4,
    flopsOver: 'all',
  });
  assert.deepEqual(bf16Rows(c, draw), { rowsA: 4096, rowsB: 2048, kTotal: kt, dPlanes: 4 });
  assert.deepEqual(bf16CaseBytes(c, draw, 4), {
    a: 4096 * kt * 2,
    b: 2048 * kt * 2,
    d: 4 * 4096 * 2048 * 4,
    c: 4 * 4096 * 2048 * 4,
    layout: 16,
    total: (4096 + 2048) * kt * 2 + 2 * 4 * 4096 * 2048 * 4 + 16,
  });
});

test('case checks: N % 4 (fp32 D), the expected K a multiple of 64, no output choice, the empty group inside the groups', () => {
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 4, m: 1000, n: 1004, k: 192 };
  assert.equal(checkCase(c), undefined, 'fp32 rows need N % 4 only; K = 192 is three K-blocks');
  const n = checkCase({ ...c, n: 1002 })!;
  assert.equal(n.code, 'E_SHAPE_ALIGNMENT');
  assert.match(n.message, /N must be a positive multiple of 4 \(16-byte fp32 rows/);
  const k = checkCase({ ...c, k: 100 })!;
  assert.equal(k.code, 'E_INVALID_SHAPE');
  assert.match(k.message, /expected K per group\) must be a positive multiple of 64 .*got 100, use 128/);
  assert.match(checkCase({ ...c, output: 'fp32' })!.message, /output applies to the bf16 kind only/);
  assert.match(checkCase({ ...c, emptyGroup: 4 })!.message, /emptyGroup must name a group in \[0, 3\]/);
  const shape = parseGroupedArgs(['--kernel', 'bf16-kgrouped', '4,1000,1004,192', '8x512x512x64']);
  assert.equal(shape.ok, true);
  if (shape.ok === true)
    assert.deepEqual(shape.value.cases[1], { kind: 'bf16-kgrouped', numGroups: 8, m: 512, n: 512, k: 64 });
  const three = parseGroupedArgs(['--kernel', 'bf16-kgrouped', '1000,1004,192']);
  assert.equal(three.ok, false);
  if (three.ok === false) assert.match(three.message, /a bf16-kgrouped shape is G,M,N,K \(K = expected K per group\)/);
  const out = parseGroupedArgs(['--kernel', 'bf16-kgrouped', '--output', 'fp32']);
  assert.equal(out.ok, false);
  if (out.ok === false)
    assert.match(out.message, /--output applies to --kernel bf16 only \(the bf16-kgrouped GEMM's D type is fixed\)/);
});

test('a caller-given K_g list: multiples of 64 (K_g = 64 and empty groups welcome), anything else a coded group-k error', () => {
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 3, m: 256, n: 256, k: 128 };
  const ok = drawFromLayout(c, [64, 0, 192], 1);
  assert.ok('draw' in ok);
  if ('draw' in ok) assert.deepEqual(ok.draw.groupK, [64, 0, 192]);
  const bad = drawFromLayout(c, [64, 96, 128], 1);
  assert.ok('problem' in bad);
  if ('problem' in bad) {
    assert.equal(bad.problem.code, 'E_SHAPE_ALIGNMENT');
    assert.equal(bad.problem.rule, 'group-k');
    assert.match(
      bad.problem.message,
      /K of group 1 is 96; every K_g must be a multiple of 64 \(the BF16 kernel's 64-deep K-block, which never spans two groups; 0 = an empty group that keeps D_g = C_g\): pad it to 128/,
    );
  }
  const count = drawFromLayout(c, [64, 64], 1);
  assert.ok('problem' in count && count.problem.rule === 'group-count');
  // The FP8 kind keeps its 128 (its scaling block): 64 is refused there.
  const fp8 = drawFromLayout({ ...c, kind: 'kgrouped' }, [64, 0, 192], 1);
  assert.ok('problem' in fp8 && /1x128 scaling block/.test(fp8.problem.message));
});

test('rules mirrored from the kernel: fp32-accumulate only, no clusters, ΣK % 64 — each a coded reason saying what works', () => {
  const problem = { kind: 'bf16-kgrouped' as const, m: 4096, n: 7168, k: 3 * 2048, numGroups: 3 };
  const config = completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }, 'fp32-accumulate');
  assert.equal(config.numStages, 5, 'a 64 KB fp32 D tile leaves room for 5 stages of 32 KB');
  assert.equal(config.sharedBytes, sharedMemoryBytesBf16(config, 'fp32-accumulate'));
  assert.deepEqual(configViolationsBf16(config, problem), []);
  const bf16Out = configViolationsBf16(config, { ...problem, output: 'bf16' });
  assert.equal(bf16Out[0].rule, 'kgrouped-output');
  assert.match(bf16Out[0].reason, /writes fp32 D = C \+ A·Bᵀ \(output 'fp32-accumulate', the default\); got 'bf16'/);
  const pair = completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, clusterM: 2 }, 'fp32-accumulate');
  const cluster = configViolationsBf16(pair, problem);
  assert.equal(cluster[0].rule, 'kgrouped-cluster');
  assert.match(cluster[0].reason, /use clusterM = clusterN = 1, got 2x1/);
  assert.equal(instantiationViolationsBf16('bf16-kgrouped', pair)[0].rule, 'kgrouped-cluster');
  const k = configViolationsBf16(config, { ...problem, k: 6144 + 8 });
  assert.equal(k[0].rule, 'shape-k');
  assert.match(k[0].reason, /ΣK_g must be a multiple of 64 .*got 6152, use 6208/);
  const n = configViolationsBf16(config, { ...problem, n: 7170 });
  assert.equal(n[0].rule, 'shape-n');
  // The normal kind keeps its rules: fp32-accumulate with a cluster is fine there.
  assert.deepEqual(
    configViolationsBf16(pair, { kind: 'bf16', m: 4096, n: 7168, k: 2048, output: 'fp32-accumulate' }),
    [],
  );
});

test('heuristics: every candidate of the standard shapes carries a prediction or a reason; clusters refused by kgrouped-cluster', () => {
  for (const c of standardCases('bf16-kgrouped')) {
    const draw = drawCase(c, 1);
    const problem = kernelProblem(c, draw);
    const candidates = enumerateCandidatesBf16(problem, H100_SXM);
    assert.ok(candidates.every((x) => x.predicted || x.rejected));
    const clustered = candidates.filter((x) => x.config.clusterM * x.config.clusterN > 1);
    assert.ok(clustered.length > 0 && clustered.every((x) => x.rejected?.rule === 'kgrouped-cluster' || x.rejected));
    assert.ok(clustered.some((x) => x.rejected?.rule === 'kgrouped-cluster'));
    const report = chooseConfigBf16(problem, H100_SXM);
    assert.deepEqual([report.chosen.clusterM, report.chosen.clusterN, report.chosen.blockK], [1, 1, 64]);
    assert.deepEqual(configViolationsBf16(report.chosen, problem, { checkSharedBytesField: true }), []);
    assert.match(report.why, new RegExp(`${report.candidates.find((x) => x.config === report.chosen)!.tiles} tiles`));
    // Tiles: every group's M x N (the groups are scheduled together), the K-blocks of the mean group.
    const chosen = report.candidates.find((x) => x.config === report.chosen)!;
    assert.equal(
      chosen.tiles,
      Math.ceil(c.m / report.chosen.blockM) * Math.ceil(c.n / report.chosen.blockN) * c.numGroups,
    );
    assert.deepEqual(groupedConfig(problem, H100_SXM).config, report.chosen);
  }
});

test('the generated unit instantiates GemmType::KGrouped with Fp32Accumulate under its own name', () => {
  const config = completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }, 'fp32-accumulate');
  const src = kernelSourceBf16('bf16-kgrouped', config);
  assert.match(src.kernelName, /^fp8lab_sm90_bf16_gemm_kgrouped_oacc_bm128_bn128_bk64_st5_wg2_cm1_cn1_/);
  assert.match(src.source, /fp8lab::GemmType::KGrouped, fp8lab::Bf16Output::Fp32Accumulate, false>/);
  assert.match(src.source, /kSmemFixedBytes == 229456/);
  assert.deepEqual(kernelSourceForKind('bf16-kgrouped', config), src, 'the bench compiles the same unit');
  assert.throws(() => kernelSourceBf16('bf16-kgrouped', config, { output: 'fp32' }), /\[kgrouped-output\]/);
});

test("DeepGEMM's peer problem: M, N, ΣK_g and the K_g list; refused with why for K_g % 128, psum-free caller layouts", () => {
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 3, m: 4096, n: 7168, k: 2048 };
  assert.deepEqual(peerProblem(c, { seed: 0, groupK: [1920, 0, 2304] }), {
    kind: 'bf16-kgrouped',
    m: 4096,
    n: 7168,
    k: 4224,
    groupK: [1920, 0, 2304],
  });
  assert.match(
    String(peerProblem(c, { seed: 0, groupK: [1920, 64, 2304] })),
    /DeepGEMM's sm90 K-grouped BF16 GEMM needs every K_g to be a multiple of 128; group 1 has 64/,
  );
  assert.match(String(peerProblem({ ...c, layout: [64, 0, 192] }, { seed: 0, groupK: [64, 0, 192] })), /caller-given/);
  assert.equal(BF16_KGROUPED_K_ALIGNMENT, 64);
});
