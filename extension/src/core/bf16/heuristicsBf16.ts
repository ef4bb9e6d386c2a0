// Config heuristics of the BF16 GEMMs (kinds 'bf16', 'bf16-contiguous', 'bf16-masked', 'bf16-kgrouped'):
// every candidate tile and cluster with what it
// would use, the ones that cannot or should not run rejected with a rule code and a sentence, a cost
// model for the rest, and the cheapest chosen with the reason. The structure of the FP8 model
// (heuristics/costModel.ts), with its fitted device constants, adapted to what this kernel does:
//   - no promotion: a K-block costs the slowest of tensor-core math, the bytes TMA lands in this SM
//     and the operand bytes wgmma reads back out of shared memory (every 64-row wave reads its A rows
//     and all of B, so narrow tiles read more per FLOP), and the math warpgroups keep one wgmma group
//     queued, so there is no drain term;
//   - BF16 tensor-core peak is half of FP8's (4096 FLOP/cycle/SM on H100), and a K-block is 64 deep;
//   - the whole grid is bounded by L2 (multicast halves the shared operand's reads) and HBM;
//   - cooperative tiles pay their epilogue and tile start in full; ping-pong tiles (each math
//     warpgroup on its own tile) hide them under the other warpgroup's K-loop when that is longer.
//     Alone, a ping-pong tile's K-loop runs slower (priced so, and not offered: it measured slower
//     everywhere); in a 2-CTA cluster it runs at the cooperative rate, and the planner offers these
//     pairs for the normal GEMM with bf16 D, where they were measured;
//   - split-K (kind 'bf16', no cluster, cooperative) prices a tile as the FP8 model does: splitK work
//     units of ceil(K-blocks / splitK) each, waves over tiles x splitK units, plus the partial sums'
//     hand-over; the planner offers split 2 only where it fills idle SMs and beats every tile without
//     it by a margin, and shows split 4 without offering it.
// Pure: no vscode, no addon.

import type { Bf16Output, Candidate, ConfigReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { splitKOf } from '../kernelRules';
import { MODEL, splitKExchangeCycles } from '../heuristics/costModel';
import type { PolicyDevice } from '../heuristics/device';
import { waveInfo, type WorkShape } from '../heuristics/tiles';
import { tileLabel } from '../heuristics/choose';
import {
  BF16_BLOCK_K,
  completeConfigBf16,
  configViolationsBf16,
  defaultOutputBf16,
  maxStagesThatFitBf16,
  outputBytes,
  ruleDSlabsBf16,
  ruleProblemBf16,
} from './kernelRulesBf16';

/** Dense BF16 FLOP per cycle per SM on H100: half the FP8 rate (989 TFLOPS at 1830 MHz over 132 SMs). */
export const BF16_TENSOR_FLOP_PER_CYCLE_PER_SM = MODEL.tensorFlopPerCyclePerSm / 2;
export const BF16_BLOCK_M_CHOICES: readonly number[] = [64, 128, 256];
export const BF16_BLOCK_N_CHOICES: readonly number[] = Array.from({ length: 16 }, (_, i) => 16 * (i + 1));
export const BF16_CLUSTER_CHOICES: ReadonlyArray<readonly [clusterM: number, clusterN: number]> = [
  [1, 1],
  [2, 1],
  [1, 2],
];
/**
 * Shared-memory bytes per cycle BF16 wgmma reads its operands at (every 64-row wave reads its A rows
 * and all of B). Lower than the FP8 kernel's fitted rate: fitted to the BF16 tile sweep
 * (test/fixtures/h100/bf16-tiles.json), where 128x176 tiles ran 7.6% behind 128x256 at
 * 4096x7168x16384 although both are math-bound by FLOPs; any rate in 75–85 picks the fastest swept
 * tile on every swept shape, 90 (the FP8 rate) does not.
 */
export const BF16_WGMMA_OPERAND_BYTES_PER_CYCLE = 80;
/**
 * A K-loop that one math warpgroup runs alone moves its tile's FLOPs this much slower than a
 * cooperative 128-row tile's two warpgroups do: a ping-pong tile's without a cluster (the other
 * warpgroup waits its turn) and a 64-row tile's (one math warpgroup), except in the K-grouped kind
 * (slowOneWarpgroupKLoop).
 * Fitted to the ping-pong sweep (test/fixtures/h100/bf16-pingpong.json: 64x256 ping-pong 2–11%
 * behind the cooperative picks at M = 4096, K 512–2048) and to the bf16-masked sweeps at m~192
 * (bf16-masked-tiles.json, bf16-masked-widths.json: 64x256 on one warpgroup 1–12% behind 128x256
 * although its ragged last blocks waste fewer rows); 1.3 ranks every swept pair as measured, 1.25
 * does not.
 */
export const BF16_ONE_WARPGROUP_MATH_FACTOR = 1.3;
/** Split-K factors the planner tries beside 1, for kind 'bf16' on tiles without a cluster. */
export const BF16_SPLIT_K_CHOICES: readonly number[] = [2, 4];
/**
 * The largest split the planner offers. Split-K 4 (64x64 and 128x64 tiles) ran 1.8-2.2x slower than
 * the picks at the M = 128 decode shapes on the H100 (test/fixtures/h100/bf16-decode-128.json), as
 * 4-CTA clusters had with the FP8 kernel, whose hand-over this kernel runs; the model does not price
 * that, so split 4 is enumerated, priced and shown, and `--config split_k=4` builds it.
 */
export const BF16_PLANNER_MAX_SPLIT_K = 2;
/**
 * Predicted gain a split-K candidate must show over the fastest candidate without split-K before the
 * planner offers it. On the H100 the model's split-K gains ran 0–6 points above the measured ones
 * (test/fixtures/h100/bf16-split-k.json: predicted 9.3, 6.8, 22.7 and 22.2%, measured 9.3, 5.1, 17.5
 * and 16.3%), so a split offered 5% ahead has measured ahead.
 */
export const BF16_SPLIT_K_MIN_GAIN = 0.05;
/**
 * Whether a config's K-loop is priced with BF16_ONE_WARPGROUP_MATH_FACTOR: ping-pong tiles without a
 * cluster, and 64-row tiles outside the K-grouped kind, where 64x256 on one warpgroup ran level with
 * or ahead of 128x192 on two (FP32 C read and D written per tile;
 * test/fixtures/h100/bf16-kgrouped-tiles.json). A ping-pong pair (2-CTA cluster, one operand
 * multicast) is not: at 4096x7168x16384, where the epilogue it hides is under 1% of a tile, the
 * 128x176 pair ran 0.973x of cuBLASLt and the cooperative 128x176 0.940x (bf16-pingpong-pair-sweep.json,
 * bf16-tiles.json, each beside cuBLASLt in its own run), and the factor would rank it 25% behind.
 */
export function slowOneWarpgroupKLoop(
  c: Pick<GemmConfig, 'pingpong' | 'numMathWarpgroups' | 'clusterM' | 'clusterN'>,
  kind: string,
): boolean {
  if (c.pingpong) return c.clusterM * c.clusterN === 1;
  return c.numMathWarpgroups === 1 && kind !== 'bf16-kgrouped';
}
/**
 * Tiles of at least this many K-blocks break a tie at the L2 or HBM floor by their SMs' own time
 * (fewer, fuller waves first); shorter ones keep the enumeration order. Measured on the H100
 * (test/fixtures/h100/bf16-hbm-ties.json): at 64x7168x16384 and 64x24576x1536 (256 and 24 K-blocks)
 * the one full wave of 64x64 and 64x192 ran 12% and 6% ahead of 64x32's two and six waves; at
 * K = 512 (8 K-blocks) one wave of 64x256 or 128x256 ran 3–5% behind 64x64's and 64x128's four.
 * Kind 'bf16' only: bf16-masked at m~20 would trade its 64x32 picks for 64x112–64x256, unmeasured.
 */
export const BF16_TIE_BREAK_MIN_K_BLOCKS = 16;
/** The most stages the planner gives a tile: deeper rings buy nothing at 64-deep K-blocks. */
export const BF16_PLANNER_MAX_STAGES = 8;
/** Stages wanted to keep loads in flight: a 64-deep K-block is short, so small tiles want more. */
export const bf16MinUsefulStages = (blockM: number, blockN: number): number => (blockM * blockN < 128 * 128 ? 5 : 3);

export interface CostBf16 {
  cycles: number;
  us: number;
  bound: 'math' | 'sm-ingest' | 'operand-reads' | 'l2' | 'hbm';
  /** The SMs' own estimate (waves of K-loops, epilogues, hand-overs), whatever the bound. */
  smCycles: number;
}

/**
 * What the tiles cover: one GEMM's M; contiguous: ΣM (the experts back to back, one raster); masked:
 * the expected rows per group, in each of the groups (their B differs, so each is its own raster),
 * each group's rows spread around that (its M-blocks counted on average, as the FP8 model counts them);
 * K-grouped: M x N in each of the groups, each over the mean K per group (k is ΣK_g).
 */
export function bf16Work(
  problem: Pick<GemmProblem, 'kind' | 'm' | 'n' | 'k' | 'output' | 'numGroups' | 'expectedM'>,
): WorkShape {
  const outBytes = outputBytes(problem.output ?? defaultOutputBf16(problem.kind)) as 2 | 4;
  if (problem.kind === 'bf16-kgrouped') {
    const groups = Math.max(1, problem.numGroups ?? 1);
    return { m: problem.m, n: problem.n, k: problem.k / groups, groups, outBytes, kind: problem.kind };
  }
  if (problem.kind === 'bf16-masked')
    return {
      m: problem.expectedM ?? problem.m,
      n: problem.n,
      k: problem.k,
      groups: problem.numGroups ?? 1,
      outBytes,
      kind: problem.kind,
      raggedM: true,
    };
  return { m: problem.m, n: problem.n, k: problem.k, groups: 1, outBytes, kind: problem.kind };
}

/** The model's estimate for one legal config. */
export function predictCostBf16(
  c: GemmConfig,
  problem: Pick<GemmProblem, 'm' | 'n' | 'k' | 'output'> &
    Partial<Pick<GemmProblem, 'kind' | 'numGroups' | 'expectedM'>>,
  device: PolicyDevice,
): CostBf16 & { tiles: number; waves: number; lastWaveUtilisation: number } {
  const kind = problem.kind ?? 'bf16';
  const output: Bf16Output = problem.output ?? defaultOutputBf16(kind);
  const work = bf16Work({ kind, ...problem });
  const kGrouped = kind === 'bf16-kgrouped';
  const bGroups = kind === 'bf16-contiguous' || kind === 'bf16-masked' ? (problem.numGroups ?? 1) : 1;
  const clusterSize = c.clusterM * c.clusterN;
  // Split-K: each tile becomes `splitK` work units of ceil(K-blocks / splitK) on as many CTAs (one cluster).
  const splitK = splitKOf(c);
  const waves = waveInfo(
    { ...work, groups: work.groups * splitK },
    c.blockM,
    c.blockN,
    device.numSms,
    clusterSize * splitK,
  );
  const tiles = waves.tiles / splitK;
  // K-blocks per tile (K-grouped: of the mean group; every K_g is a multiple of 64), and per work unit.
  const tileKBlocks = Math.ceil(work.k / BF16_BLOCK_K);
  const kBlocks = Math.ceil(tileKBlocks / splitK);
  const math =
    ((2 * c.blockM * c.blockN * BF16_BLOCK_K) / BF16_TENSOR_FLOP_PER_CYCLE_PER_SM) *
    (slowOneWarpgroupKLoop(c, kind) ? BF16_ONE_WARPGROUP_MATH_FACTOR : 1);
  // Multicast lowers L2 reads, not what each SM receives: each CTA still lands both operands.
  const ingest = ((c.blockM + c.blockN) * BF16_BLOCK_K * 2) / MODEL.smIngestBytesPerCycle;
  // Cooperative tiles: every 64-row wave reads its A rows and all of B at the fitted rate. A ping-pong
  // tile's one warpgroup was not bound by that rate (its pairs ran ahead of cooperative tiles of the
  // same shape at long K; slowOneWarpgroupKLoop): it is priced at the stage's own bytes.
  const operandBytes = c.pingpong
    ? (c.blockM + c.blockN) * BF16_BLOCK_K * 2
    : (c.blockM / 64) * (64 + c.blockN) * BF16_BLOCK_K * 2;
  const operands = operandBytes / BF16_WGMMA_OPERAND_BYTES_PER_CYCLE;
  const perKBlock =
    Math.max(math, ingest, operands) +
    MODEL.kBlockSyncCycles +
    (clusterSize > 1 ? MODEL.clusterCouplingTwoWgCycles : 0);
  const epilogue =
    (c.blockM * c.blockN * outputBytes(output) * (output === 'fp32-accumulate' ? 2 : 1)) / MODEL.smIngestBytesPerCycle;
  const mainLoop = kBlocks * perKBlock;
  const exposed = epilogue + MODEL.tileOverheadCycles + splitKExchangeCycles(c);
  // Ragged groups (masked): the tile count is an average over groups whose rows vary, so how full the
  // last wave is cannot be told from the expected m; price the expected half wave instead.
  const rounds = work.raggedM ? Math.max(1, waves.tiles / waves.ctas + 0.5) : waves.waves;
  // Ping-pong: the tensor cores serve one warpgroup's K-loop while the other stores its tile, so a
  // tile costs its K-loop unless the epilogue is the longer half; the last tile's stays exposed.
  const smCycles = c.pingpong
    ? rounds * Math.max(mainLoop, (mainLoop + exposed) / 2) + exposed
    : rounds * (mainLoop + exposed);
  const shareA = c.clusterN > 1 ? 0.5 : 1;
  const shareB = c.clusterM > 1 ? 0.5 : 1;
  // Split-K moves the same operand bytes (each rank loads its share of a tile's K-blocks).
  const l2Bytes = tiles * tileKBlocks * BF16_BLOCK_K * 2 * (c.blockM * shareA + c.blockN * shareB);
  const l2Cycles = l2Bytes / MODEL.l2BytesPerCycle;
  const rows = work.m * work.groups;
  // K-grouped: A and B once over ΣK_g, and C read and D written in every group's plane.
  const dramBytes = kGrouped
    ? (problem.m + problem.n) * problem.k * 2 + rows * problem.n * 4 * 2
    : (rows + bGroups * problem.n) * problem.k * 2 +
      rows * problem.n * outputBytes(output) * (output === 'fp32-accumulate' ? 2 : 1);
  const dramCycles = dramBytes / MODEL.dramBytesPerCycle;
  const terms: Array<[CostBf16['bound'], number]> = [
    [math >= Math.max(ingest, operands) ? 'math' : ingest >= operands ? 'sm-ingest' : 'operand-reads', smCycles],
    ['l2', l2Cycles],
    ['hbm', dramCycles],
  ];
  terms.sort((a, b) => b[1] - a[1]);
  const cycles = Math.round(terms[0][1] + MODEL.tmaLatencyCycles);
  return {
    cycles,
    us: cycles / (MODEL.clockGHz * 1e3),
    bound: terms[0][0],
    smCycles: Math.round(smCycles),
    tiles,
    waves: waves.waves,
    lastWaveUtilisation: waves.lastWaveUtilisation,
  };
}

/** A config as the reasons name it: the tile, its cluster or ping-pong, and its split-K. */
function labelBf16(c: GemmConfig): string {
  return `${tileLabel(c)}${splitKOf(c) > 1 ? ` split-K ${splitKOf(c)}` : ''}`;
}

/**
 * Why the planner does not offer a legal split-K config for this problem (FP8's rules, counted in
 * this kernel's 64-deep K-blocks): too few K-blocks for the hand-over to pay, or more work units
 * than the grid runs at once (split-K is for filling idle SMs, not for adding waves).
 */
function splitKRejectionBf16(
  config: GemmConfig,
  problem: GemmProblem,
  tiles: number,
  device: PolicyDevice,
): Candidate['rejected'] | undefined {
  const splitK = splitKOf(config);
  if (splitK === 1) return undefined;
  const kBlocks = Math.ceil(problem.k / BF16_BLOCK_K);
  if (kBlocks < 4 * splitK)
    return {
      rule: 'split-k',
      reason: `K = ${problem.k} is ${kBlocks} K-blocks; splitting it ${splitK} ways saves less than the partial-sum hand-over costs`,
    };
  const ctas = device.numSms - (device.numSms % splitK);
  if (tiles * splitK > ctas)
    return {
      rule: 'split-k',
      reason: `${tiles} tiles x ${splitK} K shares need ${tiles * splitK} CTAs; the grid has ${ctas}, so split-K ${splitK} would add a wave`,
    };
  return undefined;
}

/**
 * The planner offers a priced split-K candidate only up to BF16_PLANNER_MAX_SPLIT_K and only
 * BF16_SPLIT_K_MIN_GAIN ahead of the fastest candidate without split-K; the others are rejected with
 * their prediction and the one they would replace in the reason.
 */
function keepClearSplitKWins(candidates: Candidate[]): void {
  const unsplit = candidates.filter((c) => c.predicted && splitKOf(c.config) === 1);
  if (unsplit.length === 0) return;
  const best = unsplit.reduce((a, b) => (b.predicted!.cycles < a.predicted!.cycles ? b : a));
  const bar = best.predicted!.cycles * (1 - BF16_SPLIT_K_MIN_GAIN);
  for (const c of candidates) {
    const splitK = splitKOf(c.config);
    if (!c.predicted || splitK === 1) continue;
    const clearWin = splitK <= BF16_PLANNER_MAX_SPLIT_K && c.predicted.cycles <= bar;
    if (clearWin) continue;
    const gain = (best.predicted!.cycles - c.predicted.cycles) / best.predicted!.cycles;
    const versus = `predicted ${c.predicted.us.toFixed(1)} µs, ${gain >= 0 ? `${(gain * 100).toFixed(1)}% faster than` : `${(-gain * 100).toFixed(1)}% slower than`} ${tileLabel(best.config)} without split-K (${best.predicted!.us.toFixed(1)} µs)`;
    const why =
      splitK > BF16_PLANNER_MAX_SPLIT_K
        ? `not offered: split-K ${splitK} ran 1.8-2.2x slower than the picks at the M = 128 decode shapes on the H100 (--config split_k=${splitK} builds it)`
        : `split-K is offered only ${Math.round(BF16_SPLIT_K_MIN_GAIN * 100)}% or more ahead: the model's split-K gains ran up to 6 points above the measured ones`;
    c.rejected = { rule: 'split-k', reason: `${versus}; ${why}` };
    delete c.predicted;
  }
}

interface TilingMode {
  clusterM: number;
  clusterN: number;
  splitK: number;
  pingpong: number;
}

/**
 * The tilings the planner lists: each cluster without split-K, split-K (kind 'bf16') without a
 * cluster, and the ping-pong schedule in each cluster (pingpongNotOffered says which it offers).
 */
function tilingModes(problem: GemmProblem): TilingMode[] {
  const modes = BF16_CLUSTER_CHOICES.map(([clusterM, clusterN]) => ({ clusterM, clusterN, splitK: 1, pingpong: 0 }));
  if (problem.kind === 'bf16')
    for (const splitK of BF16_SPLIT_K_CHOICES) modes.push({ clusterM: 1, clusterN: 1, splitK, pingpong: 0 });
  for (const [clusterM, clusterN] of BF16_CLUSTER_CHOICES) modes.push({ clusterM, clusterN, splitK: 1, pingpong: 1 });
  return modes;
}

/**
 * Why the planner lists a ping-pong tile without offering it, or undefined where it offers it: pairs
 * (a 2-CTA cluster) of the normal GEMM with bf16 D. Alone, timed beside the cooperative picks on the
 * H100 (the one GEMM at M = 4096, K 512–2048; test/fixtures/h100/bf16-pingpong.json,
 * bf16-pingpong-ring.json, bf16-pingpong-clusters.json), ping-pong ran 2–35% slower on every shape;
 * the pairs (bf16-pingpong-pairs.json, bf16-pingpong-pair-sweep.json) ran ahead of the picks at
 * K = 512 and 1536 and level at 2048 and 4096x2112x7168, and were timed on the normal GEMM with bf16
 * D only.
 */
function pingpongNotOffered(
  config: GemmConfig,
  kind: GemmProblem['kind'],
  output: Bf16Output,
): Candidate['rejected'] | undefined {
  const pair = config.clusterM * config.clusterN > 1;
  if (pair && kind === 'bf16' && output === 'bf16') return undefined;
  const force = [
    `block_m=${config.blockM},block_n=${config.blockN},pingpong=1`,
    ...(config.dSlabs ? [`d_slabs=${config.dSlabs}`] : []),
    ...(config.clusterM > 1 ? [`cluster_m=${config.clusterM}`] : []),
    ...(config.clusterN > 1 ? [`cluster_n=${config.clusterN}`] : []),
  ].join(',');
  const why = pair
    ? `ping-pong pairs were timed on the normal GEMM with bf16 D only, not on ${kind === 'bf16' ? `${output} D` : kind}`
    : 'without a cluster, ping-pong ran 2–35% slower than the cooperative picks on the H100 at M = 4096 (K 512–2048); in a 2-CTA cluster it is offered';
  return { rule: 'pingpong', reason: `not offered: ${why}; --config ${force} builds it` };
}

/** A ping-pong tile's D staging: a slab ring per warpgroup where the ring is legal and buys stages. */
function pingpongSlabs(
  blockM: number,
  blockN: number,
  output: Bf16Output,
  capacity: number,
  kind: GemmProblem['kind'],
): number {
  const whole = { blockM, blockN, pingpong: 1, splitK: 1 };
  const ring = completeConfigBf16({ ...whole, numSms: 1, dSlabs: 2 }, output, capacity);
  if (ruleDSlabsBf16(kind, ring, output) !== null) return 0;
  const stages = (c: Parameters<typeof maxStagesThatFitBf16>[0]) =>
    maxStagesThatFitBf16(c, output, capacity, BF16_PLANNER_MAX_STAGES);
  return stages(ring) > stages(whole) ? 2 : 0;
}

/** Every candidate for the problem: legal ones with their prediction, the rest with why not. */
export function enumerateCandidatesBf16(problem: GemmProblem, device: PolicyDevice): Candidate[] {
  const output: Bf16Output = problem.output ?? defaultOutputBf16(problem.kind);
  const out: Candidate[] = [];
  for (const { clusterM, clusterN, splitK, pingpong } of tilingModes(problem)) {
    // The grid is whole clusters of the launch (split-K: of splitK CTAs).
    const numSms = device.numSms - (device.numSms % (clusterM * clusterN * splitK));
    // A ping-pong tile is one warpgroup's: 64 or 128 rows.
    for (const blockM of BF16_BLOCK_M_CHOICES.filter((m) => !pingpong || m <= 128)) {
      for (const blockN of BF16_BLOCK_N_CHOICES) {
        const dSlabs = pingpong ? pingpongSlabs(blockM, blockN, output, device.sharedMemoryBytes, problem.kind) : 0;
        const schedule = pingpong ? { pingpong, ...(dSlabs ? { dSlabs } : {}) } : {};
        const fit = maxStagesThatFitBf16({ blockM, blockN, splitK, ...schedule }, output, device.sharedMemoryBytes);
        const config = completeConfigBf16(
          {
            blockM,
            blockN,
            numSms,
            clusterM,
            clusterN,
            splitK,
            ...schedule,
            numStages: Math.max(2, Math.min(BF16_PLANNER_MAX_STAGES, fit)),
          },
          output,
          device.sharedMemoryBytes,
        );
        const clusterSize = clusterM * clusterN;
        const work = bf16Work(problem);
        const w = waveInfo({ ...work, groups: work.groups * splitK }, blockM, blockN, numSms, clusterSize * splitK);
        const tiles = w.tiles / splitK;
        const base = { config, tiles, waves: w.waves, lastWaveUtilisation: w.lastWaveUtilisation };
        const violations = configViolationsBf16(config, problem, {
          capacity: device.sharedMemoryBytes,
          checkSharedBytesField: true,
        });
        if (violations.length > 0) {
          out.push({ ...base, rejected: violations[0] });
          continue;
        }
        const want = bf16MinUsefulStages(blockM, blockN);
        if (fit < want) {
          out.push({
            ...base,
            rejected: {
              rule: 'stages',
              reason: `only ${fit} stages fit; at least ${want} are needed to keep loads in flight for a ${blockM}x${blockN} tile`,
            },
          });
          continue;
        }
        if (clusterSize > 1) {
          const blocks = clusterM > 1 ? Math.ceil(bf16Work(problem).m / blockM) : Math.ceil(problem.n / blockN);
          if (blocks < 2) {
            out.push({
              ...base,
              rejected: {
                rule: 'multicast',
                reason: `only one ${clusterM > 1 ? 'M' : 'N'}-block: the cluster pair would have no ${clusterM > 1 ? 'B' : 'A'} block to share`,
              },
            });
            continue;
          }
          if (w.waves <= 1) {
            out.push({
              ...base,
              rejected: {
                rule: 'multicast',
                reason: `${w.tiles} tiles fit in one wave: multicast saves L2 reads that are not the limit, and the pair runs in lock step`,
              },
            });
            continue;
          }
        }
        const splitRejection = splitKRejectionBf16(config, problem, tiles, device);
        if (splitRejection) {
          out.push({ ...base, rejected: splitRejection });
          continue;
        }
        const notOffered = pingpong ? pingpongNotOffered(config, problem.kind, output) : undefined;
        if (notOffered) {
          out.push({ ...base, rejected: notOffered });
          continue;
        }
        const cost = predictCostBf16(config, problem, device);
        out.push({ ...base, predicted: { cycles: cost.cycles, us: cost.us } });
      }
    }
  }
  keepClearSplitKWins(out);
  return out;
}

/** The chosen config with its reason and every candidate (throws a coded Error when none is legal). */
export function chooseConfigBf16(problem: GemmProblem, device: PolicyDevice): ConfigReport {
  const bad = ruleProblemBf16(problem, problem.output ?? defaultOutputBf16(problem.kind));
  if (bad) throw Object.assign(new Error(`[${bad.rule}] ${bad.reason}`), { code: 'E_SHAPE_ALIGNMENT' });
  const candidates = enumerateCandidatesBf16(problem, device);
  // Candidates that tie at the L2 or HBM floor are told apart by their SMs' own time where tiles have
  // long K-loops (BF16_TIE_BREAK_MIN_K_BLOCKS): a grid whose SMs finish later (more or emptier waves)
  // streams at the floor's rate for less of the kernel. Measured on the normal GEMM only: the grouped
  // kinds keep the enumeration order until a sweep of theirs says otherwise.
  const longK = problem.kind === 'bf16' && Math.ceil(bf16Work(problem).k / BF16_BLOCK_K) >= BF16_TIE_BREAK_MIN_K_BLOCKS;
  const legal = candidates
    .map((c, index) => ({ c, index, smCycles: 0 }))
    .filter(({ c }) => c.predicted)
    .sort((a, b) => a.c.predicted!.cycles - b.c.predicted!.cycles || a.index - b.index);
  if (legal.length === 0) {
    throw Object.assign(new Error(`no legal BF16 config for ${problem.kind} ${problem.m}x${problem.n}x${problem.k}`), {
      code: 'E_INVALID_CONFIG',
    });
  }
  // Only the candidates tied with the fastest are told apart, so only theirs is priced again.
  const tied = legal.filter(({ c }) => c.predicted!.cycles === legal[0].c.predicted!.cycles);
  if (longK && tied.length > 1) {
    for (const t of tied) t.smCycles = predictCostBf16(t.c.config, problem, device).smCycles;
    tied.sort((a, b) => a.smCycles - b.smCycles || a.index - b.index);
    legal.splice(0, tied.length, ...tied);
  }
  const best = legal[0].c;
  const next = legal[1]?.c;
  const nextFinishesLater = legal.length > 1 && legal[1].smCycles > legal[0].smCycles;
  const cost = predictCostBf16(best.config, problem, device);
  const pct = Math.round(best.lastWaveUtilisation * 100);
  const shares = splitKOf(best.config) > 1 ? `, each tile's K split across ${splitKOf(best.config)} CTAs` : '';
  let why = `${labelBf16(best.config)} with ${best.config.numStages} stages: ${best.tiles} tiles in ${best.waves} wave${best.waves === 1 ? '' : 's'} on ${device.numSms} SMs${shares} (last wave ${pct}% full); predicted ${cost.us.toFixed(cost.us >= 100 ? 0 : 1)} µs, bound by ${cost.bound}`;
  if (next) {
    const gain = (next.predicted!.cycles - best.predicted!.cycles) / best.predicted!.cycles;
    why +=
      gain > 0.0005
        ? `; the next best, ${labelBf16(next.config)}, is predicted ${(gain * 100).toFixed(1)}% slower`
        : nextFinishesLater
          ? `; ties with ${labelBf16(next.config)} at the ${cost.bound} floor, whose SMs would finish their tiles later`
          : `; ties with ${labelBf16(next.config)} (kept the one enumerated first)`;
  }
  return { problem, chosen: best.config, why: `${why}.`, candidates };
}
