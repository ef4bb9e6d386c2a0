// Config heuristics for the FP8 GEMM kernels: candidate enumeration with rejection reasons, the
// cost model, the choice and its text form. Pure (no vscode, no addon, no DOM).

export { chooseConfig, PolicyError, tileLabel } from './choose';
export {
  enumerateCandidates,
  minUsefulStages,
  KERNEL_MIN_STAGES,
  type EvaluatedCandidate,
  type Rejection,
} from './candidates';
export {
  predictCost,
  scaleBStraddle,
  MODEL,
  H100_DEFAULT_MODEL,
  type Bound,
  type CostBreakdown,
  type ScaleBStraddle,
} from './costModel';
export { H100_SXM, policyDevice, type PolicyDevice } from './device';
export { compactConfig, formatConfigReport, type FormatOptions } from './format';
export {
  rawCandidates,
  BLOCK_M_CHOICES,
  BLOCK_N_CHOICES,
  CLUSTER_CHOICES,
  MATH_WARPGROUP_CHOICES,
  MAX_STAGES,
} from './space';
export { mBlocksPerGroup, waveInfo, workShape, CONTIGUOUS_M_ALIGNMENT, type WaveInfo, type WorkShape } from './tiles';
export { cycleTerms, scaledModel, type DeviceModel } from './deviceModel';
