// The BF16 GEMM kernel's legality rules, shared-memory layout and launch shape (kind 'bf16'),
// mirrored one by one from kernels/include/fp8lab/impls/sm90_bf16_gemm.cuh (its static_asserts and
// SMEM_* constants), as kernelRules.ts mirrors the FP8 1D2D kernel. The tile, warpgroup, cluster and
// thread rules are the FP8 kernels' own; what differs is BLOCK_K (64 bf16 = one 128-byte swizzle
// row), the register budget (no promotion buffer: the accumulators are the only big array), the
// output element (bf16 or fp32) and the problem's alignment (K % 8: A and B rows are 16-byte TMA
// strides; K need not be a multiple of BLOCK_K, the TMA zero-fills the last K-block). The grouped
// kinds add their own: bf16 D for the M-grouped ones; for the K-grouped one fp32-accumulate D, no
// clusters, and whole 64-deep K-blocks per group (ΣK % 64 here, each K_g in grouped/validate.ts).
// Its own too: the ping-pong schedule (pingpong = 1: 2 math warpgroups, each on whole 64- or
// 128-row tiles of its own, each with its own D staging tile), and split-K for kind 'bf16' only
// (splitK 2 or 4 CTAs of a cluster share a tile's K; cooperative, no multicast; rank 0's shared
// memory holds an fp32 BLOCK_M x BLOCK_N exchange slot per other rank), and the D slab ring (dSlabs
// 2 or 3, kind 'bf16', cooperative: D staged one TMA store box at a time through that many box-sized
// buffers instead of a whole-tile buffer, which frees shared memory for stages).
// Pure: no vscode, no addon.

import type { Bf16Output, GemmConfig, GemmProblem, KernelKind } from '../../../protocol/worker';
import {
  H100_SHARED_MEMORY_BYTES,
  mathWarpgroupsFor,
  MAX_STAGES,
  registerSplit,
  ruleBlockM,
  ruleBlockN,
  ruleCluster,
  ruleMathWarpgroups,
  ruleNumSms,
  ruleStages,
  ruleSwizzleAB,
  ruleThreads,
  ruleWaves,
  splitKOf,
  SWIZZLE_D_VALUES,
  threadCount,
  type RuleViolation,
} from '../kernelRules';

type C = GemmConfig;
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const fail = (rule: string, reason: string): RuleViolation => ({ rule, reason });

/** BLOCK_K of the BF16 kernel: 64 bf16 elements, one 128-byte swizzle row (the FP8 kernels' is 128 fp8). */
export const BF16_BLOCK_K = 64;
/** Accumulator registers per math thread the kernel allows (waves x BLOCK_N/2): 64x256, 128x256, 256x128. */
export const BF16_MAX_ACCUMULATOR_REGISTERS = 128;
/**
 * The same for a ping-pong warpgroup, which holds a whole 128-row tile in two waves: up to 128x176
 * (ptxas compiles it without spills in the math warpgroups' 232 registers).
 */
export const BF16_MAX_PINGPONG_ACCUMULATOR_REGISTERS = 176;

/** The accumulator limit of a config's schedule. */
export function maxAccumulatorRegistersBf16(c: Pick<GemmConfig, 'pingpong'>): number {
  return c.pingpong ? BF16_MAX_PINGPONG_ACCUMULATOR_REGISTERS : BF16_MAX_ACCUMULATOR_REGISTERS;
}
/** K alignment: A and B rows are TMA global strides, which must be multiples of 16 bytes. */
export const BF16_K_ALIGNMENT = 8;
export const BF16_OUTPUTS: readonly Bf16Output[] = ['bf16', 'fp32', 'fp32-accumulate'];

/** The BF16 kernel's kinds: one GEMM, the M-grouped MoE forms (bf16 D), the K-grouped weight gradient (fp32 D += A·Bᵀ). */
export const BF16_KINDS: readonly KernelKind[] = ['bf16', 'bf16-contiguous', 'bf16-masked', 'bf16-kgrouped'];
/** K-grouped: every K_g a multiple of BLOCK_K, so no 64-deep K-block spans two groups (0 = an empty group). */
export const BF16_KGROUPED_K_ALIGNMENT = 64;

export function isBf16Kind(kind: KernelKind): boolean {
  return BF16_KINDS.includes(kind);
}

/** The kernel's GemmType of a BF16 kind. */
export function bf16GemmType(kind: KernelKind): 'Normal' | 'MGroupedContiguous' | 'MGroupedMasked' | 'KGrouped' {
  return kind === 'bf16-contiguous'
    ? 'MGroupedContiguous'
    : kind === 'bf16-masked'
      ? 'MGroupedMasked'
      : kind === 'bf16-kgrouped'
        ? 'KGrouped'
        : 'Normal';
}

/** The FP8 kind whose group layout (and draws) a grouped BF16 kind shares: contiguous, masked or kgrouped. */
export function layoutKindOf<K extends string>(kind: K): K | 'contiguous' | 'masked' | 'kgrouped' {
  return kind === 'bf16-contiguous'
    ? 'contiguous'
    : kind === 'bf16-masked'
      ? 'masked'
      : kind === 'bf16-kgrouped'
        ? 'kgrouped'
        : kind;
}

/** A kind's output when none is named: the K-grouped GEMM accumulates into fp32 D, the others write bf16. */
export function defaultOutputBf16(kind: KernelKind): Bf16Output {
  return kind === 'bf16-kgrouped' ? 'fp32-accumulate' : 'bf16';
}

/** Bytes of one D element. */
export const outputBytes = (output: Bf16Output = 'bf16'): number => (output === 'bf16' ? 2 : 4);
/** The kernel's Bf16Output enumerator for an output. */
export const outputEnumerator = (output: Bf16Output = 'bf16'): string =>
  (({ bf16: 'Bf16', fp32: 'Fp32', 'fp32-accumulate': 'Fp32Accumulate' }) as const)[output];

/** Ping-pong's 2 math warpgroups (each computes whole tiles; the cooperative count follows BLOCK_M). */
export const PINGPONG_MATH_WARPGROUPS = 2;

/** Math warpgroups that share one tile: all of them cooperatively, one with ping-pong. */
export function warpgroupsPerTileBf16(c: Pick<GemmConfig, 'numMathWarpgroups' | 'pingpong'>): number {
  return c.pingpong ? 1 : c.numMathWarpgroups;
}

/** D staging tiles in shared memory: one per math warpgroup with ping-pong, else one. */
export function dTilesBf16(c: Pick<GemmConfig, 'pingpong'>): number {
  return c.pingpong ? PINGPONG_MATH_WARPGROUPS : 1;
}

/** Slab buffers of the D slab ring the kernel takes (0: the whole tile is staged at once). */
export const BF16_D_SLAB_VALUES: readonly number[] = [0, 2, 3];

/**
 * Bytes of D staging, one per math warpgroup with ping-pong: the slab ring's dSlabs store boxes
 * (BLOCK_M x TMA_D_BLOCK_N each) or the whole tile, 1024-aligned.
 */
export function dStagingBytesBf16(
  c: Pick<GemmConfig, 'blockM' | 'blockN' | 'swizzleD' | 'pingpong' | 'dSlabs'>,
  output: Bf16Output = 'bf16',
): number {
  const slab = c.blockM * tmaStoreBlockNBf16(c, output) * outputBytes(output);
  return dTilesBf16(c) * alignUp(c.dSlabs ? c.dSlabs * slab : c.blockM * c.blockN * outputBytes(output), 1024);
}

/** 64-row waves each math warpgroup computes per tile (BLOCK_M / (64 · warpgroups per tile)). */
export function wavesBf16(c: Pick<GemmConfig, 'blockM' | 'numMathWarpgroups' | 'pingpong'>): number {
  return c.blockM / (64 * warpgroupsPerTileBf16(c));
}

/** Accumulator registers per math thread (TMA-fed wgmma accumulators only): waves x BLOCK_N/2. */
export function accumulatorRegistersBf16(
  c: Pick<GemmConfig, 'blockM' | 'blockN' | 'numMathWarpgroups' | 'pingpong'>,
): number {
  return wavesBf16(c) * (c.blockN / 2);
}

/** Columns of D per TMA store (the D map's inner box): one swizzle row of D elements, or BLOCK_N unswizzled. */
export function tmaStoreBlockNBf16(c: Pick<GemmConfig, 'blockN' | 'swizzleD'>, output: Bf16Output = 'bf16'): number {
  return c.swizzleD === 0 ? c.blockN : c.swizzleD / outputBytes(output);
}

/** Largest D swizzle (128, 64, 32 bytes) dividing a BLOCK_N row of D. */
export function defaultSwizzleDBf16(blockN: number, output: Bf16Output = 'bf16'): number {
  for (const s of [128, 64, 32]) if ((blockN * outputBytes(output)) % s === 0 && s / outputBytes(output) >= 8) return s;
  return 0;
}

/** Tensor maps: {inner, outer} boxes in elements and swizzles in bytes (A, B bf16; D bf16 or fp32). */
export function tensorMapBoxesBf16(
  c: Pick<GemmConfig, 'blockM' | 'blockN' | 'swizzleA' | 'swizzleB' | 'swizzleD'>,
  output: Bf16Output = 'bf16',
) {
  return {
    a: { inner: BF16_BLOCK_K, outer: c.blockM, swizzle: c.swizzleA },
    b: { inner: BF16_BLOCK_K, outer: c.blockN, swizzle: c.swizzleB },
    d: { inner: tmaStoreBlockNBf16(c, output), outer: c.blockM, swizzle: c.swizzleD },
  };
}

export interface SharedMemoryLayoutBf16 {
  dBytes: number;
  aStageBytes: number;
  bStageBytes: number;
  aOffset: number;
  bOffset: number;
  barrierOffset: number;
  /** full[stages] then empty[stages] mbarriers, 8 bytes each (+ 2 exchange barriers with split-K). */
  barrierBytes: number;
  /** Split-K exchange buffer (16-aligned after the barriers; 0 bytes without split-K). */
  exchangeOffset: number;
  /** (splitK - 1) fp32 BLOCK_M x BLOCK_N slots: ranks 1..'s partial sums, in rank 0's shared memory. */
  exchangeBytes: number;
  /** Dynamic shared memory to launch with (the same for every M, N, K). */
  totalBytes: number;
  tmaBytesPerStage: number;
}

type LayoutConfigBf16 = Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages' | 'pingpong' | 'splitK'> &
  Partial<Pick<GemmConfig, 'swizzleD' | 'dSlabs'>>;

/**
 * The kernel's SMEM_* constants: D staging tile(s) or slab ring, A and B stages (1024-aligned each),
 * the barriers, and with split-K two more barriers and the exchange buffer. (swizzleD matters only
 * with the slab ring: it sets the store box.)
 */
export function sharedMemoryLayoutBf16(c: LayoutConfigBf16, output: Bf16Output = 'bf16'): SharedMemoryLayoutBf16 {
  const dBytes = dStagingBytesBf16({ ...c, swizzleD: c.swizzleD ?? defaultSwizzleDBf16(c.blockN, output) }, output);
  const aStageBytes = c.blockM * BF16_BLOCK_K * 2;
  const bStageBytes = c.blockN * BF16_BLOCK_K * 2;
  const aOffset = dBytes;
  const bOffset = aOffset + c.numStages * aStageBytes;
  const barrierOffset = bOffset + c.numStages * bStageBytes;
  const splitK = splitKOf(c);
  const barrierBytes = (2 * c.numStages + (splitK > 1 ? 2 : 0)) * 8;
  const exchangeOffset = splitK > 1 ? alignUp(barrierOffset + barrierBytes, 16) : barrierOffset + barrierBytes;
  const exchangeBytes = (splitK - 1) * c.blockM * c.blockN * 4;
  return {
    dBytes,
    aStageBytes,
    bStageBytes,
    aOffset,
    bOffset,
    barrierOffset,
    barrierBytes,
    exchangeOffset,
    exchangeBytes,
    totalBytes: exchangeOffset + exchangeBytes,
    tmaBytesPerStage: aStageBytes + bStageBytes,
  };
}

export function sharedMemoryBytesBf16(c: LayoutConfigBf16, output: Bf16Output = 'bf16'): number {
  return sharedMemoryLayoutBf16(c, output).totalBytes;
}

/** Most stages that fit in `capacity` (capped at `cap`), or 0 when not even one does. */
export function maxStagesThatFitBf16(
  c: Pick<GemmConfig, 'blockM' | 'blockN' | 'pingpong' | 'splitK'> & Partial<Pick<GemmConfig, 'swizzleD' | 'dSlabs'>>,
  output: Bf16Output = 'bf16',
  capacity = H100_SHARED_MEMORY_BYTES,
  cap = MAX_STAGES,
): number {
  let best = 0;
  for (let s = 1; s <= cap; s++) {
    if (sharedMemoryBytesBf16({ ...c, numStages: s }, output) <= capacity) best = s;
    else break;
  }
  return best;
}

// ---- rules, in the order of the kernel's static_asserts -----------------------------------------

export function ruleGemmTypeBf16(kind: KernelKind): RuleViolation | null {
  return isBf16Kind(kind)
    ? null
    : fail('gemm-type', `the BF16 kernel serves kinds ${BF16_KINDS.join(', ')}; '${kind}' is an FP8 kind`);
}

/** M-grouped BF16 kinds write bf16 D (the kernel's rule grouped-output). */
export function ruleGroupedOutputBf16(kind: KernelKind, output: Bf16Output = 'bf16'): RuleViolation | null {
  return kind === 'bf16' || kind === 'bf16-kgrouped' || output === 'bf16'
    ? null
    : fail('grouped-output', `the M-grouped BF16 GEMMs write bf16 D; '${output}' is for kind 'bf16' only`);
}

/** K-grouped: D_g = C_g + A_g·B_gᵀ in fp32 (the kernel's rule kgrouped-output). */
export function ruleKGroupedOutputBf16(
  kind: KernelKind,
  output: Bf16Output = defaultOutputBf16(kind),
): RuleViolation | null {
  return kind !== 'bf16-kgrouped' || output === 'fp32-accumulate'
    ? null
    : fail(
        'kgrouped-output',
        `the K-grouped BF16 GEMM writes fp32 D = C + A·Bᵀ (output 'fp32-accumulate', the default); got '${output}'`,
      );
}

/** K-grouped: no clusters, its scheduler has no multicast pairs (the kernel's rule kgrouped-cluster). */
export function ruleKGroupedClusterBf16(kind: KernelKind, c: C): RuleViolation | null {
  return kind !== 'bf16-kgrouped' || (c.clusterM === 1 && c.clusterN === 1)
    ? null
    : fail(
        'kgrouped-cluster',
        `the K-grouped BF16 GEMM runs without clusters (its groups' tiles have no multicast partner); use clusterM = clusterN = 1, got ${c.clusterM}x${c.clusterN}`,
      );
}

/** Contiguous: a tile never holds two experts, so BLOCK_M divides the 128-row alignment (64 or 128). */
export function ruleContiguousBlockMBf16(kind: KernelKind, c: C): RuleViolation | null {
  return kind !== 'bf16-contiguous' || 128 % c.blockM === 0
    ? null
    : fail(
        'contiguous-block-m',
        `contiguous layouts pad every expert to 128 rows, so blockM must divide 128 (64 or 128); got ${c.blockM}`,
      );
}

export function ruleBlockKBf16(c: C): RuleViolation | null {
  return c.blockK === BF16_BLOCK_K
    ? null
    : fail('block-k', `blockK must be ${BF16_BLOCK_K} for BF16 (64 bf16 = one 128-byte swizzle row); got ${c.blockK}`);
}

/** pingpong is 0 or 1; with 1, 2 math warpgroups on whole tiles of 64 or 128 rows. */
export function rulePingpongBf16(c: C): RuleViolation | null {
  const p = c.pingpong ?? 0;
  if (p !== 0 && p !== 1) return fail('pingpong', `pingpong must be 0 (cooperative) or 1 (ping-pong); got ${p}`);
  if (p === 1 && c.numMathWarpgroups !== PINGPONG_MATH_WARPGROUPS)
    return fail(
      'pingpong',
      `ping-pong runs ${PINGPONG_MATH_WARPGROUPS} math warpgroups taking alternate tiles; got ${c.numMathWarpgroups}`,
    );
  if (p === 1 && c.blockM !== 64 && c.blockM !== 128)
    return fail(
      'pingpong',
      `a ping-pong tile is one math warpgroup's (1 or 2 waves of 64 rows): blockM must be 64 or 128; got ${c.blockM}`,
    );
  return null;
}

/** Cooperative: the FP8 kernels' warpgroup count for BLOCK_M; ping-pong: its own rule. */
export function ruleMathWarpgroupsBf16(c: C): RuleViolation | null {
  return c.pingpong ? null : ruleMathWarpgroups(c);
}

export function ruleWavesBf16(c: C): RuleViolation | null {
  return ruleWaves(c, wavesBf16);
}

export function ruleRegistersBf16(c: C): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN(c) || ruleMathWarpgroupsBf16(c) || ruleWavesBf16(c)) return null;
  const regs = accumulatorRegistersBf16(c);
  const limit = maxAccumulatorRegistersBf16(c);
  if (regs <= limit) return null;
  const maxN = Math.floor((2 * limit) / wavesBf16(c) / 16) * 16;
  return fail(
    'registers',
    `blockM ${c.blockM} x blockN ${c.blockN}${c.pingpong ? ' ping-pong' : ''} needs ${regs} accumulator registers per math thread (limit ${limit} of ${registerSplit(c.numMathWarpgroups).math}); use blockN ≤ ${maxN} at blockM ${c.blockM}`,
  );
}

/**
 * Accumulator registers a split-K tile may hold per math thread: the exchange of partial sums needs
 * registers beside them, and ptxas spills from 120 (64x240 and 64x256 split 2; 64x224 compiles clean).
 */
export const BF16_MAX_SPLIT_K_ACCUMULATOR_REGISTERS = 112;

/** The split-K factors the kernel takes: 1 (none), 2 or 4 CTAs of a cluster per tile. */
export const BF16_SPLIT_K_VALUES: readonly number[] = [1, 2, 4];

/** splitK is 1, 2 or 4; above 1 the cluster is the K ranks (no multicast) and tiles are cooperative. */
export function ruleSplitKBf16(c: C): RuleViolation | null {
  const splitK = splitKOf(c);
  if (!BF16_SPLIT_K_VALUES.includes(splitK))
    return fail(
      'split-k',
      `splitK must be 1, 2 or 4 (the CTAs of a cluster that share a tile's K); got ${splitK}, use ${splitK === 3 ? '2 or 4' : splitK > 4 ? '4' : '1'}`,
    );
  if (splitK > 1 && c.clusterM * c.clusterN !== 1)
    return fail(
      'split-k',
      `split-K takes the cluster for its K ranks, so it cannot also multicast: use clusterM = clusterN = 1 with split_k=${splitK}, or cluster ${c.clusterM}x${c.clusterN} with split_k=1`,
    );
  if (
    splitK > 1 &&
    !ruleBlockM(c) &&
    !ruleBlockN(c) &&
    !ruleWavesBf16(c) &&
    accumulatorRegistersBf16(c) > BF16_MAX_SPLIT_K_ACCUMULATOR_REGISTERS
  ) {
    const maxN = Math.floor((2 * BF16_MAX_SPLIT_K_ACCUMULATOR_REGISTERS) / wavesBf16(c) / 16) * 16;
    return fail(
      'split-k',
      `a split tile keeps at most ${BF16_MAX_SPLIT_K_ACCUMULATOR_REGISTERS} accumulator registers per math thread beside the partial-sum exchange (blockM ${c.blockM} x blockN ${c.blockN} needs ${accumulatorRegistersBf16(c)}; ptxas spills from 120): use blockN ≤ ${maxN} with split_k=${splitK}, or split_k=1`,
    );
  }
  if (splitK > 1 && c.pingpong)
    return fail(
      'split-k',
      `split-K runs cooperative tiles (rank 0's math warpgroups add the other ranks' partial sums): use pingpong=0 with split_k=${splitK}, or ping-pong with split_k=1`,
    );
  return null;
}

/** Split-K is the one GEMM's (kind 'bf16'): the grouped kinds' tiles take their whole K in one CTA. */
export function ruleSplitKKindBf16(kind: KernelKind, c: C): RuleViolation | null {
  return kind === 'bf16' || splitKOf(c) === 1
    ? null
    : fail(
        'split-k',
        `split-K is implemented for kind 'bf16' (one GEMM), not for '${kind}': use split_k=1 (or kind 'bf16' with split_k=${splitKOf(c)})`,
      );
}

/**
 * dSlabs is 0, 2 or 3; the ring is for kind 'bf16' (with ping-pong, one ring per math warpgroup), a
 * swizzled D whose store boxes (an even number of n8 chunks each) are more than the ring holds.
 */
export function ruleDSlabsBf16(kind: KernelKind, c: C, output: Bf16Output = 'bf16'): RuleViolation | null {
  const slabs = c.dSlabs ?? 0;
  if (slabs === 0) return null;
  if (!BF16_D_SLAB_VALUES.includes(slabs))
    return fail('d-slabs', `dSlabs must be 0 (whole-tile D staging), 2 or 3 (a ring of store boxes); got ${slabs}`);
  if (kind !== 'bf16')
    return fail('d-slabs', `the D slab ring runs kind 'bf16' (one GEMM); use d_slabs=0 for '${kind}'`);
  const boxN = tmaStoreBlockNBf16(c, output);
  if (c.swizzleD === 0 || (boxN / 8) % 2 !== 0)
    return fail(
      'd-slabs',
      `the slab ring stages swizzled store boxes of an even number of 8-column chunks; swizzleD ${c.swizzleD} gives boxes of ${boxN} columns: use swizzle_d=${defaultSwizzleDBf16(c.blockN, output) || 128} or d_slabs=0`,
    );
  const boxes = c.blockN / boxN;
  if (slabs >= boxes)
    return fail(
      'd-slabs',
      `a blockN ${c.blockN} tile is ${boxes} store boxes of ${boxN} columns, no more than the ring's ${slabs}: the whole tile is staged anyway, use d_slabs=0`,
    );
  return null;
}

export function ruleSwizzleDBf16(c: C, output: Bf16Output = 'bf16'): RuleViolation | null {
  if (!SWIZZLE_D_VALUES.includes(c.swizzleD))
    return fail('swizzle-d', `swizzleD must be 0, 32, 64 or 128 bytes; got ${c.swizzleD}`);
  const bytes = outputBytes(output);
  if (c.swizzleD !== 0 && ((c.blockN * bytes) % c.swizzleD !== 0 || c.swizzleD / bytes < 8)) {
    return fail(
      'swizzle-d',
      `a blockN ${c.blockN} row of ${output === 'bf16' ? 'bf16' : 'fp32'} D is ${c.blockN * bytes} bytes, which swizzleD ${c.swizzleD} does not divide into rows of at least 8 columns; use ${defaultSwizzleDBf16(c.blockN, output)}`,
    );
  }
  return null;
}

export function ruleSharedMemoryBf16(
  c: C,
  output: Bf16Output = 'bf16',
  capacity = H100_SHARED_MEMORY_BYTES,
): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytesBf16(c, output);
  if (need <= capacity) return null;
  const fit = maxStagesThatFitBf16(c, output, capacity);
  const l = sharedMemoryLayoutBf16(c, output);
  const perWarpgroup = dTilesBf16(c) > 1 ? `${dTilesBf16(c)} x ` : '';
  const staging = c.dSlabs
    ? `D slab ring${perWarpgroup ? 's' : ''} ${perWarpgroup}${c.dSlabs} x ${c.blockM * tmaStoreBlockNBf16(c, output) * outputBytes(output)} B`
    : `D tile${perWarpgroup ? 's' : ''} ${perWarpgroup}${alignUp(c.blockM * c.blockN * outputBytes(output), 1024)} B`;
  const exchange = l.exchangeBytes > 0 ? `, split-K exchange ${splitKOf(c) - 1} x ${c.blockM * c.blockN * 4} B` : '';
  // The kernel needs 2 stages at least: below that the exchange (or the tile) is what must shrink.
  const advice =
    fit >= 2
      ? `; at most ${fit} stages fit`
      : l.exchangeBytes > 0
        ? `; the exchange leaves no room for 2 stages: ${smallerSplitOrTileBf16(c, output, capacity)}`
        : '; use a smaller tile';
  return fail(
    'smem',
    `needs ${need} bytes (${(need / 1024).toFixed(1)} KB) of shared memory at ${c.numStages} stages (${staging}${exchange}); the device has ${capacity}${advice}`,
  );
}

/** What fits instead of a split-K tile whose exchange leaves no room for 2 stages: a smaller split or a narrower tile. */
function smallerSplitOrTileBf16(c: C, output: Bf16Output, capacity: number): string {
  const splitK = splitKOf(c);
  const options: string[] = [];
  const smaller = BF16_SPLIT_K_VALUES.filter((s) => s < splitK).reverse();
  for (const s of smaller) {
    const stages = maxStagesThatFitBf16({ ...c, splitK: s }, output, capacity);
    if (stages >= 2) {
      options.push(`split_k=${s} (${stages} stages fit)`);
      break;
    }
  }
  for (let blockN = c.blockN - 16; blockN >= 16; blockN -= 16) {
    if (maxStagesThatFitBf16({ ...c, blockN }, output, capacity) >= 2) {
      options.push(`blockN ≤ ${blockN} at split_k=${splitK}`);
      break;
    }
  }
  return options.length > 0 ? `use ${options.join(' or ')}` : 'use a smaller tile';
}

export function ruleSharedBytesFieldBf16(c: C, output: Bf16Output = 'bf16'): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytesBf16(c, output);
  return c.sharedBytes === need
    ? null
    : fail('shared-bytes', `config.sharedBytes is ${c.sharedBytes} but the BF16 kernel lays out ${need} bytes`);
}

/**
 * Problem rules: M ≥ 1; K a positive multiple of 8 (16-byte rows of A and B for the TMA; any K, the
 * last K-block is zero-filled); N a multiple of 8 for bf16 D, 4 for fp32 D (16-byte rows of D).
 */
export function ruleProblemBf16(
  problem: Pick<GemmProblem, 'm' | 'n' | 'k'>,
  output: Bf16Output = 'bf16',
): RuleViolation | null {
  const { m, n, k } = problem;
  if (!isInt(m) || m < 1) return fail('shape-m', `M must be a whole number ≥ 1; got ${m}`);
  const nAlign = 16 / outputBytes(output);
  if (!isInt(n) || n < nAlign || n % nAlign !== 0) {
    return fail(
      'shape-n',
      `N must be a positive multiple of ${nAlign} (16-byte ${output === 'bf16' ? 'bf16' : 'fp32'} rows of D for the TMA store); got ${n}, nearest valid ${Math.max(nAlign, Math.round(n / nAlign) * nAlign)}`,
    );
  }
  if (!isInt(k) || k < BF16_K_ALIGNMENT || k % BF16_K_ALIGNMENT !== 0) {
    return fail(
      'shape-k',
      `K must be a positive multiple of ${BF16_K_ALIGNMENT} (16-byte bf16 rows of A and B for the TMA); got ${k}, nearest valid ${Math.max(BF16_K_ALIGNMENT, Math.round(k / BF16_K_ALIGNMENT) * BF16_K_ALIGNMENT)}`,
    );
  }
  return null;
}

/**
 * K-grouped: A and B hold ΣK_g columns, a whole number of 64-deep K-blocks since every K_g is (the
 * per-group values are the grouped layout's check, grouped/validate.ts checkGroupK).
 */
export function ruleKGroupedTotalKBf16(problem: Pick<GemmProblem, 'kind' | 'k'>): RuleViolation | null {
  const { kind, k } = problem;
  if (kind !== 'bf16-kgrouped' || !isInt(k) || k % BF16_KGROUPED_K_ALIGNMENT === 0) return null;
  return fail(
    'shape-k',
    `K-grouped K = ΣK_g must be a multiple of ${BF16_KGROUPED_K_ALIGNMENT} (every K_g is: a 64-deep K-block never spans two groups); got ${k}, use ${alignUp(k, BF16_KGROUPED_K_ALIGNMENT)}`,
  );
}

/** Config rules that need no output type, in the kernel's order. */
export const CONFIG_RULES_BF16: ReadonlyArray<(c: C) => RuleViolation | null> = [
  ruleBlockKBf16,
  ruleBlockM,
  ruleBlockN,
  rulePingpongBf16,
  ruleMathWarpgroupsBf16,
  ruleWavesBf16,
  ruleRegistersBf16,
  ruleStages,
  ruleCluster,
  ruleSplitKBf16,
  ruleNumSms,
  ruleSwizzleAB,
  ruleThreads,
];

/** Violations that make a config impossible to instantiate (shape-independent). */
export function instantiationViolationsBf16(
  kind: KernelKind,
  config: C,
  output: Bf16Output = defaultOutputBf16(kind),
): RuleViolation[] {
  const out: RuleViolation[] = [];
  const push = (v: RuleViolation | null): void => {
    if (v) out.push(v);
  };
  push(ruleGemmTypeBf16(kind));
  push(ruleGroupedOutputBf16(kind, output));
  push(ruleKGroupedOutputBf16(kind, output));
  push(ruleKGroupedClusterBf16(kind, config));
  push(ruleContiguousBlockMBf16(kind, config));
  push(ruleSplitKKindBf16(kind, config));
  for (const rule of CONFIG_RULES_BF16) push(rule(config));
  push(ruleSwizzleDBf16(config, output));
  push(ruleDSlabsBf16(kind, config, output));
  push(ruleSharedMemoryBf16(config, output));
  return out;
}

/** Every violation of a config for a problem (empty when it can be instantiated and launched). */
export function configViolationsBf16(
  config: C,
  problem: Pick<GemmProblem, 'kind' | 'm' | 'n' | 'k' | 'output'>,
  options: { capacity?: number; checkSharedBytesField?: boolean } = {},
): RuleViolation[] {
  const output = problem.output ?? defaultOutputBf16(problem.kind);
  const out: RuleViolation[] = [];
  const push = (v: RuleViolation | null): void => {
    if (v) out.push(v);
  };
  push(ruleGemmTypeBf16(problem.kind));
  push(ruleGroupedOutputBf16(problem.kind, output));
  push(ruleKGroupedOutputBf16(problem.kind, output));
  push(ruleProblemBf16(problem, output));
  push(ruleKGroupedTotalKBf16(problem));
  push(ruleKGroupedClusterBf16(problem.kind, config));
  push(ruleContiguousBlockMBf16(problem.kind, config));
  push(ruleSplitKKindBf16(problem.kind, config));
  for (const rule of CONFIG_RULES_BF16) push(rule(config));
  push(ruleSwizzleDBf16(config, output));
  push(ruleDSlabsBf16(problem.kind, config, output));
  push(ruleSharedMemoryBf16(config, output, options.capacity ?? H100_SHARED_MEMORY_BYTES));
  if (options.checkSharedBytesField) push(ruleSharedBytesFieldBf16(config, output));
  return out;
}

/**
 * A complete config: warpgroups from BLOCK_M (ping-pong: 2), 128-byte A/B swizzle, D swizzle for the
 * output, the most stages that fit beside the D tile and the split-K exchange (≤ 8 by default).
 * `pingpong`, `splitK` and `dSlabs` appear in the config only when above their defaults (0, 1 and 0).
 */
export function completeConfigBf16(
  choice: Pick<GemmConfig, 'blockM' | 'blockN' | 'numSms'> &
    Partial<Pick<GemmConfig, 'numStages' | 'swizzleD' | 'clusterM' | 'clusterN' | 'pingpong' | 'splitK' | 'dSlabs'>>,
  output: Bf16Output = 'bf16',
  capacity = H100_SHARED_MEMORY_BYTES,
  maxStages = 8,
): GemmConfig {
  const numMathWarpgroups = choice.pingpong ? PINGPONG_MATH_WARPGROUPS : mathWarpgroupsFor(choice.blockM);
  const swizzleD = choice.swizzleD ?? defaultSwizzleDBf16(choice.blockN, output);
  const numStages =
    choice.numStages ?? Math.min(maxStages, maxStagesThatFitBf16({ ...choice, swizzleD }, output, capacity));
  const config: GemmConfig = {
    blockM: choice.blockM,
    blockN: choice.blockN,
    blockK: BF16_BLOCK_K,
    numStages,
    numMathWarpgroups,
    clusterM: choice.clusterM ?? 1,
    clusterN: choice.clusterN ?? 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD,
    numSms: choice.numSms,
    sharedBytes: 0,
    numThreads: threadCount(numMathWarpgroups),
    ...(choice.pingpong ? { pingpong: choice.pingpong } : {}),
    ...(splitKOf(choice) > 1 ? { splitK: splitKOf(choice) } : {}),
    ...(choice.dSlabs ? { dSlabs: choice.dSlabs } : {}),
  };
  config.sharedBytes = sharedMemoryBytesBf16(config, output);
  return config;
}
