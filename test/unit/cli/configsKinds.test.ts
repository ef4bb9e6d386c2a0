// The real CLI bundle (study mode: no GPU) on the kernel kinds `configs` learned beyond the FP8 and
// plain BF16 GEMMs: the grouped BF16 kinds take a case as the grouped bench does and list their
// candidates with rules and reasons, the chosen one being the config that bench compiles for the same
// case; `compile` builds their chosen or forced config; the MQA kinds list their kernel configs with
// the runtime's marked; `compile` builds every GEMM kind the way its bench does. Bad cases are coded errors. The nvcc parts skip only without nvcc.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompileReport, ConfigReport } from '../../../extension/protocol/worker';
import type { MqaConfigReport } from '../../../extension/protocol/mqa';
import { cliRunner } from './cliRunner';
import { skip } from '../nvccHarness';

const { fp8lab, groupedBench } = cliRunner('fp8lab-configs-kinds-', 300_000);

test('configs --kernel bf16-kgrouped G,M,N,K: the drawn K-grouped problem, BF16 candidates with rules and reasons', () => {
  const r = fp8lab(['configs', '--kernel', 'bf16-kgrouped', '4,4096,7168,8192', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ConfigReport;
  assert.equal(report.problem.kind, 'bf16-kgrouped');
  assert.equal(report.problem.numGroups, 4);
  assert.equal(report.problem.m, 4096);
  // ΣK of four groups of ~8192 (each drawn in 0.7..1.3 x and aligned to 128).
  assert.ok(report.problem.k % 128 === 0 && report.problem.k >= 4 * 5734 && report.problem.k <= 4 * 10752);
  assert.equal(report.chosen.blockK, 64);
  assert.equal(report.chosen.clusterM * report.chosen.clusterN, 1);
  const rejected = report.candidates.filter((c) => c.rejected);
  assert.ok(rejected.length > 0 && rejected.every((c) => c.rejected!.rule && c.rejected!.reason.length > 20));
  // The K-grouped kernel has no clusters: every clustered candidate is refused, saying so.
  assert.ok(
    report.candidates
      .filter((c) => c.config.clusterM * c.config.clusterN > 1)
      .every((c) => c.rejected && /cluster/i.test(`${c.rejected.rule} ${c.rejected.reason}`)),
  );
  assert.match(report.why, /stages: \d+ tiles in \d+ waves?/);
  // Text: the case named with its groups, one chosen line.
  const text = fp8lab(['configs', '--kernel', 'bf16-kgrouped', '4,4096,7168,8192']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^bf16-kgrouped: 4 groups, M=4096, N=7168, ΣK=\d+ \(groups drawn as `fp8lab bench --kernel bf16-kgrouped` draws its first case\)\n/,
  );
  assert.match(text.stdout, /\n\* .* pred /);
});

test('configs --kernel bf16-contiguous and bf16-masked take their grouped case syntax; bad cases are coded', () => {
  const c = JSON.parse(
    fp8lab(['configs', '--kernel', 'bf16-contiguous', '4,4096,7168,2048', '--json']).stdout,
  ) as ConfigReport;
  assert.equal(c.problem.kind, 'bf16-contiguous');
  assert.equal(c.problem.expectedM, 4096);
  assert.equal(c.problem.m % 128, 0);
  const m = JSON.parse(
    fp8lab(['configs', '--kernel', 'bf16-masked', '6,1024,4096,7168', '--json']).stdout,
  ) as ConfigReport;
  assert.equal(m.problem.kind, 'bf16-masked');
  assert.deepEqual([m.problem.m, m.problem.expectedM, m.problem.numGroups], [4096, 1024, 6]);
  const bad = fp8lab(['configs', '--kernel', 'bf16-masked', '6,1024,4096']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[E_INVALID_SHAPE\] a masked shape is G,EXPECTED_M,N,K\[,MMAX\]/);
  const two = fp8lab(['configs', '--kernel', 'bf16-contiguous', '4', '4096', '7168', '2048']);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /needs one shape, as the grouped bench takes it/);
  const output = fp8lab(['configs', '--kernel', 'bf16-kgrouped', '--output', 'bf16', '4,4096,7168,8192']);
  assert.equal(output.code, 1);
  assert.match(output.stderr, /--output applies to --kernel bf16 only/);
});

test('configs --kernel mqa-logits | paged-mqa-logits CASE: the kernel configs, the runtime one chosen', () => {
  const r = fp8lab(['configs', '--kernel', 'mqa-logits', '2048,8192,64,128', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as MqaConfigReport;
  assert.equal(report.case.kind, 'mqa-logits');
  assert.deepEqual(
    [report.chosen.numQStages, report.chosen.numKVStages, report.chosen.numMathWarpgroups, report.chosen.threads],
    [3, 3, 4, 640],
  );
  assert.equal(report.candidates.length, 72);
  assert.ok(report.candidates.some((c) => c.rejected?.rule === 'smem' && /KV stages fit/.test(c.rejected.reason)));
  assert.ok(report.candidates.some((c) => c.rejected?.rule === 'stages'));
  const text = fp8lab(['configs', '--kernel', 'paged-mqa-logits', '256,2,64,128,8192', '--legal']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^FP8LAB configs: paged-mqa-logits B=256 next_n=2 H=64 D=128 avg_kv=8192 — 72 kernel configs, \d+ legal\n/,
  );
  assert.match(text.stdout, /\nchosen: 3Q\/3KV x4WG — The runtime always runs/);
  assert.doesNotMatch(text.stdout, /rejected/);
  const bad = fp8lab(['configs', '--kernel', 'paged-mqa-logits', '256,3,64,128,8192']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[E_INVALID_SHAPE\] .*next_n x heads must be at most 128/);
  const none = fp8lab(['configs', '--kernel', 'mqa-logits']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /needs one case, as the bench takes it \(e\.g\. 2048,8192,64,128\)/);
});

test(
  'the chosen grouped config is the one `bench --kernel bf16-kgrouped` compiles for the case; compile builds it',
  { skip },
  () => {
    const report = JSON.parse(
      fp8lab(['configs', '--kernel', 'bf16-kgrouped', '4,4096,7168,8192', '--json']).stdout,
    ) as ConfigReport;
    const run = groupedBench('kgrouped', [
      '--kernel',
      'bf16-kgrouped',
      '--check-only',
      '--no-peer',
      '4,4096,7168,8192',
    ]);
    assert.deepEqual(run.results[0].config, report.chosen);
    assert.deepEqual(run.results[0].problem, report.problem);
    const compiled = fp8lab(['compile', '--kernel', 'bf16-kgrouped', '4,4096,7168,8192', '--json']);
    assert.equal(compiled.code, 0, compiled.stderr);
    const c = JSON.parse(compiled.stdout) as CompileReport;
    assert.deepEqual(c.config, report.chosen);
    assert.equal(c.kernelName, run.results[0].kernelName);
    assert.match(c.kernelName, /^fp8lab_sm90_bf16_gemm_kgrouped_/);
    assert.equal(c.registers.spillStoresBytes + c.registers.spillLoadsBytes, 0);
    // A forced config of a grouped kind: completed, checked, compiled.
    const forced = fp8lab([
      'compile',
      '--kernel',
      'bf16-contiguous',
      '4,4096,7168,2048',
      '--config',
      'block_m=128,block_n=128',
      '--json',
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    const f = JSON.parse(forced.stdout) as CompileReport;
    assert.deepEqual([f.config.blockM, f.config.blockN], [128, 128]);
    assert.match(f.kernelName, /^fp8lab_sm90_bf16_gemm_contiguous_.*_bm128_bn128_/);
    const refused = fp8lab(['compile', '--kernel', 'bf16-kgrouped', '4,4096,7168,8192', '--config', 'cluster_m=2']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /\[E_INVALID_CONFIG\]/);
  },
);

test('configs lists the FP8 grouped kinds as their bench plans them; compile refuses a forced field the 1D1D kernel cannot take, saying why', () => {
  // Masked: the bench's first draw of DeepGEMM's m ~ 192 case, the 1D2D candidates with their rules.
  const m = JSON.parse(fp8lab(['configs', '--kernel', 'masked', '32,192,6144,7168', '--json']).stdout) as ConfigReport;
  assert.deepEqual([m.problem.kind, m.problem.numGroups, m.problem.expectedM, m.problem.m], ['masked', 32, 192, 4096]);
  assert.ok(m.chosen.blockM >= 128, `masked m~192 chose ${m.chosen.blockM}x${m.chosen.blockN}`);
  assert.ok(m.candidates.some((c) => c.rejected?.rule === 'cluster'));
  // The 1D1D kinds: every tile of that kernel, the same choice the bench makes (its roofline model).
  const k = JSON.parse(
    fp8lab(['configs', '--kernel', 'kgrouped', '4,4096,7168,8192', '--json']).stdout,
  ) as ConfigReport;
  assert.equal(k.problem.kind, 'kgrouped');
  assert.equal(k.candidates.length, 8);
  assert.equal(k.configOrigin?.kind, 'defaults');
  assert.match(k.why, /the fastest of \d+ legal 1D1D tiles/);
  const w = fp8lab(['configs', '--kernel', 'wgrad', '4096,7168,2048']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /^FP8LAB configs: wgrad 4096x7168x2048 on \d+ SMs — 8 candidates/);
  // A forced field the 1D1D kernel cannot take is refused before nvcc, with its rule and what would work.
  const clustered = fp8lab([
    'compile',
    '--kernel',
    'kgrouped',
    '4,4096,7168,8192',
    '--config',
    'cluster_m=2,cluster_n=2',
  ]);
  assert.equal(clustered.code, 1, clustered.stderr);
  assert.match(
    clustered.stderr,
    /\[E_INVALID_CONFIG\].*\[cluster\] clusterM and clusterN must be 1 or 2 with clusterM · clusterN ≤ 2/,
  );
  // 7168 columns are 56 blocks of 128 but 53 of 136: a 1x2 cluster (A shared) cannot pair those.
  const unpaired = fp8lab([
    'compile',
    '--kernel',
    'kgrouped',
    '4,4096,7168,8192',
    '--config',
    'block_n=136,cluster_n=2',
  ]);
  assert.equal(unpaired.code, 1, unpaired.stderr);
  assert.match(
    unpaired.stderr,
    /\[cluster-pairs\] .* N = 7168 makes 53 blocks of 136 \(odd\); use a 1 x 1 cluster or blockN 64, 128, 144, 152, 192/,
  );
  const split = fp8lab(['compile', '--kernel', 'wgrad', '4096', '7168', '2048', '--config', 'split_k=2']);
  assert.equal(split.code, 1, split.stderr);
  assert.match(split.stderr, /\[split-k\] the 1D1D kernel has no split-K/);
  const mqa = fp8lab(['compile', '--kernel', 'mqa-logits', '2048,8192,64,128']);
  assert.notEqual(mqa.code, 0);
  assert.match(mqa.stderr, /--kernel for compile is normal .*a grouped kind .*got mqa-logits/);
});

test(
  'the FP8 grouped kinds: the chosen config is the one their bench compiles for the case; compile builds the same kernel',
  { skip },
  () => {
    for (const [kind, shape, name] of [
      ['masked', '32,192,6144,7168', /^fp8lab_sm90_fp8_gemm_1d2d_masked_.*_n6144_k7168$/],
      ['kgrouped', '4,4096,7168,8192', /^fp8lab_sm90_fp8_gemm_1d1d_kgrouped_/],
      ['wgrad', '4096,7168,2048', /^fp8lab_sm90_fp8_gemm_1d1d_wgrad_/],
    ] as const) {
      const words = shape.split(',');
      const report = JSON.parse(
        fp8lab(['configs', '--kernel', kind, ...(kind === 'wgrad' ? words : [shape]), '--json']).stdout,
      ) as ConfigReport;
      const run = groupedBench(`${kind}-fp8`, ['--kernel', kind, '--check-only', '--no-peer', shape]);
      // (The bench states a plain GEMM's one group; configs leaves it implied.)
      assert.deepEqual(run.results[0].problem, { numGroups: 1, ...report.problem }, kind);
      assert.deepEqual(run.results[0].config, report.chosen, kind);
      const compiled = fp8lab(['compile', '--kernel', kind, ...(kind === 'wgrad' ? words : [shape]), '--json']);
      assert.equal(compiled.code, 0, compiled.stderr);
      const c = JSON.parse(compiled.stdout) as CompileReport;
      assert.deepEqual(c.config, report.chosen, kind);
      assert.equal(c.kernelName, run.results[0].kernelName, kind);
      assert.match(c.kernelName, name);
      assert.equal(c.registers.spillStoresBytes + c.registers.spillLoadsBytes, 0, kind);
    }
  },
);
