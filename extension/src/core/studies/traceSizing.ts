// How big the pipeline-timeline buffer of an instrumented launch must be so a whole kernel fits
// (kernels/include/fp8lab/common/trace.cuh, layout in extension/protocol/trace.ts). Pure.
//
// Events per role per tile, from the trace points of sm90_fp8_gemm_1d2d.cuh:
//   producer: TileBegin + per K-block (EmptyWaitBegin, EmptyWaitEnd, TmaIssue) + TileEnd
//   math:     TileBegin + per K-block (FullWaitBegin, FullWaitEnd, StageRelease
//             + per wave WgmmaIssue, WgmmaDone, PromoteBegin, PromoteEnd) + 4 epilogue/tile-end
// so a math role records at most kBlocks x (3 + 4 x waves) + 6 per tile; we allow 8 fixed and one
// spare per K-block, and the scheduler's most tiles on one CTA.
import type { GemmConfig, GemmProblem } from '../../../protocol/worker';
import { TRACE_HEADER_BYTES, TRACE_RECORD_BYTES, TRACE_ROLES_PER_CTA } from '../../../protocol/trace';

/** The trace buffer never exceeds this, whatever the shape (the count keeps going; drops are reported). */
export const MAX_TRACE_BYTES = 1 << 30;
/** WGMMA rows per math warpgroup: a wave covers 64 x numMathWarpgroups rows of the block. */
const WGMMA_M = 64;

export interface TraceSizing {
  tiles: number;
  tilesPerCta: number;
  kBlocks: number;
  /** Records per (CTA, role) slice. */
  capacity: number;
  bytes: number;
  /** Records the whole kernel needs per slice; capacity < needed only when MAX_TRACE_BYTES capped it. */
  needed: number;
  capped: boolean;
}

export function traceSizing(
  problem: Pick<GemmProblem, 'm' | 'n' | 'k'>,
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'blockK' | 'numSms' | 'numMathWarpgroups'>,
  maxBytes = MAX_TRACE_BYTES,
): TraceSizing {
  const tiles = Math.ceil(problem.m / config.blockM) * Math.ceil(problem.n / config.blockN);
  const tilesPerCta = Math.ceil(tiles / config.numSms);
  const kBlocks = Math.ceil(problem.k / config.blockK);
  const waves = Math.max(1, Math.ceil(config.blockM / (WGMMA_M * config.numMathWarpgroups)));
  const perKBlock = 3 + 4 * waves + 1;
  const needed = tilesPerCta * (kBlocks * perKBlock + 8);
  const slices = config.numSms * TRACE_ROLES_PER_CTA;
  const maxCapacity = Math.floor((maxBytes / slices - TRACE_HEADER_BYTES) / TRACE_RECORD_BYTES);
  if (maxCapacity < 1)
    throw new RangeError(`a trace buffer of ${maxBytes} bytes cannot hold one record for each of ${slices} slices`);
  const capacity = Math.max(1, Math.min(needed, maxCapacity, 1 << 24));
  return {
    tiles,
    tilesPerCta,
    kBlocks,
    capacity,
    bytes: slices * (TRACE_HEADER_BYTES + TRACE_RECORD_BYTES * capacity),
    needed,
    capped: capacity < needed,
  };
}
