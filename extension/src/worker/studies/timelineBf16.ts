// The BF16 GEMM's inputs for the pipeline timeline (kind 'bf16'): rotated sets of random FP32 rounded
// to BF16, the FP32 reference of set 0, the normal and the instrumented launches over the sets, and
// the check against DeepGEMM's BF16 tolerance. The recording itself is the FP8 timeline's
// (timeline.ts recordTimeline): the BF16 kernel writes the same trace records (common/trace.cuh),
// without the promotion spans it does not have.
import type { DeviceBuffer, GemmLaunch, Kernel } from '../../../../native/index';
import type { Accuracy, RuntimeSettings } from '../../../protocol/worker';
import { gemmFlops } from '../../core/stats';
import { DIFF_WORDS } from '../../core/utilsSource';
import { accuracyProblem, BF16_CALC_DIFF_LIMIT } from '../bench/accuracy';
import type { DeviceScope } from '../bench/buffers';
import { coded } from '../bench/errors';
import { gemmLaunchSpec, normalDims } from '../bench/launchSpec';
import { rotationPlan } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS } from '../bench/shapeBench';
import { at, GroupedKernels } from '../grouped/groupedKernels';
import type { Study } from './studyDevice';
import type { TimelineInputs } from './timeline';

/** The rotation may use at most this fraction of device memory (as the benchmark's). */
const ROTATION_MEMORY_FRACTION = 0.4;

export async function bf16TimelineInputs(
  s: Study,
  settings: RuntimeSettings,
  scope: DeviceScope,
  plainKernel: Kernel,
  tracedKernel: Kernel,
  trace: DeviceBuffer,
  traceCapacity: number,
  seed: number,
): Promise<TimelineInputs> {
  const { addon, config, utils } = s;
  const p = s.problem;
  const { m, n, k } = p;
  const label = `${m}x${n}x${k}`;
  if ((p.output ?? 'bf16') !== 'bf16') {
    throw coded(
      'E_BAD_ARGUMENT',
      `${label}: the timeline runs the BF16 GEMM with bf16 D; its fp32 outputs differ only in the epilogue (fp8lab bench --kernel bf16 --output ${p.output} times them)`,
    );
  }
  const kernels = await GroupedKernels.load(addon, settings, s.log);
  const bytes = { a: m * k * 2, b: n * k * 2, d: m * n * 2 };
  const plan = rotationPlan(
    bytes.a + bytes.b + bytes.d,
    s.info.l2CacheBytes,
    s.info.totalMemoryBytes * ROTATION_MEMORY_FRACTION,
  );
  const scratch = scope.alloc(Math.max(m, n) * k * 4);
  const sets: Array<{ a: DeviceBuffer; b: DeviceBuffer; d: DeviceBuffer }> = [];
  for (let i = 0; i < plan.sets; i++) {
    const set = { a: scope.alloc(bytes.a), b: scope.alloc(bytes.b), d: scope.alloc(bytes.d) };
    utils.fillRandom(scratch, m, k, operandSeed(seed, i, 0), 'normal');
    kernels.castBf16(at(scratch), at(set.a), m * k);
    utils.fillRandom(scratch, n, k, operandSeed(seed, i, 1), 'normal');
    kernels.castBf16(at(scratch), at(set.b), n * k);
    sets.push(set);
  }
  const ref = scope.alloc(m * n * 4);
  const diff = scope.alloc(DIFF_WORDS * 8);
  kernels.referenceBf16(at(sets[0].a), at(sets[0].b), undefined, at(ref), m, n, k);
  // Plain launches (no PDL), as the FP8 timeline: a graph's per-call time is one kernel's duration.
  const dims = normalDims(p);
  const plainLaunches: GemmLaunch[] = sets.map((set) =>
    scope.adopt(addon.createGemmLaunch(gemmLaunchSpec(plainKernel, dims, config, set, { pdl: false }))),
  );
  const tracedLaunches: GemmLaunch[] = sets.map((set) =>
    scope.adopt(
      addon.createGemmLaunch(gemmLaunchSpec(tracedKernel, dims, config, set, { pdl: false, trace, traceCapacity })),
    ),
  );
  const check = async (launch: GemmLaunch, what: string): Promise<Accuracy> => {
    addon.fill32(sets[0].d, POISON, bytes.d);
    launch.run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const c = await kernels.accuracy(
      [{ d: at(sets[0].d), ref: at(ref), count: m * n }],
      false,
      diff,
      SYNC_TIMEOUT_MS,
      BF16_CALC_DIFF_LIMIT,
    );
    const acc: Accuracy = {
      calcDiff: c.calcDiff,
      maxAbsError: c.maxAbsError,
      maxRelError: c.maxRelError,
      unwritten: c.unwritten,
      passed: c.passed,
    };
    const problemText = accuracyProblem(acc, c.nonFiniteRef, BF16_CALC_DIFF_LIMIT);
    if (problemText)
      throw coded(
        'E_WRONG_RESULT',
        `${label}: the ${what} BF16 kernel's result is wrong, so no timeline was taken: ${problemText}`,
      );
    return acc;
  };
  return {
    plainLaunches,
    tracedLaunches,
    sets: plan.sets,
    check,
    flops: gemmFlops(m, n, k),
    bytes: bytes.a + bytes.b + bytes.d,
  };
}
