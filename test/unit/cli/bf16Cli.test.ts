// The real CLI bundle on the BF16 kinds, with the real nvcc and no GPU: `configs --kernel bf16`
// lists the BF16 candidates with their reasons and origin, `compile --kernel bf16` builds the kernel
// with 0 spills, `bench --kernel bf16 | bf16-contiguous` compile their cases in study mode, and the
// FP8 bench refuses a bf16 problem with where to run it. Skips the compiling parts only without nvcc.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigReport, CompileReport } from '../../../extension/protocol/worker';
import type { GroupedBenchRun } from '../../../extension/protocol/grouped';
import { cliRunner } from './cliRunner';
import { skip } from '../nvccHarness';

const { fp8lab, work } = cliRunner('fp8lab-bf16-cli-');

test('configs --kernel bf16: BF16 candidates (blockK 64), rejections with rules, the BF16 model as origin', () => {
  const r = fp8lab(['configs', '--kernel', 'bf16', '4096', '7168', '2056', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ConfigReport;
  assert.equal(report.problem.kind, 'bf16');
  assert.equal(report.chosen.blockK, 64);
  assert.match(report.configOrigin!.text, /BF16 cost model/);
  const rejected = report.candidates.filter((c) => c.rejected && !c.config.splitK && !c.config.pingpong);
  assert.ok(
    rejected.length > 0 &&
      rejected.every((c) => c.rejected!.rule === 'registers' && /accumulator registers/.test(c.rejected!.reason)),
  );
  // Ping-pong tiles alone are listed, none offered (too many accumulators, or measured slower); in
  // 2-CTA clusters they are priced.
  const pingpong = report.candidates.filter((c) => c.config.pingpong);
  const alone = pingpong.filter((c) => c.config.clusterM * c.config.clusterN === 1);
  assert.ok(alone.some((c) => c.rejected!.rule === 'pingpong' && /not offered/.test(c.rejected!.reason)));
  assert.ok(alone.every((c) => c.rejected && ['pingpong', 'registers'].includes(c.rejected.rule)));
  assert.ok(pingpong.some((c) => c.config.clusterM * c.config.clusterN === 2 && c.predicted));
  // Split-K at M = 4096: every split candidate is refused (most would add waves), each with its rule.
  const splits = report.candidates.filter((c) => c.config.splitK);
  assert.ok(splits.length > 0 && splits.every((c) => c.rejected));
  assert.ok(splits.some((c) => c.rejected!.rule === 'split-k' && /would add a wave/.test(c.rejected!.reason)));
  // A decode shape: one wave of tiles, so multicast is refused with its reason.
  const decode = JSON.parse(
    fp8lab(['configs', '--kernel', 'bf16', '64', '2112', '7168', '--json']).stdout,
  ) as ConfigReport;
  assert.ok(decode.candidates.some((c) => c.rejected?.rule === 'multicast' && /one wave/.test(c.rejected.reason)));
  const bad = fp8lab(['configs', '--kernel', 'bf16', '4096', '7168', '2050']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /K must be a positive multiple of 8/);
});

test(
  'compile --kernel bf16 --config pingpong=1 builds the ping-pong kernel; a forced tile alone runs cooperatively; FP8 refuses it',
  { skip },
  () => {
    const compile = (config: string, kind = 'bf16') =>
      fp8lab(['compile', '--kernel', kind, '4096,7168,512', '--config', config, '--json']);
    // The rest of a forced ping-pong tile comes from the planner: the cheapest cluster, a 2x1 pair.
    const pp = compile('pingpong=1,block_m=64,block_n=256');
    assert.equal(pp.code, 0, pp.stderr);
    const report = JSON.parse(pp.stdout) as CompileReport;
    assert.match(report.kernelName, /^fp8lab_sm90_bf16_gemm_obf16_bm64_bn256_bk64_st4_wg2pp_cm2_cn1_/);
    assert.equal(report.config.pingpong, 1);
    assert.equal(
      report.registers.spillStoresBytes + report.registers.spillLoadsBytes + report.registers.stackFrameBytes,
      0,
    );
    const coop = JSON.parse(compile('block_m=128,block_n=256').stdout) as CompileReport;
    assert.equal(coop.config.pingpong, undefined);
    const tall = compile('pingpong=1,block_m=256,block_n=64');
    assert.equal(tall.code, 1);
    assert.match(tall.stderr, /E_INVALID_CONFIG.*\[pingpong\].*blockM must be 64 or 128/);
    const fp8 = compile('pingpong=1', 'normal');
    assert.notEqual(fp8.code, 0);
    assert.match(fp8.stderr, /\[pingpong\] only the BF16 GEMMs run ping-pong/);
  },
);

test(
  "compile --kernel bf16 --config split_k=N builds the split-K kernel; a forced tile or cluster drops the pick's split; grouped kinds refuse it",
  { skip },
  () => {
    const compile = (config: string, kind = 'bf16', shape = '64,2112,16384') =>
      fp8lab([
        'compile',
        '--kernel',
        kind,
        shape,
        ...(kind === 'bf16' ? ['--output', 'fp32'] : []),
        '--config',
        config,
        '--json',
      ]);
    const sk = compile('block_m=64,block_n=128,split_k=4');
    assert.equal(sk.code, 0, sk.stderr);
    const report = JSON.parse(sk.stdout) as CompileReport;
    assert.match(report.kernelName, /^fp8lab_sm90_bf16_gemm_ofp32_bm64_bn128_bk64_st4_wg1_cm1_cn1_.*_sms132_sk4$/);
    assert.deepEqual([report.config.splitK, report.config.sharedBytes], [4, 229456]);
    assert.equal(
      report.registers.spillStoresBytes + report.registers.spillLoadsBytes + report.registers.stackFrameBytes,
      0,
    );
    assert.doesNotMatch(report.ptxasLog, /warning/i);
    // The pick at 64x2112x16384 splits K; forcing a tile or a cluster runs that without split-K.
    const tile = JSON.parse(compile('block_m=64,block_n=64').stdout) as CompileReport;
    assert.equal(tile.config.splitK, undefined);
    const pair = JSON.parse(compile('cluster_n=2').stdout) as CompileReport;
    assert.deepEqual([pair.config.splitK, pair.config.clusterN], [undefined, 2]);
    const masked = compile('split_k=2', 'bf16-masked', '4,192,2048,1024');
    assert.equal(masked.code, 1);
    assert.match(masked.stderr, /E_INVALID_CONFIG.*\[split-k\] split-K is implemented for kind 'bf16'/);
    const tooBig = compile('block_m=128,block_n=128,split_k=4');
    assert.equal(tooBig.code, 1);
    assert.match(tooBig.stderr, /\[smem\].*use split_k=2 \(3 stages fit\) or blockN ≤ 80 at split_k=4/);
  },
);

test('compile --kernel bf16 --output fp32-accumulate builds the BF16 kernel with 0 spills', { skip }, () => {
  const r = fp8lab([
    'compile',
    '--kernel',
    'bf16',
    '--output',
    'fp32-accumulate',
    '1000,1000,1000',
    '--config',
    'block_m=128,block_n=128,cluster_m=2',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as CompileReport;
  assert.match(report.kernelName, /^fp8lab_sm90_bf16_gemm_oacc_bm128_bn128_bk64_st\d+_wg2_cm2_cn1_/);
  assert.equal(
    report.registers.spillStoresBytes + report.registers.spillLoadsBytes + report.registers.stackFrameBytes,
    0,
  );
  assert.equal(report.registers.mathRegisters, 232);
});

test(
  'bench --kernel bf16 and bf16-contiguous compile their cases in study mode; the FP8 bench refuses bf16',
  { skip },
  () => {
    const json = join(work, 'bf16.json');
    const r = fp8lab(['bench', '--kernel', 'bf16', '--check-only', '--no-peer', '100,200,72', '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(readFileSync(json, 'utf8')) as GroupedBenchRun;
    assert.equal(run.mode, 'study');
    assert.match(run.results[0].kernelName!, /^fp8lab_sm90_bf16_gemm_obf16_/);
    // A long-K decode shape: the planner's pick splits K across a cluster of 2 (compiled, not
    // launched, here).
    const decode = join(work, 'bf16-decode.json');
    const d = fp8lab(['bench', '--kernel', 'bf16', '--check-only', '--no-peer', '64,2112,16384', '--json', decode]);
    assert.equal(d.code, 0, d.stderr);
    assert.match((JSON.parse(readFileSync(decode, 'utf8')) as GroupedBenchRun).results[0].kernelName!, /_sk2$/);
    const grouped = fp8lab(['bench', '--kernel', 'bf16-contiguous', '--check-only', '2,300,1000,1000']);
    assert.equal(grouped.code, 0, grouped.stderr);
    assert.match(grouped.stdout, /bf16 contiguous 2x~300 N=1000 K=1000 .* compiled/);
  },
);

test(
  'bench --kernel bf16-kgrouped compiles the K-grouped BF16 kernel in study mode (fp32-accumulate, 0 spills, K_g drawn); bad shapes are usage errors',
  { skip },
  () => {
    const json = join(work, 'bf16-kgrouped.json');
    const r = fp8lab(['bench', '--kernel', 'bf16-kgrouped', '--check-only', '3,300,1000,192', '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /bf16 kgrouped 3 M=300 N=1000 K~192 .* compiled/);
    const run = JSON.parse(readFileSync(json, 'utf8')) as GroupedBenchRun;
    assert.equal(run.mode, 'study');
    const result = run.results[0];
    assert.match(result.kernelName!, /^fp8lab_sm90_bf16_gemm_kgrouped_oacc_bm\d+_bn\d+_bk64_st\d+_wg\d_cm1_cn1_/);
    assert.equal(result.problem.kind, 'bf16-kgrouped');
    assert.equal(result.draw.groupK!.length, 3);
    assert.ok(result.draw.groupK!.every((k) => k % 128 === 0));
    assert.equal(
      result.problem.k,
      result.draw.groupK!.reduce((a, b) => a + b, 0),
    );
    const regs = result.registers!;
    assert.equal(regs.spillStoresBytes + regs.spillLoadsBytes + regs.stackFrameBytes, 0);
    const bad = fp8lab(['bench', '--kernel', 'bf16-kgrouped', '3,300,1002,192']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr + bad.stdout, /N must be a positive multiple of 4/);
  },
);
