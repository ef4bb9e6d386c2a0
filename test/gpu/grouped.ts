// GPU tests of the grouped / weight-gradient GEMMs: every case of the standard lists and the
// edge cases (an empty group of each kind, the psum layout) with calc_diff < 1e-3 over the valid
// rows, padding rows / rows past masked_m untouched and no device flag; the device's clamp-and-flag
// path for masked_m > Mmax; bad input rejected before launch with the expected codes (the host half
// runs without a GPU too); the 1D1D kernel's clusters (forced 2x1 and 1x2 tiles, ragged M, an empty
// group). `--part=rejections|contiguous|masked|kgrouped|wgrad|edge|cluster` runs one part.
import type { GroupedCase, GroupedKind, GroupedResult } from '../../extension/protocol/grouped';
import type { GemmConfig } from '../../extension/protocol/worker';
import { completeConfig1d1d } from '../../extension/src/core/kernelRules1d1d';
import { caseLabel, edgeCases, standardCases, MASKED_MAX_M } from '../../extension/src/core/grouped/cases';
import { expertIndex } from '../../extension/src/core/grouped/layout';
import { probeEnvironment } from '../../extension/src/worker/environment';
import { firstHopper } from '../../extension/src/worker/jobPipeline';
import { benchGrouped, prepareCase } from '../../extension/src/worker/grouped/groupedService';
import { setGroupedSettings } from '../../extension/src/worker/grouped/groupedSettings';
import { check, done, expectCode, gpuSettings, skip } from './harness';

const settings = gpuSettings();
const part = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length);
const from = Number(process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 0);
const options = { timing: false, rounds: 1, seed: 0 };

function verdict(r: GroupedResult): string {
  if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  const acc = r.accuracy;
  if (!acc) throw new Error('no accuracy was measured');
  if (!acc.passed || !(acc.calcDiff < 1e-3)) throw new Error(`calc_diff ${acc.calcDiff}, unwritten ${acc.unwritten}`);
  if (r.untouched && r.untouched.changed !== 0)
    throw new Error(`${r.untouched.changed} of ${r.untouched.words} words that must stay untouched were written`);
  if (r.deviceFlags) throw new Error(`the kernel raised device flags ${r.deviceFlags} on valid input`);
  const c = r.config!;
  return `calc_diff ${acc.calcDiff.toExponential(2)}, ${r.untouched ? `${r.untouched.words} untouched words ok, ` : ''}${c.blockM}x${c.blockN} st${c.numStages}`;
}

async function rejections(env: Awaited<ReturnType<typeof probeEnvironment>>): Promise<void> {
  const contiguous: GroupedCase = { kind: 'contiguous', numGroups: 2, m: 256, n: 4096, k: 2048 };
  const misaligned = Array.from(expertIndex([100, 200]));
  misaligned.splice(100, 28);
  misaligned.push(...new Array<number>(28).fill(-1)); // expert 1 now starts at row 100
  await check('contiguous: a group segment not aligned -> E_SHAPE_ALIGNMENT', () =>
    expectCode(() => prepareCase({ ...contiguous, layout: misaligned }, 0, settings, env), 'E_SHAPE_ALIGNMENT'),
  );
  const outOfRange = Array.from(expertIndex([100, 200]));
  outOfRange[3] = 2;
  await check('contiguous: expert index out of range -> E_BAD_ARGUMENT', () =>
    expectCode(() => prepareCase({ ...contiguous, layout: outOfRange }, 0, settings, env), 'E_BAD_ARGUMENT'),
  );
  await check('contiguous: psum with mismatched group count -> E_BAD_ARGUMENT', () =>
    expectCode(() => prepareCase({ ...contiguous, psum: true, layout: [100] }, 0, settings, env), 'E_BAD_ARGUMENT'),
  );
  const masked: GroupedCase = { kind: 'masked', numGroups: 2, m: 256, n: 4096, k: 2048, expectedM: 100 };
  await check('masked: masked_m[g] > Mmax -> E_BAD_ARGUMENT', () =>
    expectCode(() => prepareCase({ ...masked, layout: [10, 257] }, 0, settings, env), 'E_BAD_ARGUMENT'),
  );
  await check('masked: mismatched group count -> E_BAD_ARGUMENT', () =>
    expectCode(() => prepareCase({ ...masked, layout: [10, 20, 30] }, 0, settings, env), 'E_BAD_ARGUMENT'),
  );
  const kgrouped: GroupedCase = { kind: 'kgrouped', numGroups: 2, m: 256, n: 256, k: 256 };
  await check('kgrouped: K_g not a multiple of 128 -> E_SHAPE_ALIGNMENT', () =>
    expectCode(() => prepareCase({ ...kgrouped, layout: [256, 100] }, 0, settings, env), 'E_SHAPE_ALIGNMENT'),
  );
  await check('kgrouped: every group empty -> E_INVALID_SHAPE', () =>
    expectCode(() => prepareCase({ ...kgrouped, layout: [0, 0] }, 0, settings, env), 'E_INVALID_SHAPE'),
  );
  await check('wgrad: K not a multiple of 128 -> E_INVALID_SHAPE', () =>
    expectCode(
      () => prepareCase({ kind: 'wgrad', numGroups: 1, m: 256, n: 256, k: 200 }, 0, settings, env),
      'E_INVALID_SHAPE',
    ),
  );
  // 4000 rows make 63 blocks of 64: a 2x1 cluster (pairs of M-blocks) cannot take them.
  const unpaired: GroupedCase = {
    kind: 'wgrad',
    numGroups: 1,
    m: 4000,
    n: 7168,
    k: 2048,
    config: completeConfig1d1d({ blockM: 64, blockN: 128, clusterM: 2, clusterN: 1, numSms: 132 }),
  };
  await check('wgrad: a 2x1 cluster over an odd count of M-blocks -> E_INVALID_CONFIG', () =>
    expectCode(() => prepareCase(unpaired, 0, settings, env), 'E_INVALID_CONFIG'),
  );
  await check('wgrad: N not a multiple of 4 (fp32 rows) -> E_INVALID_SHAPE', () =>
    expectCode(
      () => prepareCase({ kind: 'wgrad', numGroups: 1, m: 256, n: 258, k: 256 }, 0, settings, env),
      'E_INVALID_SHAPE',
    ),
  );
  await check('alignment setting 64 -> E_BAD_ARGUMENT', () =>
    expectCode(() => setGroupedSettings({ mkAlignment: 64 }), 'E_BAD_ARGUMENT'),
  );
  await check('numSms beyond the device -> E_BAD_ARGUMENT', () =>
    expectCode(() => setGroupedSettings({ numSms: 100000 }, env.devices[0]?.smCount ?? 132), 'E_BAD_ARGUMENT'),
  );
  await check('bench options: rounds 0 -> E_BAD_ARGUMENT', () =>
    expectCode(benchGrouped(settings, [kgrouped], { timing: true, rounds: 0, seed: 0 }), 'E_BAD_ARGUMENT'),
  );
}

/** A forced 1D1D tile in a cluster, on the GPU's SMs rounded down to whole clusters. */
function clustered(blockN: number, clusterM: number, clusterN: number, smCount: number): GemmConfig {
  return completeConfig1d1d({ blockM: 128, blockN, clusterM, clusterN, numSms: smCount - (smCount % 2) });
}

/**
 * The 1D1D kernel's clusters: DeepGEMM's wgrad tiles in its 2x1 cluster (B shared), A shared (1x2),
 * M not a multiple of the tile (the last M-block pair half empty), K-grouped with an empty group and
 * with 16 groups.
 */
function clusterCases(smCount: number): GroupedCase[] {
  const wgrad = (m: number, n: number, k: number, config: GemmConfig): GroupedCase => ({
    kind: 'wgrad',
    numGroups: 1,
    m,
    n,
    k,
    config,
  });
  return [
    wgrad(4096, 4096, 7168, clustered(152, 2, 1, smCount)),
    wgrad(4096, 2112, 7168, clustered(136, 2, 1, smCount)),
    wgrad(4000, 7168, 2048, clustered(152, 2, 1, smCount)),
    wgrad(4096, 7168, 2048, clustered(128, 1, 2, smCount)),
    { kind: 'kgrouped', numGroups: 4, m: 4096, n: 7168, k: 2048, emptyGroup: 2, config: clustered(152, 2, 1, smCount) },
    { kind: 'kgrouped', numGroups: 16, m: 7168, n: 2048, k: 1792, config: clustered(152, 1, 2, smCount) },
  ];
}

async function runCases(name: string, cases: GroupedCase[]): Promise<boolean> {
  // One run for the part (one probe, one load of the helper kernels); a lost context ends the run,
  // and the runner resumes after the case that broke it in a fresh process.
  const run = await benchGrouped(settings, cases.slice(from), options);
  for (const [j, r] of run.results.entries()) {
    await check(`${name} ${from + j}: ${caseLabel(r.case)}`, () => verdict(r));
  }
  if (run.interrupted && run.interrupted.code !== 'E_CANCELLED') {
    if (run.results.length === 0)
      await check(`${name} ${from}`, () => {
        throw new Error(run.interrupted!.message);
      });
    console.log(`GPU-RESUME ${from + Math.max(1, run.results.length)}`);
    return false;
  }
  return true;
}

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!part || part === 'rejections') await rejections(env);
  if (!env.canRunKernels) {
    skip('grouped GEMMs on the GPU', `no Hopper GPU here: ${env.summary}`);
    return done();
  }
  const kinds: GroupedKind[] = ['contiguous', 'masked', 'kgrouped', 'wgrad'];
  for (const kind of kinds) {
    if (part && part !== kind) continue;
    if (!(await runCases(kind, standardCases(kind)))) return done();
  }
  if (!part || part === 'cluster') {
    if (!(await runCases('cluster', clusterCases(firstHopper(env)?.smCount ?? 132)))) return done();
  }
  if (!part || part === 'edge') {
    if (!(await runCases('edge', edgeCases()))) return done();
    // masked_m beyond Mmax that the host did not check: the device clamps (all Mmax rows computed,
    // none written outside the group) and raises flag bit 0.
    const c: GroupedCase = {
      kind: 'masked',
      numGroups: 2,
      m: 256,
      n: 4096,
      k: 2048,
      expectedM: 128,
      layout: [MASKED_MAX_M, 64],
      hostChecks: false,
    };
    await check('masked: masked_m > Mmax unchecked on the host -> clamped and flagged on the device', async () => {
      const r = (await benchGrouped(settings, [c], options)).results[0];
      if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      if (!r.accuracy?.passed) throw new Error(`calc_diff ${r.accuracy?.calcDiff}`);
      if (r.untouched?.changed) throw new Error(`${r.untouched.changed} words past the clamped rows were written`);
      if (((r.deviceFlags ?? 0) & 1) === 0) throw new Error(`device flags ${r.deviceFlags}: the clamp was not flagged`);
      return `flags ${r.deviceFlags}`;
    });
  }
  done();
}

main().catch((err) => {
  console.log(`FAILED  grouped: ${(err as Error).stack ?? String(err)}`);
  done();
  process.exitCode = 1;
});
