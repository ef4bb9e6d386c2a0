// An analytic cost model for the persistent, warp-specialised 1D2D FP8 GEMM, in the spirit of
// DeepGEMM's sm90 heuristic with the tensor-core, pipeline and per-tile terms it leaves out. It
// exists to rank candidates for one shape; its absolute µs are a prediction shown next to
// measurements, never a substitute for them. The bandwidth and overhead constants are fitted to
// real H100 timings (test/fixtures/h100/tune-deepseek.json, checked by
// test/unit/core/costModelFit.test.ts); each says what it was fitted to.
//
// For one config the busiest SM processes `waves` tiles; each tile walks K in 128-wide blocks, and a
// K-block costs the slowest of
//   - math: WGMMA on the tensor cores (2·BM·BN·128 FLOP at 8192 FLOP/cycle/SM) plus the promotion
//     FFMAs (one per accumulator element); with one math warpgroup the promotion and the WGMMA drain
//     are serial, with two the other warpgroup's WGMMA hides them. A BLOCK_N whose tiles straddle two
//     B-scale blocks pays a factor (a runtime select per chunk unless the kernel specialises it), and
//     a 2-CTA cluster pays a lock-step cost (a stage is refilled only when both CTAs released it),
//     part of it outside the power-cap floor below;
//   - ingest: the A, B and scale-A bytes TMA lands in this SM's shared memory (multicast or not);
//   - operands: the A and B bytes wgmma reads back out of shared memory (B once per 64-row wave);
//   - latency: a TMA round trip spread over the (stages − 1) loads in flight;
// and each tile adds its epilogue and a fixed per-tile overhead, partly hidden behind the next tile's
// first K-blocks where the kernel overlaps across tiles (Normal GEMMs on the overlapped K-loop).
// Under the 700 W cap a tile also takes at least its energy: tensor-core math plus the bytes TMA
// lands in shared memory, so tiles that move fewer bytes per FLOP keep a higher clock.
// The whole grid is also bounded by L2 (all SMs together; multicast halves the shared operand) and
// by HBM (the bytes that must move at least once). These limits do not overlap perfectly: the three
// grid terms are combined as a 6-norm, which is their maximum when one dominates and up to 20% more
// when they are close (the queueing a roofline's max ignores). Fixed costs: one pipeline fill, the
// last epilogue and the launch.

import type { GemmConfig } from '../../../protocol/worker';
import { OVERLAP_TILES_AHEAD, overlapsKBlocks, overlapsTiles } from '../kernelRules';
import { gemmBytes } from '../stats';
import type { PolicyDevice } from './device';
import { cycleTerms, type DeviceModel } from './deviceModel';
import { waveInfo, type WaveInfo, type WorkShape } from './tiles';

/** Constants of the model, each with where it comes from ("fitted" = to test/fixtures/h100/tune-deepseek.json). */
export const MODEL = {
  /** Dense FP8 FLOP per cycle per SM on H100: 1979 TFLOPS at 1830 MHz over 132 SMs (NVIDIA H100 datasheet). */
  tensorFlopPerCyclePerSm: 8192,
  /** FP32 FFMA lanes per SM per cycle (4 sub-partitions x 32). */
  ffmaPerCyclePerSm: 128,
  /**
   * Model clock (GHz). 1.30 GHz x 132 SMs x 8192 FLOP = 1.40 PFLOP/s, the burst FP8 rate of an H100
   * SXM: the clock the tensor cores effectively run at under FP8 load.
   */
  clockGHz: 1.3,
  /**
   * L2 → SM bytes per cycle for the whole GPU, after multicast: 13.7 TB/s at the model clock. Fitted:
   * the 256x128 tiles at M = 4096 pull about 8 TB/s through L2 without being limited by it, and
   * 64x16 tiles at M = 64 (every SM re-reading A) are limited by their SM's ingest, not by L2; in the
   * 4th and 5th recordings 128x128 tiles without multicast run level with or ahead of clusters at M = 4096.
   */
  l2BytesPerCycle: 10500,
  /**
   * Bytes per cycle TMA lands in one SM's shared memory; multicast does not lower it (each CTA of a
   * cluster still receives both operands). Fitted: 128x128 tiles at 8192³ run 13% behind 256x128
   * although both would fill the tensor cores; 64x16 tiles at 64x2112x7168 run at ~45 B/cycle.
   */
  smIngestBytesPerCycle: 80,
  /** HBM bytes per cycle: an H100 SXM's 3.02 TB/s copy rate, at the model clock. */
  dramBytesPerCycle: 3.02e12 / 1.3e9,
  /** Cycles from issuing a TMA load to its bytes landing (HBM latency ≈ 0.75 µs). */
  tmaLatencyCycles: 1000,
  /** Per K-block synchronisation: full-barrier wait, wgmma fence / commit, empty-barrier arrive. */
  kBlockSyncCycles: 24,
  /** wgmma.wait_group 0 latency left exposed when one math warpgroup both issues and promotes. */
  wgmmaDrainCycles: 64,
  /**
   * Math-term factor for a BLOCK_N whose tiles straddle two 128-column B-scale blocks and whose
   * promotion split is a runtime comparison (gcd(BLOCK_N, 128) < 32: 48, 80, 112, 144, ...): a select
   * per accumulator chunk in the hot loop. Fitted: 1.3–1.45x behind their neighbours at M = 4096
   * (2 math warpgroups); at M ≤ 128 the memory terms hide it, as measured.
   */
  straddleRuntimeFactor: 1.35,
  /**
   * The same for a straddle the kernel specialises at compile time (96, 160, 192, ...). Fitted: no
   * measurable cost since the promotion reads per-tile constants (1.03 in the 2nd recording).
   */
  straddleSpecialisedFactor: 1,
  /**
   * Per K-block cost of a 2-CTA cluster: the producer refills a stage only when the peer CTA has
   * released it too, so the two SMs run in lock step. Fitted: 64x16 cluster 2 takes 24.2 µs vs
   * 21.4 µs alone at 64x4096x7168.
   */
  clusterCouplingCycles: 80,
  /**
   * The same for two-warpgroup tiles, whose longer K-blocks hide part of it. Fitted (4th recording):
   * at M = 4096 a cluster of 256x128 tiles runs 3–4% behind one CTA alone (4096x7168x16384: 832.4
   * vs 806.6 µs), and 128x128 clusters win only where their L2 saving matters (K = 16384).
   */
  clusterCouplingTwoWgCycles: 60,
  /**
   * Share of the cluster's lock-step cost that the power-cap floor does not hide: a stalled pair draws
   * less power, but the clock recovers only part of the lost time. Fitted to the 78-SM tune
   * (test/fixtures/h100/tune-78sm.json), where 128x128 tiles in a 2x1 cluster measured 1109 µs against
   * 978 µs alone at 4096x7168x16384 while the model, its coupling hidden under the floor, picked the
   * cluster; any share in 0.25–0.75 gives the same picks on both tune fixtures (78 SMs: geomean
   * regret 1.025 → 1.019, worst 1.134 → 1.097; 132 SMs: 1.008 → 1.006) and keeps the masked pairs'
   * measured order (test/fixtures/h100/masked-tiles.json); 1 breaks that order.
   */
  clusterCouplingExposedShare: 0.5,
  /**
   * The lock-step cost of a 2-CTA cluster in the M-grouped kinds (contiguous, masked): none measured.
   * There 128x192 tiles in a 2x1 cluster (B multicast to two M-blocks of one group) ran 3–16% ahead of
   * the same tile alone on all eight contiguous standard cases
   * (test/fixtures/h100/contiguous-cluster-standard.json) and 5–7% ahead on the masked m~1024 cases
   * with K ≥ 3072 (3% behind at K = 2048; test/fixtures/h100/masked-m1024-clusters.json), DeepGEMM
   * timed in the same processes, while the normal GEMM's pairs of the same tiles ran level or behind
   * (test/fixtures/h100/normal-cluster.json, alternated twice): the coupling terms above stay where
   * they were fitted, and an M-grouped pair is priced by its L2 saving alone.
   */
  mGroupedClusterCouplingCycles: 0,
  /**
   * Per tile: B-scale wait and math barrier, the epilogue's barriers and TMA store, a fresh
   * accumulator. Fitted: at K = 512, M = 64 many small tiles lose (64x32 14.3 µs vs 64x128 10.1 µs).
   */
  tileOverheadCycles: 1200,
  /**
   * Split-K hand-over per tile: rank 1's fp32 accumulators cross to rank 0 through distributed
   * shared memory (a release/acquire barrier round trip plus BLOCK_M x BLOCK_N x 4 bytes at ~32
   * B/cycle), and the 2-CTA cluster launch. Fitted: with the overlapped K-loop, split-K 2 lost to
   * no split on every decode shape of the interleaved H100 sweep (64x2112x7168: 9.9 vs 8.3 µs).
   */
  splitKExchangeCycles: 5000,
  dsmemBytesPerCycle: 32,
  /**
   * The exponent the compute, L2 and HBM terms are combined with (∞ would be a pure roofline max).
   * Fitted: with a plain max, tiles that sit just under the HBM roof tie with the best one although
   * they measure 5–15% slower.
   */
  overlapExponent: 6,
  /**
   * Bytes per cycle of the epilogue (stmatrix into shared memory, barriers, TMA store issue). Fitted
   * to the sweep with the overlapped K-loop (test/fixtures/h100/tune-deepseek.json, 2nd recording).
   */
  epilogueBytesPerCycle: 32,
  /**
   * Share of min(epilogue + per-tile overhead, the next tile's first two K-blocks) hidden when the
   * kernel overlaps across tiles (overlapsTiles). Fitted (6th recording: the serial loop unrolled,
   * B scales off the store warp, N and K compiled in): at 4096x32768x512 256x128 tiles now run 4%
   * ahead of the overlapped 128x128 (159.3 vs 165.2 µs); 0.3 ranks them so, 0.5 did not.
   */
  tileOverlapShare: 0.3,
  /**
   * Shared-memory bytes per cycle wgmma reads its A and B operands at (each 64-row wave reads its A
   * rows and all of B, so narrow tiles read more per FLOP; TMA writes into the same memory). Fitted
   * (5th recording): at 4096x2112x7168 256x64 tiles run 7% behind 128x192 (119.8 vs 111.5 µs)
   * although they fill the waves better.
   */
  wgmmaOperandBytesPerCycle: 90,
  /**
   * Energy of one byte TMA lands in an SM's shared memory, in tensor-core cycles at full rate. Under
   * the 700 W cap the clock falls with the energy the SMs spend, so a tile takes at least its
   * K-blocks' energy, each mma + ingest bytes x this: tiles that land fewer bytes per FLOP run at a
   * higher clock. The interleaved tune sweep cannot see it (its candidates share one clock); fitted
   * to the sustained sweep (test/fixtures/h100/sustained-m4096.json, 2nd recording): 256x128 tiles
   * land 1/85 B per MAC against 128x128's 1/64 and run 6–8% ahead at K ≥ 7168 (4096x7168x16384
   * 721.6 vs 786.3 µs). Any value in 0.0026–0.0035 keeps every pick within 1% of the sustained winner.
   */
  ingestEnergyCyclesPerByte: 0.003,
  /** Launch and teardown of one persistent grid, as graph-replayed (µs). */
  launchUs: 1.5,
};

/** The H100 SXM device terms the model was fitted with (all 132 SMs at the 700 W cap). */
export const H100_DEFAULT_MODEL: DeviceModel = {
  clockGHz: MODEL.clockGHz,
  dramBytesPerSecond: MODEL.dramBytesPerCycle * MODEL.clockGHz * 1e9,
  l2BytesPerSecond: MODEL.l2BytesPerCycle * MODEL.clockGHz * 1e9,
  powerCapBinds: true,
};

/** How a BLOCK_N's tiles sit on the 128-column B-scale blocks, as the kernel's promotion sees it. */
export type ScaleBStraddle = 'none' | 'specialised' | 'runtime';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Mirrors kUniformScaleB / kSpecialiseFormer of the kernel (sm90_fp8_gemm_1d2d.cuh). */
export function scaleBStraddle(blockN: number): ScaleBStraddle {
  if (128 % blockN === 0) return 'none';
  return 128 / gcd(blockN, 128) <= 4 ? 'specialised' : 'runtime';
}

export type Bound =
  | 'tensor cores'
  | 'WGMMA + promotion'
  | 'shared-memory ingest'
  | 'load latency'
  | 'wgmma operand reads'
  | 'the power cap'
  | 'L2 bandwidth'
  | 'HBM bandwidth';

export interface CostBreakdown {
  /** Predicted cycles at the device model's clock, and µs. */
  cycles: number;
  us: number;
  bound: Bound;
  waves: WaveInfo;
  /** Per-K-block terms of one CTA (cycles). */
  perKBlock: { math: number; ingest: number; latency: number; operands: number; energy: number };
  /** How the tiles sit on the B-scale blocks (a straddle slows the math term). */
  straddle: ScaleBStraddle;
  /** Grid-level terms (cycles), before the fixed costs. */
  computeCycles: number;
  l2Cycles: number;
  dramCycles: number;
  fixedCycles: number;
  /** Bytes the grid reads from L2 (A and B after multicast, scales, D). */
  l2Bytes: number;
  dramBytes: number;
}

/** (Σ xᵢᵖ)^(1/p), scaled by the largest term so that large cycle counts cannot overflow. */
export function pNorm(xs: number[], p: number): number {
  const top = Math.max(...xs);
  if (top <= 0 || !Number.isFinite(top)) return Math.max(top, 0);
  return top * xs.reduce((sum, x) => sum + (x / top) ** p, 0) ** (1 / p);
}

/** Share of `blocks` blocks along a dimension that have a cluster partner (pairs of neighbours). */
export function pairedFraction(blocks: number): number {
  return blocks < 2 ? 0 : (2 * Math.floor(blocks / 2)) / blocks;
}

type CostConfig = Pick<
  GemmConfig,
  'blockM' | 'blockN' | 'blockK' | 'numStages' | 'numMathWarpgroups' | 'clusterM' | 'clusterN' | 'splitK'
>;

/**
 * The split-K hand-over on rank 0's critical path, per tile: the fitted constant for the release /
 * acquire round trip and the cluster launch, and the other ranks' fp32 partial sums
 * ((splitK - 1) x BLOCK_M x BLOCK_N x 4 bytes) crossing distributed shared memory. The 1D2D and BF16
 * kernels run the same exchange (kernels/include/fp8lab/common/split_k_exchange.cuh).
 */
export function splitKExchangeCycles(c: Pick<GemmConfig, 'blockM' | 'blockN' | 'splitK'>): number {
  const splitK = c.splitK ?? 1;
  if (splitK === 1) return 0;
  return MODEL.splitKExchangeCycles + ((splitK - 1) * c.blockM * c.blockN * 4) / MODEL.dsmemBytesPerCycle;
}

export function predictCost(config: CostConfig, work: WorkShape, device: PolicyDevice): CostBreakdown {
  const { blockM: bm, blockN: bn, blockK: bk } = config;
  // The device terms: this GPU's calibrated ones when the policy device carries them, else the H100's.
  const terms = cycleTerms(device.model ?? H100_DEFAULT_MODEL);
  const clusterSize = config.clusterM * config.clusterN;
  // Split-K: each tile becomes `splitK` work units of K / splitK on as many CTAs (one cluster).
  const splitK = config.splitK ?? 1;
  const waves = waveInfo({ ...work, groups: work.groups * splitK }, bm, bn, device.numSms, clusterSize * splitK);
  const kBlocks = Math.ceil(Math.ceil(work.k / bk) / splitK);

  // --- one K-block of one CTA
  const mma = (2 * bm * bn * bk) / MODEL.tensorFlopPerCyclePerSm;
  const promote = (bm * bn) / MODEL.ffmaPerCyclePerSm;
  const straddle = scaleBStraddle(bn);
  const straddleFactor =
    straddle === 'runtime'
      ? MODEL.straddleRuntimeFactor
      : straddle === 'specialised'
        ? MODEL.straddleSpecialisedFactor
        : 1;
  // One math warpgroup running the serial K-loop waits for each wgmma group before promoting it;
  // a second warpgroup's wgmma, or the overlapped K-loop's next group, hides that drain. (Two
  // warpgroups in the serial loop, unrolled, hide it entirely: fitted to the 6th recording, where a
  // per-K-block drain term of any size raised the regret.)
  const overlapped = overlapsKBlocks(config);
  const coupling =
    clusterSize === 1
      ? 0
      : work.kind === 'contiguous' || work.kind === 'masked'
        ? MODEL.mGroupedClusterCouplingCycles
        : config.numMathWarpgroups < 2
          ? MODEL.clusterCouplingCycles
          : MODEL.clusterCouplingTwoWgCycles;
  // Part of the lock-step cost is paid in the K-loop, where the power-cap floor can hide it; the
  // exposed share is added to the tile after that floor.
  const exposedCoupling = coupling * MODEL.clusterCouplingExposedShare;
  const math =
    straddleFactor *
      (config.numMathWarpgroups < 2 && !overlapped
        ? mma + MODEL.wgmmaDrainCycles + promote + MODEL.kBlockSyncCycles
        : Math.max(mma, promote) + MODEL.kBlockSyncCycles) +
    coupling -
    exposedCoupling;
  const stageBytes = bm * bk + bn * bk + bm * 4;
  const ingest = stageBytes / MODEL.smIngestBytesPerCycle;
  const latency = MODEL.tmaLatencyCycles / Math.max(1, config.numStages - 1);
  // wgmma reads its operands from shared memory: every 64-row wave reads its A rows and all of B.
  const operandBytes = (bm / 64) * (64 + bn) * bk;
  const operands = operandBytes / MODEL.wgmmaOperandBytesPerCycle;
  const kBlockCycles = Math.max(math, ingest, latency, operands);
  // The K-block's energy at the power cap, in tensor-core cycles (see ingestEnergyCyclesPerByte).
  const kBlockEnergy = mma + stageBytes * MODEL.ingestEnergyCyclesPerByte;

  // --- one tile, then the busiest SM
  const outTileBytes = bm * bn * work.outBytes;
  const epilogue = (outTileBytes * (work.outBytes === 4 ? 2 : 1)) / MODEL.epilogueBytesPerCycle;
  const exchange = splitKExchangeCycles({ blockM: bm, blockN: bn, splitK });
  // Overlap across tiles: the next tile's first K-blocks (two when a tile has two) run on the tensor
  // cores while this tile's epilogue and per-tile overhead run on the math warpgroups.
  const tileStart = epilogue + MODEL.tileOverheadCycles;
  const aheadKBlocks = Math.min(OVERLAP_TILES_AHEAD, kBlocks);
  const hiddenByNextTile = overlapsTiles(config, work.kind)
    ? MODEL.tileOverlapShare * Math.min(tileStart, aheadKBlocks * kBlockCycles)
    : 0;
  // A tile takes at least its K-blocks' energy at the cap: with many K-blocks per tile that is what
  // sets the pace; with few, the epilogue's quieter cycles let the clock recover.
  const tileWork = kBlocks * kBlockCycles + tileStart - hiddenByNextTile;
  const tileEnergy = kBlocks * kBlockEnergy;
  const tileCycles = (terms.energy ? Math.max(tileWork, tileEnergy) : tileWork) + kBlocks * exposedCoupling + exchange;
  const computeCycles = waves.waves * tileCycles;

  // --- the whole grid through L2 and HBM
  // clusterN = 2 multicasts A between two N-blocks of one block row, clusterM = 2 multicasts B
  // between two M-blocks; only the tiles that have a partner along that dimension share.
  const shareA = config.clusterN === 2 ? pairedFraction(Math.ceil(work.n / bn)) : 0;
  const shareB = config.clusterM === 2 ? pairedFraction(Math.ceil(work.m / bm)) : 0;
  const l2PerTile =
    kBlocks * (bm * bk * (1 - shareA / 2) + bn * bk * (1 - shareB / 2) + bm * 4 + 4 * Math.ceil(bn / 128)) +
    outTileBytes * (work.outBytes === 4 ? 2 : 1);
  const l2Bytes = waves.tiles * l2PerTile;
  // L2 and HBM are shared by all SMs: a partial last wave leaves their bandwidth to the busy SMs
  // (whose own limit is the ingest term), so neither is divided by wave efficiency.
  const l2Cycles = l2Bytes / terms.l2BytesPerCycle;
  const dramBytes = gemmBytes({
    m: work.m * work.groups,
    n: work.n,
    k: work.k,
    groups: work.groups,
    outBytes: work.outBytes,
    readsC: work.outBytes === 4,
    perTokenScaleB: work.outBytes === 4,
  });
  const dramCycles = dramBytes / terms.dramBytesPerCycle;

  const fixedCycles = MODEL.tmaLatencyCycles + epilogue + MODEL.launchUs * terms.clockGHz * 1e3;
  const cycles = pNorm([computeCycles, l2Cycles, dramCycles], MODEL.overlapExponent) + fixedCycles;

  let bound: Bound;
  if (computeCycles >= l2Cycles && computeCycles >= dramCycles) {
    // With one math warpgroup the promotion and the WGMMA drain add to the tensor-core time.
    const mathBound: Bound = mma >= 0.75 * math ? 'tensor cores' : 'WGMMA + promotion';
    bound =
      terms.energy && tileEnergy > tileWork
        ? 'the power cap'
        : kBlockCycles === math
          ? mathBound
          : kBlockCycles === ingest
            ? 'shared-memory ingest'
            : kBlockCycles === operands
              ? 'wgmma operand reads'
              : 'load latency';
  } else {
    bound = l2Cycles >= dramCycles ? 'L2 bandwidth' : 'HBM bandwidth';
  }
  return {
    cycles: Math.round(cycles),
    us: cycles / (terms.clockGHz * 1e3),
    bound,
    waves,
    perKBlock: { math, ingest, latency, operands, energy: kBlockEnergy },
    straddle,
    computeCycles,
    l2Cycles,
    dramCycles,
    fixedCycles,
    l2Bytes,
    dramBytes,
  };
}
