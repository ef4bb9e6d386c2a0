// Enumerates every candidate config of a problem on a device, fills in what each would use (stages,
// shared memory, tiles, waves), and rejects the ones that cannot or should not run, each with a
// stable rule code and a sentence. Kernel legality and the shared-memory formula are the kernel's
// (kernelRules.ts, through ./legality); the rules here are policy: enough stages to overlap loads,
// multicast only where it pays, the contiguous layout's row alignment.

import type { Candidate, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { predictCost, type CostBreakdown } from './costModel';
import type { PolicyDevice } from './device';
import {
  kernelSharedBytes,
  kernelStagesThatFit,
  kernelSwizzles,
  kernelThreads,
  kernelViolation,
  KERNEL_MIN_STAGES,
  type Rejection,
} from './legality';
import { BLOCK_K, MAX_STAGES, rawCandidates, type RawCandidate } from './space';
import { CONTIGUOUS_M_ALIGNMENT, waveInfo, workShape, type WorkShape } from './tiles';

export type { Rejection } from './legality';

/** A candidate plus the cost model's breakdown (kept for "why this one"; not part of the wire type). */
export interface EvaluatedCandidate extends Candidate {
  cost?: CostBreakdown;
}

export { KERNEL_MIN_STAGES };

/** The kernel needs 2 stages to run at all; policy wants 3 to overlap loads, 4 for small tiles. */
export function minUsefulStages(blockM: number, blockN: number): number {
  // Small tiles finish a K-block quickly, so one more load must be in flight to hide its latency.
  return blockM * blockN < 128 * 192 ? 4 : 3;
}

function baseConfig(raw: RawCandidate, problem: GemmProblem, device: PolicyDevice): GemmConfig {
  const swizzles = kernelSwizzles(raw.blockN, problem.kind);
  return {
    blockM: raw.blockM,
    blockN: raw.blockN,
    blockK: BLOCK_K,
    numStages: 0,
    numMathWarpgroups: raw.numMathWarpgroups,
    clusterM: raw.clusterM,
    clusterN: raw.clusterN,
    swizzleA: swizzles.a,
    swizzleB: swizzles.b,
    swizzleD: swizzles.d,
    numSms: device.numSms,
    sharedBytes: 0,
    numThreads: kernelThreads(raw.numMathWarpgroups),
    ...(raw.splitK > 1 ? { splitK: raw.splitK } : {}),
  };
}

/** Split-K pays only where few tiles leave SMs idle and each tile's K is long enough to halve. */
function splitKRejection(
  config: GemmConfig,
  problem: GemmProblem,
  work: WorkShape,
  device: PolicyDevice,
): Rejection | undefined {
  if ((config.splitK ?? 1) === 1) return undefined;
  if (problem.kind !== 'normal')
    return { rule: 'split-k', reason: `split-K is implemented for the normal GEMM, not for '${problem.kind}'` };
  const kBlocks = Math.ceil(work.k / BLOCK_K);
  const splitK = config.splitK ?? 1;
  if (kBlocks < 4 * splitK) {
    return {
      rule: 'split-k',
      reason: `K = ${work.k} is ${kBlocks} K-blocks; splitting it ${splitK} ways saves less than the partial-sum hand-over costs`,
    };
  }
  const tiles = Math.ceil(work.m / config.blockM) * Math.ceil(work.n / config.blockN) * work.groups;
  if (splitK * tiles > device.numSms) {
    return {
      rule: 'split-k',
      reason: `${tiles} tiles x ${splitK} K shares need ${splitK * tiles} CTAs; the grid has ${device.numSms}, so split-K ${splitK} would add a wave`,
    };
  }
  return undefined;
}

function stageRejection(config: GemmConfig, fit: number): Rejection | undefined {
  // (Fewer than the kernel's minimum of 2 is already the kernel's 'smem' rule.)
  const want = minUsefulStages(config.blockM, config.blockN);
  if (fit < want) {
    const small = want > 3 ? ' for tiles smaller than 128x192' : '';
    return {
      rule: 'stages',
      reason: `only ${fit} stage${fit === 1 ? '' : 's'} fit; at least ${want} are needed to overlap loads${small}`,
    };
  }
  return undefined;
}

function kindRejection(config: GemmConfig, problem: GemmProblem, work: WorkShape): Rejection | undefined {
  if (problem.kind === 'contiguous' && config.blockM !== CONTIGUOUS_M_ALIGNMENT) {
    return {
      rule: 'alignment',
      reason: `the contiguous layout pads each group to ${CONTIGUOUS_M_ALIGNMENT} rows, so block_m must be ${CONTIGUOUS_M_ALIGNMENT}; got ${config.blockM}`,
    };
  }
  const clusterSize = config.clusterM * config.clusterN;
  if (clusterSize === 1) return undefined;
  if (problem.kind === 'masked' && Math.ceil(work.n / config.blockN) % clusterSize !== 0) {
    return {
      rule: 'cluster',
      reason: `masked groups end at unknown rows, so a cluster must pair N-blocks of one group; ${Math.ceil(work.n / config.blockN)} N-blocks do not pair up`,
    };
  }
  if (problem.kind === 'masked' && work.m <= config.blockM) {
    return {
      rule: 'cluster',
      reason: `at expected m ${work.m} each group is one M-block of ${config.blockM} rows; the cluster sync would cost more than multicast saves`,
    };
  }
  if (problem.kind === 'kgrouped' && work.groups > 4) {
    return {
      rule: 'cluster',
      reason: `multicast is off for K-grouped GEMMs with more than 4 groups (${work.groups}): every group re-targets the tensor maps`,
    };
  }
  return undefined;
}

function clusterRejection(config: GemmConfig, waves: number, work: WorkShape): Rejection | undefined {
  if (config.clusterM * config.clusterN === 1) return undefined;
  // One wave: every SM already has its tile, and the cluster sync costs more than L2 saves.
  if (waves < 2) return { rule: 'cluster', reason: `multicast needs ≥ 2 waves; this shape has ${waves}` };
  // Multicast shares an operand between two neighbouring blocks; with one block there is no partner.
  if (config.clusterM === 2 && Math.ceil(work.m / config.blockM) < 2) {
    return {
      rule: 'cluster',
      reason: `B multicast pairs two M-blocks; M = ${work.m} is one block of ${config.blockM} rows`,
    };
  }
  if (config.clusterN === 2 && Math.ceil(work.n / config.blockN) < 2) {
    return {
      rule: 'cluster',
      reason: `A multicast pairs two N-blocks; N = ${work.n} is one block of ${config.blockN} columns`,
    };
  }
  return undefined;
}

/** Every candidate, in enumeration order, with its rejection or its predicted cost. */
export function enumerateCandidates(problem: GemmProblem, device: PolicyDevice): EvaluatedCandidate[] {
  const work = workShape(problem);
  return rawCandidates().map((raw) => {
    const config = baseConfig(raw, problem, device);
    const fit = kernelStagesThatFit(config, problem, device, MAX_STAGES);
    // When not even the kernel's minimum fits, show that minimum and what it would need.
    config.numStages = Math.max(fit, KERNEL_MIN_STAGES);
    config.sharedBytes = kernelSharedBytes(config, problem);

    const wave = waveInfo(
      work,
      config.blockM,
      config.blockN,
      device.numSms,
      config.clusterM * config.clusterN * (config.splitK ?? 1),
    );
    const out: EvaluatedCandidate = {
      config,
      tiles: wave.tiles,
      waves: Number.isFinite(wave.waves) ? wave.waves : 0,
      lastWaveUtilisation: wave.lastWaveUtilisation,
    };
    // The layout of the kernel kind first (it decides block_m), then the kernel's own rules (checked
    // at a stage count it accepts), then policy.
    const rejected =
      kindRejection(config, problem, work) ??
      kernelViolation(config, problem, device) ??
      stageRejection(config, fit) ??
      clusterRejection(config, wave.waves, work) ??
      splitKRejection(config, problem, work, device);
    if (rejected) {
      out.rejected = rejected;
      return out;
    }
    const cost = predictCost(config, work, device);
    out.cost = cost;
    out.predicted = { cycles: cost.cycles, us: cost.us };
    return out;
  });
}
