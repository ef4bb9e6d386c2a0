// The FP32-output 1D1D kernel's legality rules, shared-memory layout and launch shape (kinds 'wgrad'
// and 'kgrouped'), mirrored exactly from kernels/include/fp8lab/impls/sm90_fp8_gemm_1d1d.cuh, as
// kernelRules.ts mirrors the 1D2D kernel (whose rules on tiles and warpgroups this kernel shares).
// Names end in 1d1d like the kernel's. Pure: no vscode, no addon.

import type { GemmConfig, GemmProblem, KernelKind } from '../../protocol/worker';
import {
  BLOCK_K,
  H100_SHARED_MEMORY_BYTES,
  mathWarpgroupsFor,
  MAX_STAGES,
  ruleBlockK,
  ruleBlockM,
  ruleCluster,
  ruleMathWarpgroups,
  ruleNoDSlabs,
  ruleNoPingpong,
  ruleNumSms,
  ruleRegisters,
  ruleStages,
  ruleSwizzleAB,
  ruleThreads,
  ruleWaves,
  SWIZZLE_D_VALUES,
  threadCount,
  type RuleViolation,
} from './kernelRules';

type C = GemmConfig;
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const fail = (rule: string, reason: string): RuleViolation => ({ rule, reason });

// The FP32-output 1D1D kernel (kinds 'wgrad' and 'kgrouped'), mirrored from
// kernels/include/fp8lab/impls/sm90_fp8_gemm_1d1d.cuh: D (fp32) = C + A·Bᵀ, both operands scaled per
// 1x128, SFB TMA'd per stage, TMA reduce-add epilogue. Same GemmConfig fields and template order as
// the 1D2D kernel, the same cluster shapes (2 x 1 shares B, 1 x 2 shares A), and shared memory that
// does not depend on K.

/** Kinds served by the 1D1D kernel. */
export const KINDS_1D1D: readonly KernelKind[] = ['wgrad', 'kgrouped'];

export function is1d1dKind(kind: KernelKind): boolean {
  return KINDS_1D1D.includes(kind);
}

/** Columns of fp32 D per TMA reduce (the D map's inner box): swizzleD/4, or BLOCK_N unswizzled. */
export function tmaStoreBlockN1d1d(config: Pick<GemmConfig, 'blockN' | 'swizzleD'>): number {
  return config.swizzleD === 0 ? config.blockN : config.swizzleD / 4;
}

/** Largest D swizzle dividing a BLOCK_N row of fp32 (128 when BLOCK_N % 32 == 0, 64 when % 16, else 32). */
export function defaultSwizzleD1d1d(blockN: number): number {
  for (const s of [128, 64, 32]) if ((blockN * 4) % s === 0) return s;
  return 0;
}

/**
 * Tensor maps of the 1D1D kernel: {inner, outer} boxes (D is 3D {N, M, G} with box {.., BLOCK_M, 1},
 * its third box extent is 1) and swizzles in bytes.
 */
export function tensorMapBoxes1d1d(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'swizzleA' | 'swizzleB' | 'swizzleD'>,
): {
  a: { inner: number; outer: number; swizzle: number };
  b: { inner: number; outer: number; swizzle: number };
  sfa: { inner: number; outer: number; swizzle: number };
  sfb: { inner: number; outer: number; swizzle: number };
  d: { inner: number; outer: number; groups: number; swizzle: number };
} {
  return {
    a: { inner: BLOCK_K, outer: config.blockM, swizzle: config.swizzleA },
    b: { inner: BLOCK_K, outer: config.blockN, swizzle: config.swizzleB },
    sfa: { inner: config.blockM, outer: 1, swizzle: 0 },
    sfb: { inner: config.blockN, outer: 1, swizzle: 0 },
    d: { inner: tmaStoreBlockN1d1d(config), outer: config.blockM, groups: 1, swizzle: config.swizzleD },
  };
}

export interface SharedMemoryLayout1d1d {
  /** fp32 staging tile for the TMA reduce-add, 1024-aligned. */
  dBytes: number;
  aStageBytes: number;
  bStageBytes: number;
  sfaStageBytes: number;
  sfbStageBytes: number;
  aOffset: number;
  bOffset: number;
  sfaOffset: number;
  sfbOffset: number;
  barrierOffset: number;
  /** Dynamic shared memory to launch with (independent of K). */
  totalBytes: number;
  tmaBytesPerStage: number;
}

export function sharedMemoryLayout1d1d(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages'>,
): SharedMemoryLayout1d1d {
  const { blockM, blockN, numStages } = config;
  const dBytes = alignUp(blockM * blockN * 4, 1024);
  const aStageBytes = blockM * BLOCK_K;
  const bStageBytes = blockN * BLOCK_K;
  const sfaStageBytes = alignUp(blockM * 4, 128);
  const sfbStageBytes = alignUp(blockN * 4, 128);
  const aOffset = dBytes;
  const bOffset = aOffset + numStages * aStageBytes;
  const sfaOffset = bOffset + numStages * bStageBytes;
  const sfbOffset = sfaOffset + numStages * sfaStageBytes;
  const barrierOffset = sfbOffset + numStages * sfbStageBytes;
  return {
    dBytes,
    aStageBytes,
    bStageBytes,
    sfaStageBytes,
    sfbStageBytes,
    aOffset,
    bOffset,
    sfaOffset,
    sfbOffset,
    barrierOffset,
    totalBytes: barrierOffset + 3 * numStages * 8,
    tmaBytesPerStage: aStageBytes + bStageBytes + blockM * 4 + blockN * 4,
  };
}

/** Dynamic shared memory of the 1D1D kernel (Sm90Fp8Gemm1D1D::smem_bytes, the same for every K). */
export function sharedMemoryBytes1d1d(config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages'>): number {
  return sharedMemoryLayout1d1d(config).totalBytes;
}

/** Most 1D1D stages that fit in `capacity` (capped at `cap`), or 0 when not even one does. */
export function maxStagesThatFit1d1d(
  config: Pick<GemmConfig, 'blockM' | 'blockN'>,
  capacity = H100_SHARED_MEMORY_BYTES,
  cap = MAX_STAGES,
): number {
  let best = 0;
  for (let s = 1; s <= cap; s++) {
    if (sharedMemoryBytes1d1d({ ...config, numStages: s }) <= capacity) best = s;
    else break;
  }
  return best;
}

export function ruleGemmType1d1d(kind: KernelKind): RuleViolation | null {
  return is1d1dKind(kind)
    ? null
    : fail('gemm-type', `the FP8 1D1D kernel serves 'wgrad' (one GEMM) and 'kgrouped'; '${kind}' uses the 1D2D kernel`);
}

/** wgmma takes N in steps of 8 and this kernel's epilogue stores n8 chunks, so 152 or 136 are tiles here. */
export function ruleBlockN1d1d(c: C): RuleViolation | null {
  return isInt(c.blockN) && c.blockN % 8 === 0 && c.blockN >= 16 && c.blockN <= 256
    ? null
    : fail('block-n', `blockN must be a multiple of 8 from 16 to 256 (wgmma n); got ${c.blockN}`);
}

export function ruleSplitK1d1d(c: C): RuleViolation | null {
  return (c.splitK ?? 1) === 1
    ? null
    : fail('split-k', `the 1D1D kernel has no split-K (it adds each tile onto D already); use split_k=1`);
}

export function ruleSwizzleD1d1d(c: C): RuleViolation | null {
  if (!SWIZZLE_D_VALUES.includes(c.swizzleD)) {
    return fail('swizzle-d', `swizzleD must be 0, 32, 64 or 128 bytes; got ${c.swizzleD}`);
  }
  if (c.swizzleD !== 0 && (c.blockN * 4) % c.swizzleD !== 0) {
    return fail(
      'swizzle-d',
      `a blockN ${c.blockN} row of fp32 is ${c.blockN * 4} bytes, not a multiple of swizzleD ${c.swizzleD}; use ${defaultSwizzleD1d1d(c.blockN)}`,
    );
  }
  return null;
}

export function ruleSharedMemory1d1d(c: C, capacity = H100_SHARED_MEMORY_BYTES): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN1d1d(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytes1d1d(c);
  if (need > capacity) {
    const fit = maxStagesThatFit1d1d(c, capacity);
    return fail(
      'smem',
      `needs ${need} bytes (${(need / 1024).toFixed(1)} KB) of shared memory at ${c.numStages} stages (fp32 D tile ${alignUp(c.blockM * c.blockN * 4, 1024)} B); the device has ${capacity}${fit > 0 ? `; at most ${fit} stages fit` : '; use a smaller tile'}`,
    );
  }
  return null;
}

export function ruleSharedBytesField1d1d(c: C): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN1d1d(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytes1d1d(c);
  return c.sharedBytes === need
    ? null
    : fail('shared-bytes', `config.sharedBytes is ${c.sharedBytes} but the 1D1D kernel lays out ${need} bytes`);
}

/**
 * Problem rules of the 1D1D kernel. `wgrad`: M ≥ 1, N % 4 == 0 (16-byte fp32 rows of D/C), K a
 * positive multiple of 128. `kgrouped`: the same M and N, and `groupK` (K_g per group, host-side) of
 * length numGroups with every K_g a multiple of 128 (0 allowed: that group keeps D_g = C_g).
 */
export function ruleProblem1d1d(
  kind: KernelKind,
  problem: Pick<GemmProblem, 'm' | 'n' | 'k' | 'numGroups'>,
  groupK?: readonly number[],
): RuleViolation | null {
  const { m, n, k } = problem;
  if (!isInt(m) || m < 1) return fail('shape-m', `M must be a whole number ≥ 1; got ${m}`);
  if (!isInt(n) || n < 4 || n % 4 !== 0) {
    return fail(
      'shape-n',
      `N must be a positive multiple of 4 (16-byte fp32 rows of D and C for the TMA reduce); got ${n}, nearest valid ${Math.max(4, Math.round(n / 4) * 4)}`,
    );
  }
  if (kind === 'kgrouped') {
    const g = problem.numGroups;
    if (!isInt(g) || g < 1) return fail('shape-groups', `kgrouped needs numGroups ≥ 1; got ${g}`);
    if (groupK) {
      if (groupK.length !== g)
        return fail('shape-groups', `numGroups is ${g} but ${groupK.length} per-group K values were given`);
      const bad = groupK.findIndex((kg) => !isInt(kg) || kg < 0 || kg % BLOCK_K !== 0);
      if (bad >= 0) {
        return fail(
          'shape-k',
          `K of group ${bad} is ${groupK[bad]}; every K_g must be a multiple of ${BLOCK_K} (0 allowed: the group keeps D = C), nearest valid ${Math.max(0, Math.round(groupK[bad] / BLOCK_K) * BLOCK_K)}`,
        );
      }
      const sum = groupK.reduce((a, b) => a + b, 0);
      if (isInt(k) && k !== sum)
        return fail(
          'shape-k',
          `K (${k}) must be the sum of the groups' K (${sum}): the groups are concatenated along K`,
        );
    }
    if (!isInt(k) || k < 0 || k % BLOCK_K !== 0) {
      return fail('shape-k', `ΣK_g must be a multiple of ${BLOCK_K}; got ${k}`);
    }
    return null;
  }
  if (!isInt(k) || k < BLOCK_K || k % BLOCK_K !== 0) {
    return fail(
      'shape-k',
      `K must be a positive multiple of ${BLOCK_K} (the scaling block); got ${k}, nearest valid ${Math.max(BLOCK_K, Math.round(k / BLOCK_K) * BLOCK_K)}`,
    );
  }
  return null;
}

/** A split piece keeps at least this many K-blocks (KGroupedScheduler::kMinPieceKBlocks). */
export const MIN_PIECE_K_BLOCKS_1D1D = 4;

/**
 * The 1D1D kernel's tail split (KGroupedScheduler::plan_tail_split; on for one GEMM, `wgrad`): the
 * `rem` tiles of a partial last wave become `parts` pieces each along K (grid / rem, at most one per
 * MIN_PIECE_K_BLOCKS_1D1D K-blocks), when that is at least 2; otherwise parts = 1 (no split).
 */
export function tailSplit1d1d(
  kind: KernelKind,
  tiles: number,
  grid: number,
  kBlocks: number,
  clusterSize = 1,
): { rem: number; parts: number } {
  const rem = tiles % grid;
  if (kind !== 'wgrad' || clusterSize !== 1 || rem === 0) return { rem, parts: 1 };
  const parts = Math.min(Math.floor(grid / rem), Math.floor(kBlocks / MIN_PIECE_K_BLOCKS_1D1D));
  return { rem, parts: parts >= 2 ? parts : 1 };
}

/** BLOCK_N values offered when a cluster needs an even count of N-blocks (the 1D1D tiles' widths). */
const TILE_N_CHOICES_1D1D = [64, 96, 128, 136, 144, 152, 160, 192];

/**
 * A cluster's two CTAs run in lockstep on tiles of one group that share the multicast block, which
 * holds when the block count along the partner dimension is even (M blocks for clusterM = 2, N blocks
 * for clusterN = 2; k_grouped_scheduler.cuh). Other shapes run with clusters of 1 or another tile.
 */
export function ruleClusterPairs1d1d(c: C, problem: Pick<GemmProblem, 'm' | 'n'>): RuleViolation | null {
  const along = c.clusterM === 2 ? 'm' : c.clusterN === 2 ? 'n' : null;
  if (!along || !isInt(problem.m) || !isInt(problem.n)) return null;
  const extent = problem[along];
  const block = along === 'm' ? c.blockM : c.blockN;
  const blocks = Math.ceil(extent / block);
  if (blocks % 2 === 0) return null;
  const options = along === 'm' ? [64, 128, 256] : TILE_N_CHOICES_1D1D;
  const even = options.filter((b) => Math.ceil(extent / b) % 2 === 0);
  const name = along === 'm' ? 'blockM' : 'blockN';
  return fail(
    'cluster-pairs',
    `a ${c.clusterM} x ${c.clusterN} cluster pairs the ${along.toUpperCase()}-blocks of a tile row, but ${along.toUpperCase()} = ${extent} makes ${blocks} blocks of ${block} (odd); use a 1 x 1 cluster${even.length ? ` or ${name} ${even.join(', ')}` : ''}`,
  );
}

/** Config rules of the 1D1D kernel, in the order of its static_asserts (no scale-b-blocks rule: SFB is per column). */
export const CONFIG_RULES_1D1D: ReadonlyArray<(c: C) => RuleViolation | null> = [
  ruleBlockK,
  ruleBlockM,
  ruleBlockN1d1d,
  ruleMathWarpgroups,
  ruleWaves,
  (c) => ruleRegisters(c, ruleBlockN1d1d),
  ruleStages,
  ruleCluster,
  ruleSplitK1d1d,
  ruleNumSms,
  ruleSwizzleAB,
  ruleSwizzleD1d1d,
  ruleNoPingpong,
  ruleNoDSlabs,
  ruleThreads,
];

/** Every violation of a 1D1D config for a problem (empty when it can be instantiated and launched). */
export function configViolations1d1d(
  kind: KernelKind,
  config: C,
  problem: Pick<GemmProblem, 'm' | 'n' | 'k' | 'numGroups'>,
  options: { capacity?: number; checkSharedBytesField?: boolean; groupK?: readonly number[] } = {},
): RuleViolation[] {
  const out: RuleViolation[] = [];
  const push = (v: RuleViolation | null): void => {
    if (v) out.push(v);
  };
  push(ruleGemmType1d1d(kind));
  push(ruleProblem1d1d(kind, problem, options.groupK));
  for (const rule of CONFIG_RULES_1D1D) push(rule(config));
  push(ruleClusterPairs1d1d(config, problem));
  push(ruleSharedMemory1d1d(config, options.capacity ?? H100_SHARED_MEMORY_BYTES));
  if (options.checkSharedBytesField) push(ruleSharedBytesField1d1d(config));
  return out;
}

/** A complete 1D1D config (clusters 1 x 1 unless given, fp32 swizzleD, stages default to the most that fit, capped at 8). */
export function completeConfig1d1d(
  choice: Pick<GemmConfig, 'blockM' | 'blockN' | 'numSms'> &
    Partial<Pick<GemmConfig, 'numStages' | 'swizzleD' | 'clusterM' | 'clusterN'>>,
  capacity = H100_SHARED_MEMORY_BYTES,
): GemmConfig {
  const numMathWarpgroups = mathWarpgroupsFor(choice.blockM);
  const numStages = choice.numStages ?? Math.min(8, maxStagesThatFit1d1d(choice, capacity));
  const config: GemmConfig = {
    blockM: choice.blockM,
    blockN: choice.blockN,
    blockK: BLOCK_K,
    numStages,
    numMathWarpgroups,
    clusterM: choice.clusterM ?? 1,
    clusterN: choice.clusterN ?? 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: choice.swizzleD ?? defaultSwizzleD1d1d(choice.blockN),
    numSms: choice.numSms,
    sharedBytes: 0,
    numThreads: threadCount(numMathWarpgroups),
  };
  config.sharedBytes = sharedMemoryBytes1d1d(config);
  return config;
}
