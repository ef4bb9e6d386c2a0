// The FP8 1D2D GEMM kernel's legality rules, shared-memory layout and launch shape, mirrored exactly
// from kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh (its static_asserts and Layout
// constants). The heuristics build candidates on top of these; the source generator refuses any
// config that breaks one, so an illegal config never reaches the compiler. Pure: no vscode, no addon.

import type { GemmConfig, GemmProblem, KernelKind } from '../../protocol/worker';

/** A broken rule: a stable code (the kernel's "rule xxx" static_assert) and a sentence saying why. */
export interface RuleViolation {
  rule: string;
  reason: string;
}

/** BLOCK_K of every FP8 kernel: the scaling granularity and one 128-byte swizzle row of FP8. */
export const BLOCK_K = 128;
/** Opt-in dynamic shared memory per block on H100/H200 (cudaDevAttrMaxSharedMemoryPerBlockOptin). */
export const H100_SHARED_MEMORY_BYTES = 232448;
/** setmaxnreg value of the TMA producer warpgroup. */
export const PRODUCER_REGISTERS = 40;
/** Rows one wgmma (m64nNk32) covers; one math warpgroup owns 64 rows per wave. */
export const WGMMA_M = 64;
/** Accumulator registers (BLOCK_N/2 per wave, plus the in-flight wgmma accumulator) may use at most this many. */
export const MAX_ACCUMULATOR_REGISTERS = 192;
/**
 * Widest tile whose math warpgroups run the overlapped K-loop (two tensor-core accumulators, K-block
 * kb+1's wgmma in flight while kb is promoted) when each warpgroup has one 64-row wave; mirrors
 * FP8LAB_OVERLAP_MAX_BLOCK_N / kOverlapKBlocks in sm90_fp8_gemm_1d2d.cuh.
 */
export const OVERLAP_MAX_BLOCK_N = 128;
/** Whether a 1D2D config's K-loop is the overlapped one (see OVERLAP_MAX_BLOCK_N). */
export const overlapsKBlocks = (c: Pick<GemmConfig, 'blockM' | 'blockN' | 'numMathWarpgroups'>): boolean =>
  c.blockM === WGMMA_M * c.numMathWarpgroups && c.blockN <= OVERLAP_MAX_BLOCK_N;
/** Whether the kernel overlaps across tiles at all; mirrors FP8LAB_OVERLAP_TILES (default 1). */
export const OVERLAP_TILES = true;
/**
 * K-blocks of the next tile issued before an epilogue when every tile has that many; mirrors
 * FP8LAB_OVERLAP_TILES_AHEAD / kOverlapTilesAhead (default 2).
 */
export const OVERLAP_TILES_AHEAD = 2;
/**
 * Whether the kernel also overlaps across tiles: the next tile's first wgmma group is issued before
 * this tile's epilogue. Normal GEMMs on the overlapped K-loop without split-K; mirrors
 * FP8LAB_OVERLAP_TILES / kOverlapTiles in sm90_fp8_gemm_1d2d.cuh.
 */
export const overlapsTiles = (
  c: Pick<GemmConfig, 'blockM' | 'blockN' | 'numMathWarpgroups' | 'splitK'>,
  kind: KernelKind,
): boolean => OVERLAP_TILES && kind === 'normal' && overlapsKBlocks(c) && (c.splitK ?? 1) === 1;
export const MIN_STAGES = 2;
export const MAX_STAGES = 32;
/** Block sizes the kernel instantiates. */
export const BLOCK_M_VALUES: readonly number[] = [64, 128, 256];
export const SWIZZLE_D_VALUES: readonly number[] = [0, 32, 64, 128];

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

// ---------------------------------------------------------------------------------------------
// Launch shape and register split

/** Math warpgroups the kernel needs for a BLOCK_M: one for 64 rows, two otherwise. */
export function mathWarpgroupsFor(blockM: number): number {
  return blockM === 64 ? 1 : 2;
}

/** Threads per CTA: the math warpgroups plus the 128-thread TMA producer warpgroup. */
export function threadCount(numMathWarpgroups: number): number {
  return 128 * (numMathWarpgroups + 1);
}

/** setmaxnreg values per warpgroup role (kProducerRegisters / kMathRegisters in the kernel). */
export function registerSplit(numMathWarpgroups: number): { producer: number; math: number } {
  return { producer: PRODUCER_REGISTERS, math: numMathWarpgroups === 1 ? 248 : 232 };
}

/** Waves: how many 64-row slices each math warpgroup computes in turn (BLOCK_M / (64 · WGs)). */
export function numWaves(config: Pick<GemmConfig, 'blockM' | 'numMathWarpgroups'>): number {
  return config.blockM / (WGMMA_M * config.numMathWarpgroups);
}

/** FP32 accumulator registers per math thread: BLOCK_N/2 for the wgmma plus BLOCK_N/2 per wave. */
export function accumulatorRegisters(config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numMathWarpgroups'>): number {
  return (config.blockN / 2) * (1 + numWaves(config));
}

/** True when every BLOCK_N tile lies inside one 128-column B scale block (BLOCK_N divides 128). */
export function uniformScaleB(blockN: number): boolean {
  return 128 % blockN === 0;
}

/** Largest D swizzle (128, 64, 32 bytes) dividing a BLOCK_N row of bf16; 0 when none does. */
export function defaultSwizzleD(blockN: number): number {
  for (const s of [128, 64, 32]) if ((blockN * 2) % s === 0) return s;
  return 0;
}

/** Columns of D each TMA store writes (the D tensor map's inner box): swizzleD/2, or BLOCK_N unswizzled. */
export function tmaStoreBlockN(config: Pick<GemmConfig, 'blockN' | 'swizzleD'>): number {
  return config.swizzleD === 0 ? config.blockN : config.swizzleD / 2;
}

/**
 * Box of every tensor map the kernel uses, as {inner, outer} elements (cuTensorMapEncodeTiled
 * boxDim[0], boxDim[1]) with its swizzle in bytes. The native runtime encodes exactly these.
 */
export function tensorMapBoxes(config: Pick<GemmConfig, 'blockM' | 'blockN' | 'swizzleA' | 'swizzleB' | 'swizzleD'>): {
  a: { inner: number; outer: number; swizzle: number };
  b: { inner: number; outer: number; swizzle: number };
  sfa: { inner: number; outer: number; swizzle: number };
  d: { inner: number; outer: number; swizzle: number };
} {
  return {
    a: { inner: BLOCK_K, outer: config.blockM, swizzle: config.swizzleA },
    b: { inner: BLOCK_K, outer: config.blockN, swizzle: config.swizzleB },
    sfa: { inner: config.blockM, outer: 1, swizzle: 0 },
    d: { inner: tmaStoreBlockN(config), outer: config.blockM, swizzle: config.swizzleD },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared memory, byte for byte as the kernel lays it out

export interface SharedMemoryLayout {
  /** bf16 staging tile for the TMA store, 1024-aligned. */
  dBytes: number;
  aStageBytes: number;
  bStageBytes: number;
  /** fp32 A scales of one stage, padded to 128 bytes. */
  sfaStageBytes: number;
  aOffset: number;
  bOffset: number;
  sfaOffset: number;
  /** full[stages] then empty[stages] mbarriers, 8 bytes each (+ 2 exchange barriers with split-K). */
  barrierOffset: number;
  /** Split-K exchange buffer (ranks 1..'s fp32 partial sums land in rank 0's): (splitK - 1) x BLOCK_M x BLOCK_N x 4. */
  exchangeBytes: number;
  sfbOffset: number;
  /** One tile's B scales: ceil(K/128) floats, two rows when a tile may straddle scale blocks; 16-aligned. */
  sfbBufferBytes: number;
  /** Two SFB buffers (this tile's, and the next tile's being prefetched with cp.async). */
  sfbBytes: number;
  /** Everything but SFB: depends on the config only. */
  fixedBytes: number;
  /** Dynamic shared memory to launch with. */
  totalBytes: number;
  /** Bytes the producer's TMA loads deliver per stage (the arrive.expect_tx count). */
  tmaBytesPerStage: number;
}

/** Split-K factor of a config (1 when absent): 2 splits each tile's K across the two CTAs of a cluster. */
export const splitKOf = (c: Pick<GemmConfig, 'splitK'>): number => c.splitK ?? 1;

/** CTAs per launched cluster: the multicast pair, or the split-K pair. */
export const ctasPerCluster = (c: Pick<GemmConfig, 'clusterM' | 'clusterN' | 'splitK'>): number =>
  c.clusterM * c.clusterN * splitKOf(c);

export function sharedMemoryLayout(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages' | 'splitK'>,
  k: number,
): SharedMemoryLayout {
  const { blockM, blockN, numStages } = config;
  const splitK = splitKOf(config);
  const dBytes = alignUp(blockM * blockN * 2, 1024);
  const aStageBytes = blockM * BLOCK_K;
  const bStageBytes = blockN * BLOCK_K;
  const sfaStageBytes = alignUp(blockM * 4, 128);
  const aOffset = dBytes;
  const bOffset = aOffset + numStages * aStageBytes;
  const sfaOffset = bOffset + numStages * bStageBytes;
  const barrierOffset = sfaOffset + numStages * sfaStageBytes;
  // Split-K: two more barriers (exchange full / empty), then one slot of fp32 accumulators per rank > 0.
  const exchangeOffset = alignUp(barrierOffset + (2 * numStages + (splitK > 1 ? 2 : 0)) * 8, 16);
  const exchangeBytes = (splitK - 1) * blockM * blockN * 4;
  const sfbOffset = splitK > 1 ? exchangeOffset + exchangeBytes : barrierOffset + 2 * numStages * 8;
  const sfbBufferBytes = alignUp(Math.ceil(k / BLOCK_K) * (uniformScaleB(blockN) ? 1 : 2) * 4, 16);
  const sfbBytes = 2 * sfbBufferBytes;
  return {
    dBytes,
    aStageBytes,
    bStageBytes,
    sfaStageBytes,
    aOffset,
    bOffset,
    sfaOffset,
    barrierOffset,
    exchangeBytes,
    sfbOffset,
    sfbBufferBytes,
    sfbBytes,
    fixedBytes: sfbOffset,
    totalBytes: sfbOffset + sfbBytes,
    tmaBytesPerStage: aStageBytes + bStageBytes + blockM * 4,
  };
}

/** Dynamic shared memory (bytes) the kernel needs for this config and problem (Sm90Fp8Gemm1D2D::smem_bytes). */
export function sharedMemoryBytes(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'numStages' | 'splitK'>,
  problem: Pick<GemmProblem, 'k'>,
): number {
  return sharedMemoryLayout(config, problem.k).totalBytes;
}

/** Most stages that fit in `capacity` bytes (capped at `cap`), or 0 when not even one does. */
export function maxStagesThatFit(
  config: Pick<GemmConfig, 'blockM' | 'blockN' | 'splitK'>,
  problem: Pick<GemmProblem, 'k'>,
  capacity = H100_SHARED_MEMORY_BYTES,
  cap = MAX_STAGES,
): number {
  let best = 0;
  for (let s = 1; s <= cap; s++) {
    if (sharedMemoryBytes({ ...config, numStages: s }, problem) <= capacity) best = s;
    else break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Rules. Each returns null or the violation; the codes match the kernel's "rule xxx" asserts.

type C = GemmConfig;
const fail = (rule: string, reason: string): RuleViolation => ({ rule, reason });

/** Kinds the 1D2D kernel serves: the normal GEMM and the M-grouped MoE layouts. */
export const GEMM_1D2D_KINDS: readonly KernelKind[] = ['normal', 'contiguous', 'masked'];
/** Rows of each expert in the contiguous layout are padded to this (DeepGEMM's M alignment). */
export const CONTIGUOUS_M_ALIGNMENT = 128;

export function ruleGemmType(kind: KernelKind): RuleViolation | null {
  return GEMM_1D2D_KINDS.includes(kind)
    ? null
    : fail(
        'gemm-type',
        `the FP8 1D2D kernel serves 'normal', 'contiguous' and 'masked'; '${kind}' runs on the 1D1D kernel (kernelSource1d1d)`,
      );
}

/** Contiguous: a tile must not straddle two experts, so BLOCK_M divides the M alignment (128). */
export function ruleContiguousBlockM(kind: KernelKind, c: C): RuleViolation | null {
  if (kind !== 'contiguous') return null;
  return CONTIGUOUS_M_ALIGNMENT % c.blockM === 0
    ? null
    : fail(
        'contiguous-block-m',
        `the contiguous layout pads every expert to ${CONTIGUOUS_M_ALIGNMENT} rows, so blockM must divide ${CONTIGUOUS_M_ALIGNMENT} (64 or 128); got ${c.blockM}`,
      );
}

/** Kind-dependent config rules of the 1D2D kernel, after the config-only CONFIG_RULES. */
export const KIND_CONFIG_RULES: ReadonlyArray<(kind: KernelKind, c: C) => RuleViolation | null> = [
  ruleContiguousBlockM,
];

/**
 * Launch-time rules of the M-grouped kinds (for the host that holds the real buffers; the heuristics
 * see hints, not layouts). Contiguous: m = ΣM of the padded layout, a multiple of 128; masked:
 * m = Mmax ≥ 1; both need numGroups ≥ 1 (B is [G, N, K]).
 */
export function ruleGroupedProblem(problem: Pick<GemmProblem, 'kind' | 'm' | 'numGroups'>): RuleViolation | null {
  const { kind, m, numGroups } = problem;
  if (kind !== 'contiguous' && kind !== 'masked') return null;
  if (!isInt(numGroups) || numGroups < 1)
    return fail('shape-groups', `'${kind}' needs numGroups ≥ 1 (B is [G, N, K]); got ${numGroups}`);
  if (kind === 'contiguous' && (!isInt(m) || m % CONTIGUOUS_M_ALIGNMENT !== 0)) {
    return fail(
      'shape-alignment',
      `the contiguous A has ΣM = ${m} rows; every expert's rows must be padded to ${CONTIGUOUS_M_ALIGNMENT} (use ${Math.max(CONTIGUOUS_M_ALIGNMENT, Math.ceil(m / CONTIGUOUS_M_ALIGNMENT) * CONTIGUOUS_M_ALIGNMENT)} rows, padding rows marked -1)`,
    );
  }
  return null;
}

export function ruleBlockK(c: C): RuleViolation | null {
  return c.blockK === BLOCK_K
    ? null
    : fail(
        'block-k',
        `blockK must be ${BLOCK_K} (the 1x128 / 128x128 scaling granularity, one 128-byte swizzle row of FP8); got ${c.blockK}`,
      );
}

export function ruleBlockM(c: C): RuleViolation | null {
  return BLOCK_M_VALUES.includes(c.blockM)
    ? null
    : fail(
        'block-m',
        `blockM must be 64, 128 or 256 (whole 64-row wgmma slices for 1 or 2 math warpgroups); got ${c.blockM}`,
      );
}

export function ruleBlockN(c: C): RuleViolation | null {
  return isInt(c.blockN) && c.blockN % 16 === 0 && c.blockN >= 16 && c.blockN <= 256
    ? null
    : fail(
        'block-n',
        `blockN must be a multiple of 16 from 16 to 256 (wgmma n and stmatrix x4 pairs); got ${c.blockN}`,
      );
}

export function ruleScaleBBlocks(c: C): RuleViolation | null {
  if (!isInt(c.blockN) || c.blockN <= 0) return null; // reported by block-n
  const limit = 128 + gcd(c.blockN, 128);
  return c.blockN <= limit
    ? null
    : fail(
        'scale-b-blocks',
        `blockN ${c.blockN} lets a tile straddle three 128-column B scale blocks (it must be ≤ 128 + gcd(blockN, 128) = ${limit}); use 144, 160, 192 or 256, or ≤ 128`,
      );
}

export function ruleMathWarpgroups(c: C): RuleViolation | null {
  const want = mathWarpgroupsFor(c.blockM);
  return c.numMathWarpgroups === want
    ? null
    : fail(
        'math-warpgroups',
        `blockM ${c.blockM} needs ${want} math warpgroup${want > 1 ? 's' : ''} (1 for 64 rows, 2 for 128 or 256); got ${c.numMathWarpgroups}`,
      );
}

/** `waves`: the kernel's own count of 64-row waves per math warpgroup (the BF16 ping-pong tiles differ). */
export function ruleWaves(c: C, waves: (c: C) => number = numWaves): RuleViolation | null {
  if (!BLOCK_M_VALUES.includes(c.blockM) || (c.numMathWarpgroups !== 1 && c.numMathWarpgroups !== 2)) return null;
  const w = waves(c);
  return Number.isInteger(w) && w >= 1 && w <= 2
    ? null
    : fail(
        'waves',
        `blockM ${c.blockM} with ${c.numMathWarpgroups} math warpgroup(s) is ${w} waves of 64 rows; 1 or 2 are supported`,
      );
}

/** `blockNRule`: the kernel's own block-n rule (the 1D1D kernel takes steps of 8), checked first. */
export function ruleRegisters(c: C, blockNRule: (c: C) => RuleViolation | null = ruleBlockN): RuleViolation | null {
  if (ruleBlockM(c) || blockNRule(c) || ruleMathWarpgroups(c)) return null;
  const regs = accumulatorRegisters(c);
  return regs <= MAX_ACCUMULATOR_REGISTERS
    ? null
    : fail(
        'registers',
        `blockM ${c.blockM} x blockN ${c.blockN} needs ${regs} accumulator registers per math thread (limit ${MAX_ACCUMULATOR_REGISTERS} of ${registerSplit(c.numMathWarpgroups).math}); it would spill — use blockN ≤ ${Math.floor((2 * MAX_ACCUMULATOR_REGISTERS) / (1 + numWaves(c)) / 16) * 16}`,
      );
}

export function ruleStages(c: C): RuleViolation | null {
  return isInt(c.numStages) && c.numStages >= MIN_STAGES && c.numStages <= MAX_STAGES
    ? null
    : fail('stages', `numStages must be a whole number from ${MIN_STAGES} to ${MAX_STAGES}; got ${c.numStages}`);
}

export function ruleCluster(c: C): RuleViolation | null {
  const ok =
    (c.clusterM === 1 || c.clusterM === 2) && (c.clusterN === 1 || c.clusterN === 2) && c.clusterM * c.clusterN <= 2;
  return ok
    ? null
    : fail(
        'cluster',
        `clusterM and clusterN must be 1 or 2 with clusterM · clusterN ≤ 2 (multicast B across 2 M-blocks, or A across 2 N-blocks); got ${c.clusterM} x ${c.clusterN}`,
      );
}

export function ruleSplitK(c: C): RuleViolation | null {
  const splitK = splitKOf(c);
  if (splitK !== 1 && splitK !== 2 && splitK !== 4)
    return fail('split-k', `splitK must be 1, 2 or 4 (K of a tile split across the CTAs of a cluster); got ${splitK}`);
  if (splitK > 1 && c.clusterM * c.clusterN !== 1) {
    return fail(
      'split-k',
      `split-K uses the cluster for the K shares, so it cannot also multicast: use clusterM = clusterN = 1 with splitK ${splitK} (got cluster ${c.clusterM} x ${c.clusterN})`,
    );
  }
  return null;
}

export function ruleNumSms(c: C): RuleViolation | null {
  const size = ctasPerCluster(c);
  return isInt(c.numSms) && c.numSms >= 1 && c.numSms % size === 0
    ? null
    : fail(
        'num-sms',
        `numSms (${c.numSms}) must be a positive multiple of the cluster size ${size}, so the persistent grid is whole clusters; use ${Math.max(size, Math.floor(c.numSms / size) * size)}`,
      );
}

export function ruleSwizzleAB(c: C): RuleViolation | null {
  return c.swizzleA === 128 && c.swizzleB === 128
    ? null
    : fail(
        'swizzle-ab',
        `A and B tiles use the 128-byte swizzle (a 128-element FP8 K-row is 128 bytes); got swizzleA ${c.swizzleA}, swizzleB ${c.swizzleB}`,
      );
}

export function ruleSwizzleD(c: C): RuleViolation | null {
  if (!SWIZZLE_D_VALUES.includes(c.swizzleD)) {
    return fail('swizzle-d', `swizzleD must be 0, 32, 64 or 128 bytes; got ${c.swizzleD}`);
  }
  if (c.swizzleD !== 0 && (c.blockN * 2) % c.swizzleD !== 0) {
    return fail(
      'swizzle-d',
      `a blockN ${c.blockN} row of bf16 is ${c.blockN * 2} bytes, not a multiple of swizzleD ${c.swizzleD}; use ${defaultSwizzleD(c.blockN)}`,
    );
  }
  return null;
}

/** The FP8 kernels split every tile between their math warpgroups; ping-pong is the BF16 kernel's schedule. */
export function ruleNoPingpong(c: C): RuleViolation | null {
  return !c.pingpong
    ? null
    : fail(
        'pingpong',
        `only the BF16 GEMMs run ping-pong math warpgroups; this kernel's warpgroups split every tile: use pingpong=0`,
      );
}

/** The D slab ring is the BF16 kernel's epilogue; the FP8 kernels stage their whole D tile. */
export function ruleNoDSlabs(c: C): RuleViolation | null {
  return !c.dSlabs
    ? null
    : fail(
        'd-slabs',
        `only the BF16 GEMM stages D through a slab ring; this kernel stages its whole D tile: use d_slabs=0`,
      );
}

export function ruleThreads(c: C): RuleViolation | null {
  const want = threadCount(c.numMathWarpgroups);
  return c.numThreads === want
    ? null
    : fail(
        'threads',
        `numThreads must be ${want} (128 per math warpgroup plus the 128-thread TMA warpgroup); got ${c.numThreads}`,
      );
}

/** The static part (D tile + stages) must fit; and the whole, with SFB for this K, must fit `capacity`. */
export function ruleSharedMemory(
  c: C,
  problem: Pick<GemmProblem, 'k'>,
  capacity = H100_SHARED_MEMORY_BYTES,
): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytes(c, problem);
  if (need > capacity) {
    const fit = maxStagesThatFit(c, problem, capacity);
    return fail(
      'smem',
      `needs ${need} bytes (${(need / 1024).toFixed(1)} KB) of shared memory at ${c.numStages} stages; the device has ${capacity} (${(capacity / 1024).toFixed(0)} KB)${fit > 0 ? `; at most ${fit} stages fit` : ''}`,
    );
  }
  return null;
}

/** config.sharedBytes must be what the kernel lays out (the launch uses it verbatim). */
export function ruleSharedBytesField(c: C, problem: Pick<GemmProblem, 'k'>): RuleViolation | null {
  if (ruleBlockM(c) || ruleBlockN(c) || ruleStages(c)) return null;
  const need = sharedMemoryBytes(c, problem);
  return c.sharedBytes === need
    ? null
    : fail(
        'shared-bytes',
        `config.sharedBytes is ${c.sharedBytes} but the kernel lays out ${need} bytes for K = ${problem.k}`,
      );
}

/** Problem-side requirements of the kernel (TMA strides and the scaling block). */
export function ruleProblem(problem: Pick<GemmProblem, 'm' | 'n' | 'k'>): RuleViolation | null {
  const { m, n, k } = problem;
  if (!isInt(m) || m < 1) return fail('shape-m', `M must be a whole number ≥ 1; got ${m}`);
  if (!isInt(n) || n < 8 || n % 8 !== 0) {
    return fail(
      'shape-n',
      `N must be a positive multiple of 8 (16-byte bf16 rows for the TMA store); got ${n}, nearest valid ${Math.max(8, Math.round(n / 8) * 8)}`,
    );
  }
  if (!isInt(k) || k < BLOCK_K || k % BLOCK_K !== 0) {
    return fail(
      'shape-k',
      `K must be a positive multiple of ${BLOCK_K} (the scaling block); got ${k}, nearest valid ${Math.max(BLOCK_K, Math.round(k / BLOCK_K) * BLOCK_K)}`,
    );
  }
  return null;
}

/** Rules about the config alone, in the order the kernel's static_asserts check them. */
export const CONFIG_RULES: ReadonlyArray<(c: C) => RuleViolation | null> = [
  ruleBlockK,
  ruleBlockM,
  ruleBlockN,
  ruleScaleBBlocks,
  ruleMathWarpgroups,
  ruleWaves,
  ruleRegisters,
  ruleStages,
  ruleCluster,
  ruleSplitK,
  ruleNumSms,
  ruleSwizzleAB,
  ruleSwizzleD,
  ruleNoPingpong,
  ruleNoDSlabs,
  ruleThreads,
];

/**
 * Every violation of a config for a problem on a device with `capacity` bytes of shared memory
 * (empty when the kernel can be instantiated and launched). `checkSharedBytesField` also demands
 * config.sharedBytes equal the layout (what the source generator and the launch rely on).
 */
export function configViolations(
  kind: KernelKind,
  config: C,
  problem: Pick<GemmProblem, 'm' | 'n' | 'k'>,
  options: { capacity?: number; checkSharedBytesField?: boolean } = {},
): RuleViolation[] {
  const out: RuleViolation[] = [];
  const push = (v: RuleViolation | null): void => {
    if (v) out.push(v);
  };
  push(ruleGemmType(kind));
  push(ruleProblem(problem));
  for (const rule of CONFIG_RULES) push(rule(config));
  for (const rule of KIND_CONFIG_RULES) push(rule(kind, config));
  push(ruleSharedMemory(config, problem, options.capacity ?? H100_SHARED_MEMORY_BYTES));
  if (options.checkSharedBytesField) push(ruleSharedBytesField(config, problem));
  return out;
}

/** The first violation, or null: what a candidate table shows as the rejection reason. */
export function firstViolation(
  kind: KernelKind,
  config: C,
  problem: Pick<GemmProblem, 'm' | 'n' | 'k'>,
  options: { capacity?: number; checkSharedBytesField?: boolean } = {},
): RuleViolation | null {
  return configViolations(kind, config, problem, options)[0] ?? null;
}

/**
 * A complete config with the derived fields filled in (numThreads, sharedBytes, swizzles), from
 * the choices that matter; stages default to the most that fit.
 */
export function completeConfig(
  choice: Pick<GemmConfig, 'blockM' | 'blockN' | 'clusterM' | 'clusterN' | 'numSms'> &
    Partial<Pick<GemmConfig, 'numStages' | 'swizzleD' | 'splitK'>>,
  problem: Pick<GemmProblem, 'k'>,
  capacity = H100_SHARED_MEMORY_BYTES,
): GemmConfig {
  const numMathWarpgroups = mathWarpgroupsFor(choice.blockM);
  const numStages = choice.numStages ?? maxStagesThatFit(choice, problem, capacity);
  const config: GemmConfig = {
    blockM: choice.blockM,
    blockN: choice.blockN,
    blockK: BLOCK_K,
    numStages,
    numMathWarpgroups,
    clusterM: choice.clusterM,
    clusterN: choice.clusterN,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: choice.swizzleD ?? defaultSwizzleD(choice.blockN),
    numSms: choice.numSms,
    sharedBytes: 0,
    numThreads: threadCount(numMathWarpgroups),
    ...(splitKOf(choice) > 1 ? { splitK: splitKOf(choice) } : {}),
  };
  config.sharedBytes = sharedMemoryBytes(config, problem);
  return config;
}

/**
 * A config's fields in the order the kernel templates take them (BLOCK_M, BLOCK_N, BLOCK_K, stages,
 * math warpgroups, cluster M and N, swizzles of A, B and D, SMs); each kernel family appends its own.
 */
export function configTemplateArgs(c: GemmConfig): number[] {
  return [
    c.blockM,
    c.blockN,
    c.blockK,
    c.numStages,
    c.numMathWarpgroups,
    c.clusterM,
    c.clusterN,
    c.swizzleA,
    c.swizzleB,
    c.swizzleD,
    c.numSms,
  ];
}
