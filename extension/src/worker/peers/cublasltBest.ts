// The cuBLASLt peer at its best: every algorithm its heuristic offers for the shape (up to 16; where
// it offers fewer, the configurations cuBLASLt's enumeration accepts follow, up to 64) is checked
// against the FP32 reference, the correct ones are raced in interleaved CUDA-graph rounds, and the
// fastest becomes the column. Which one won, and how many were tried, is recorded with the result.
import type { CublasLtAlgorithm, DeviceBuffer, PeerLaunch, PeerLaunchSpec } from '../../../../native/index';
import type { Accuracy } from '../../../protocol/worker';
import { cublasLtClusterName, cublasLtStagesName } from '../../core/peers/cublasltNames';
import { median } from '../../core/stats';
import type { AddonModule } from '../addon';
import type { DeviceScope } from '../bench/buffers';
import { codedData, losesContext } from '../bench/errors';

/** Rounds of the selection race: enough to order algorithms that differ by more than the noise. */
export const SELECTION_ROUNDS = 5;

export interface BestCublasLt {
  launches: PeerLaunch[];
  algorithm: CublasLtAlgorithm;
  accuracy: Accuracy;
  /** Offered by the heuristic, correct on set 0 (-1: not raced, a known winner), each one's median in the race (µs per call, by index). */
  offered: number;
  correct: number;
  raceUs: Record<number, number>;
}

/** One rotated input set as cuBLASLt reads it: FP8 with its scales, or BF16 (with C when accumulating). */
export interface CublasLtSet {
  a: DeviceBuffer;
  b: DeviceBuffer;
  d: DeviceBuffer;
  sfa?: DeviceBuffer;
  sfb?: DeviceBuffer;
  c?: DeviceBuffer;
}

export interface CublasLtContext {
  addon: AddonModule;
  scope: DeviceScope;
  sets: CublasLtSet[];
  /** The matmul: dataType 'bf16' (absent: block-scaled FP8), and D's type for BF16. */
  problem: { m: number; n: number; k: number; dataType?: 'fp8' | 'bf16'; dType?: 'bf16' | 'fp32' };
  libOptions: { path?: string; cudaHome?: string };
  /** Checks one launch on set 0 (poisoned output, every element against the reference). */
  check(launch: PeerLaunch): Promise<{ accuracy: Accuracy; problem?: string }>;
  timing: { callsPerGraph: number; warmupReplays: number };
  /** Correctness only (no timing): check the heuristic's favourite and stop there. */
  onlyFirst?: boolean;
  /** The winner of an earlier race on the same shape in this run: checked alone, not raced again. */
  known?: number;
}

/**
 * "algo 66, tile 24, stages 64xAUTO, cluster 2x1x1 (heuristic's #3; fastest of 7 correct of 8 listed)":
 * cuBLASLt's enum values, the stages and cluster by their cuBLASLt names (its shapes are column-major:
 * its M is our N).
 */
export function describeAlgorithm(a: CublasLtAlgorithm, correct: number): string {
  const splitK = a.splitK > 1 ? `, split-K ${a.splitK}` : '';
  const cluster = a.clusterShape >= 0 ? `, cluster ${cublasLtClusterName(a.clusterShape)}` : '';
  const how =
    correct < 0
      ? "the winner of this run's earlier race on the shape"
      : `fastest of ${correct} correct of ${a.found} listed`;
  const where = a.fromHeuristic ? `heuristic's #${a.index + 1}` : `cuBLASLt's enumeration, #${a.index + 1} of the list`;
  return `algo ${a.id}, tile ${a.tile}, stages ${cublasLtStagesName(a.stages)}${cluster}${splitK} (${where}; ${how})`;
}

export async function bestCublasLt(ctx: CublasLtContext): Promise<BestCublasLt> {
  const { addon, scope, sets, problem } = ctx;
  const { m, n, k } = problem;
  const spec = (set: CublasLtSet): PeerLaunchSpec => ({
    m,
    n,
    k,
    a: set.a,
    b: set.b,
    d: set.d,
    ...(problem.dataType === 'bf16'
      ? {
          dataType: 'bf16' as const,
          ...(problem.dType ? { dType: problem.dType } : {}),
          ...(set.c ? { c: set.c } : {}),
        }
      : { sfa: set.sfa, sfb: set.sfb }),
  });
  const make = (algorithm: number, set: CublasLtSet) =>
    scope.adopt(addon.createCublasLtLaunch(spec(set), { ...ctx.libOptions, algorithm }));

  const first = make(ctx.known ?? 0, sets[0]);
  const offered = first.algorithm().found;
  const candidates: { index: number; launch: PeerLaunch; accuracy: Accuracy }[] = [];
  const failures: string[] = [];
  const indices =
    ctx.known !== undefined ? [ctx.known] : Array.from({ length: ctx.onlyFirst ? 1 : offered }, (_, i) => i);
  for (const index of indices) {
    try {
      const launch = index === indices[0] ? first : make(index, sets[0]);
      const checked = await ctx.check(launch);
      if (checked.problem) failures.push(`#${index + 1}: ${checked.problem}`);
      else candidates.push({ index, launch, accuracy: checked.accuracy });
    } catch (err) {
      const data = codedData(err);
      if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
      failures.push(`#${index + 1}: [${data.code}] ${data.message}`);
    }
  }
  if (candidates.length === 0) {
    throw Object.assign(
      new Error(`none of cuBLASLt's ${offered} algorithm(s) gave a correct result: ${failures.slice(0, 3).join('; ')}`),
      { code: 'E_WRONG_RESULT' },
    );
  }

  const rotations = candidates.map((c) => sets.map((set, s) => (s === 0 ? c.launch : make(c.index, set))));
  const raceUs: Record<number, number> = {};
  let winner = 0;
  if (candidates.length > 1) {
    const raced = await addon.timeGraphs(rotations, { ...ctx.timing, rounds: SELECTION_ROUNDS });
    raced.perCallUs.forEach((samples, i) => {
      raceUs[candidates[i].index] = median(samples);
    });
    winner = candidates.reduce((best, c, i) => (raceUs[c.index] < raceUs[candidates[best].index] ? i : best), 0);
  }
  return {
    launches: rotations[winner],
    algorithm: candidates[winner].launch.algorithm(),
    accuracy: candidates[winner].accuracy,
    offered,
    correct: ctx.known !== undefined ? -1 : candidates.length,
    raceUs,
  };
}
