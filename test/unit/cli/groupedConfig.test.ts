// `fp8lab bench --kernel contiguous|masked --config ...`, the real CLI bundle with the real nvcc and
// no GPU (study mode: each case compiled): the forced fields replace the heuristics' choice for every
// case and the rest is completed (the 1D1D kinds too, clusters included); a field the kernel cannot
// take or an unknown key is refused with what would work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliRunner } from './cliRunner';
import { skip } from '../nvccHarness';

const { fp8lab, groupedBench } = cliRunner('fp8lab-grouped-config-');

test('contiguous with --config cluster_m=2: every case runs 128-row tiles in a 2x1 cluster, compiled', { skip }, () => {
  const run = groupedBench('contiguous', [
    '--kernel',
    'contiguous',
    '--shapes',
    '4,1024,4096,2048',
    '--config',
    'cluster_m=2',
  ]);
  assert.equal(run.results.length, 1);
  const c = run.results[0].config!;
  assert.deepEqual([c.blockM, c.clusterM, c.clusterN], [128, 2, 1], JSON.stringify(c));
  assert.ok(run.results[0].registers, 'compiled: ptxas reported its registers');
  assert.equal(run.results[0].error, undefined);
});

test(
  'kgrouped with --config block_n=144: every case runs the forced 1D1D tile with the most stages that fit, compiled',
  { skip },
  () => {
    const run = groupedBench('kgrouped', [
      '--kernel',
      'kgrouped',
      '--shapes',
      '4,4096,7168,2048',
      '--config',
      'block_n=144',
    ]);
    assert.equal(run.results.length, 1);
    const c = run.results[0].config!;
    assert.deepEqual([c.blockM, c.blockN, c.numStages, c.swizzleD], [128, 144, 4, 64], JSON.stringify(c));
    assert.match(run.results[0].kernelName!, /^fp8lab_sm90_fp8_gemm_1d1d_kgrouped_bm128_bn144_bk128_st4_/);
    assert.equal(run.results[0].registers?.spillStoresBytes, 0);
    assert.equal(run.results[0].error, undefined);
  },
);

test(
  "wgrad with --config block_n=152,cluster_m=2: DeepGEMM's tile in a 2x1 cluster (B by multicast), whole clusters, compiled",
  { skip },
  () => {
    const run = groupedBench('wgrad', [
      '--kernel',
      'wgrad',
      '--shapes',
      '4096,4096,7168',
      '--config',
      'block_n=152,cluster_m=2',
    ]);
    assert.equal(run.results.length, 1);
    const c = run.results[0].config!;
    assert.deepEqual(
      [c.blockM, c.blockN, c.numStages, c.clusterM, c.clusterN, c.numSms % 2],
      [128, 152, 4, 2, 1, 0],
      JSON.stringify(c),
    );
    assert.match(run.results[0].kernelName!, /^fp8lab_sm90_fp8_gemm_1d1d_wgrad_bm128_bn152_bk128_st4_wg2_cm2_cn1_/);
    assert.equal(run.results[0].registers?.spillStoresBytes, 0);
    assert.equal(run.results[0].error, undefined);
  },
);

test("--config that the kind's kernel cannot take, or with an unknown key, is refused with what would work", () => {
  // 4000 rows are 32 blocks of 128 but 63 of 64: a 2x1 cluster cannot pair them.
  const wgrad = fp8lab([
    'bench',
    '--kernel',
    'wgrad',
    '--shapes',
    '4000,7168,2048',
    '--config',
    'block_m=64,cluster_m=2',
  ]);
  assert.notEqual(wgrad.code, 0);
  assert.match(
    wgrad.stdout + wgrad.stderr,
    /\[cluster-pairs\] a 2 x 1 cluster pairs the M-blocks of a tile row, but M = 4000 makes 63 blocks of 64 \(odd\); use a 1 x 1 cluster or blockM 128, 256/,
  );
  const unknown = fp8lab(['bench', '--kernel', 'masked', '--config', 'tile=128']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown key "tile"; use one of block_m/);
});
