// Generates the tiny CUDA translation unit that instantiates the FP8 1D2D GEMM kernel for one
// config: an `extern "C" __global__` entry with __launch_bounds__(threads, 1) taking
// `const __grid_constant__ fp8lab::GemmArgs args`. The text is deterministic (it is part of the JIT
// cache key) and depends on the config's template parameters and, when given, the N and K it is
// compiled for (as DeepGEMM's JIT does: loop trip counts and index arithmetic become constants; M
// stays a runtime value); without them one cubin serves every M, N, K. The TypeScript mirror of the
// layout and the register split is checked by the compiler itself through static_asserts in the
// generated text. Pure: no vscode, no addon.

import type { Bf16Output, GemmConfig, KernelKind } from '../../protocol/worker';
import { isBf16Kind } from './bf16/kernelRulesBf16';
import { Bf16ConfigError, kernelSourceBf16 } from './bf16/kernelSourceBf16';
import {
  CONFIG_RULES,
  KIND_CONFIG_RULES,
  OVERLAP_TILES_AHEAD,
  overlapsKBlocks,
  overlapsTiles,
  registerSplit,
  configTemplateArgs,
  ruleGemmType,
  sharedMemoryLayout,
  threadCount,
  tmaStoreBlockN,
  type RuleViolation,
} from './kernelRules';
import {
  is1d1dKind,
  CONFIG_RULES_1D1D,
  ruleGemmType1d1d,
  sharedMemoryLayout1d1d,
  tmaStoreBlockN1d1d,
} from './kernelRules1d1d';

/** Thrown for a config the kernel cannot take; `rule` names the broken rule. */
export class KernelConfigError extends Error {
  readonly code = 'E_INVALID_CONFIG' as const;
  constructor(readonly violations: RuleViolation[]) {
    super(`illegal GEMM config: ${violations.map((v) => `[${v.rule}] ${v.reason}`).join('; ')}`);
    this.name = 'KernelConfigError';
  }
  get rule(): string {
    return this.violations[0]?.rule ?? '';
  }
}

export interface KernelSource {
  source: string;
  kernelName: string;
}

/** K values at which the generated unit checks the shared-memory formula against the kernel. */
const PROBE_K = [384, 16384] as const;

const GEMM_TYPE: Record<KernelKind, string> = {
  normal: 'Normal',
  contiguous: 'MGroupedContiguous',
  masked: 'MGroupedMasked',
  kgrouped: 'KGrouped',
  wgrad: 'Normal',
  // Refused by ruleGemmType: the BF16 kernel has its own generator (bf16/kernelSourceBf16.ts).
  bf16: 'Normal',
  'bf16-contiguous': 'MGroupedContiguous',
  'bf16-masked': 'MGroupedMasked',
  'bf16-kgrouped': 'KGrouped',
};

/** The entry-point name: every template parameter, so two configs never share a name. */
export function gemmKernelName(kind: KernelKind, c: GemmConfig): string {
  return (
    `fp8lab_sm90_fp8_gemm_1d2d_${kind}_bm${c.blockM}_bn${c.blockN}_bk${c.blockK}_st${c.numStages}` +
    `_wg${c.numMathWarpgroups}_cm${c.clusterM}_cn${c.clusterN}_sa${c.swizzleA}_sb${c.swizzleB}_sd${c.swizzleD}_sms${c.numSms}`
  );
}

/** Violations that make a config impossible to instantiate (shape- and K-independent rules). */
export function instantiationViolations(kind: KernelKind, config: GemmConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const kindRule = ruleGemmType(kind);
  if (kindRule) out.push(kindRule);
  for (const rule of CONFIG_RULES) {
    const v = rule(config);
    if (v) out.push(v);
  }
  for (const rule of KIND_CONFIG_RULES) {
    const v = rule(kind, config);
    if (v) out.push(v);
  }
  return out;
}

/**
 * The translation unit for one config. Throws KernelConfigError (code E_INVALID_CONFIG) when a
 * legality rule is broken, so an illegal config never reaches the compiler.
 */
export interface GemmSourceOptions {
  /** false: the accuracy study's no-promotion variant (all of K in the tensor-core accumulator). */
  promote?: boolean;
  /** true: the instrumented build (FP8LAB_TRACE=1) that records the pipeline timeline. */
  trace?: boolean;
  /** The N and K compiled into the kernel (it then runs only problems with these); absent: any. */
  compiledShape?: CompiledShape;
}

/** N and K compiled into a kernel (FP8LAB_COMPILED_N / _K in kernels/include/fp8lab/gemm_args.h). */
export interface CompiledShape {
  n: number;
  k: number;
}

/** Whether the runtime compiles N and K into the kernels ('nk', the default) or not ('none'). */
export type CompiledDims = 'nk' | 'none';

/** The kinds whose kernels the runtime compiles for one N and K: the FP8 1D2D GEMMs (N, K shared by every group). */
const COMPILED_SHAPE_KINDS: ReadonlySet<KernelKind> = new Set<KernelKind>(['normal', 'contiguous', 'masked']);

/**
 * The shape the runtime compiles an FP8 1D2D GEMM's kernel for (Normal and M-grouped): its N and K,
 * or nothing with compiledDims 'none'. The other kernels (K-grouped, 1D1D, BF16) take N and K at run time.
 */
export function compiledShapeFor(
  problem: { kind: KernelKind; n: number; k: number },
  compiledDims: CompiledDims = 'nk',
): CompiledShape | undefined {
  return COMPILED_SHAPE_KINDS.has(problem.kind) && compiledDims === 'nk' ? { n: problem.n, k: problem.k } : undefined;
}

/** The entry-name suffix of a kernel compiled for one N and K. */
function compiledShapeSuffix(shape: CompiledShape | undefined): string {
  return shape ? `_n${shape.n}_k${shape.k}` : '';
}

/** The N and K a kernel was compiled for, read back from its entry name (undefined: any shape). */
export function compiledShapeOfKernel(kernelName: string): CompiledShape | undefined {
  const m = /_n(\d+)_k(\d+)(?:_sk\d+)?(?:_nopromote)?(?:_trace)?$/.exec(kernelName);
  return m ? { n: Number(m[1]), k: Number(m[2]) } : undefined;
}

export function gemmKernelSource(
  problemKind: KernelKind,
  config: GemmConfig,
  options: GemmSourceOptions = {},
): KernelSource {
  const violations = instantiationViolations(problemKind, config);
  if (violations.length > 0) throw new KernelConfigError(violations);

  const c = config;
  const promote = options.promote ?? true;
  const trace = options.trace ?? false;
  const splitK = c.splitK ?? 1;
  const shape = options.compiledShape;
  if (shape && !(Number.isSafeInteger(shape.n) && shape.n > 0 && Number.isSafeInteger(shape.k) && shape.k > 0))
    throw new RangeError(`compiledShape needs positive integers N and K, got ${JSON.stringify(shape)}`);
  const kernelName =
    gemmKernelName(problemKind, c) +
    compiledShapeSuffix(shape) +
    (splitK > 1 ? `_sk${splitK}` : '') +
    (promote ? '' : '_nopromote') +
    (trace ? '_trace' : '');
  const threads = threadCount(c.numMathWarpgroups);
  const regs = registerSplit(c.numMathWarpgroups);
  const fixedBytes = sharedMemoryLayout(c, 0).fixedBytes;
  const templateArgs = [
    ...configTemplateArgs(c),
    `fp8lab::GemmType::${GEMM_TYPE[problemKind]}`,
    ...(promote && splitK === 1 ? [] : [String(promote), String(splitK)]),
  ].join(', ');

  const source = [
    '// Generated by extension/src/core/kernelSource.ts: one instantiation of the FP8 1D2D GEMM.',
    `// kind ${problemKind}; block ${c.blockM}x${c.blockN}x${c.blockK}; ${c.numStages} stages; ${c.numMathWarpgroups} math warpgroup(s);`,
    `// cluster ${c.clusterM}x${c.clusterN}${splitK > 1 ? `, K split across the cluster pair (splitK ${splitK})` : ''}; swizzle A/B/D ${c.swizzleA}/${c.swizzleB}/${c.swizzleD} bytes; ${c.numSms} SMs.`,
    `// Launch: grid ${c.numSms} CTAs, cluster (${c.clusterM * c.clusterN * splitK},1,1), block ${threads} threads, dynamic shared`,
    `// memory ${fixedBytes} + B-scale bytes for K (kernelRules.sharedMemoryBytes); D stored in boxes of`,
    `// ${tmaStoreBlockN(c)} x ${c.blockM}.`,
    ...(promote
      ? []
      : ['// Variant: no promotion (all of K accumulated in the tensor-core accumulator; per-tensor scales).']),
    ...(trace
      ? ['// Variant: instrumented (pipeline timeline records into GemmArgs.trace).', '#define FP8LAB_TRACE 1']
      : []),
    ...(shape
      ? [
          `// Compiled for N = ${shape.n}, K = ${shape.k} (any M); the host launches it for that N and K only.`,
          `#define FP8LAB_COMPILED_N ${shape.n}`,
          `#define FP8LAB_COMPILED_K ${shape.k}`,
        ]
      : []),
    // The overlap macros' defaults are mirrored in kernelRules; an experiment (FP8LAB_JIT_DEFINES)
    // that sets one is not checked against the mirror.
    '#if !defined(FP8LAB_OVERLAP_MAX_BLOCK_N) && !defined(FP8LAB_OVERLAP_TILES) && !defined(FP8LAB_OVERLAP_TILES_AHEAD)',
    '#define FP8LAB_OVERLAP_DEFAULTS 1',
    '#endif',
    '#include "fp8lab/impls/sm90_fp8_gemm_1d2d.cuh"',
    '',
    `using Fp8labKernel = fp8lab::Sm90Fp8Gemm1D2D<${templateArgs}>;`,
    `static_assert(Fp8labKernel::kNumThreads == ${threads}, "kernelRules.threadCount disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kSmemFixedBytes == ${fixedBytes}, "kernelRules.sharedMemoryLayout disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kProducerRegisters == ${regs.producer} && Fp8labKernel::kMathRegisters == ${regs.math},`,
    '              "kernelRules.registerSplit disagrees with the kernel");',
    `static_assert(Fp8labKernel::TMA_D_BLOCK_N == ${tmaStoreBlockN(c)}, "kernelRules.tmaStoreBlockN disagrees with the kernel");`,
    // Two probe K values (fixed, so the text stays independent of the problem) cover the SFB part.
    ...PROBE_K.map(
      (k) =>
        `static_assert(Fp8labKernel::smem_bytes(${k}) == ${sharedMemoryLayout(c, k).totalBytes}, "kernelRules.sharedMemoryBytes disagrees with the kernel (K = ${k})");`,
    ),
    '#ifdef FP8LAB_OVERLAP_DEFAULTS',
    `static_assert(Fp8labKernel::kOverlapKBlocks == ${promote && overlapsKBlocks(c)}, "kernelRules.overlapsKBlocks disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kOverlapTiles == ${promote && overlapsTiles(c, problemKind)}, "kernelRules.overlapsTiles disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kOverlapTilesAhead == ${OVERLAP_TILES_AHEAD}, "kernelRules.OVERLAP_TILES_AHEAD disagrees with the kernel");`,
    '#endif',
    '',
    `extern "C" __global__ void __launch_bounds__(${threads}, 1)`,
    `${kernelName}(const __grid_constant__ fp8lab::GemmArgs args) {`,
    `  fp8lab::sm90_fp8_gemm_1d2d_impl<${templateArgs}>(args);`,
    '}',
    '',
  ].join('\n');
  return { source, kernelName };
}

// ---------------------------------------------------------------------------------------------
// The FP32-output 1D1D kernel (kinds 'wgrad' and 'kgrouped'): kernels/include/fp8lab/impls/sm90_fp8_gemm_1d1d.cuh.

const GEMM_TYPE_1D1D: Partial<Record<KernelKind, string>> = { wgrad: 'Normal', kgrouped: 'KGrouped' };

/** Entry-point name of a 1D1D instantiation (every template parameter, like gemmKernelName). */
export function kernelName1d1d(kind: KernelKind, c: GemmConfig): string {
  return (
    `fp8lab_sm90_fp8_gemm_1d1d_${kind}_bm${c.blockM}_bn${c.blockN}_bk${c.blockK}_st${c.numStages}` +
    `_wg${c.numMathWarpgroups}_cm${c.clusterM}_cn${c.clusterN}_sa${c.swizzleA}_sb${c.swizzleB}_sd${c.swizzleD}_sms${c.numSms}`
  );
}

/** Violations that make a 1D1D config impossible to instantiate. */
export function instantiationViolations1d1d(kind: KernelKind, config: GemmConfig): RuleViolation[] {
  const out: RuleViolation[] = [];
  const kindRule = ruleGemmType1d1d(kind);
  if (kindRule) out.push(kindRule);
  for (const rule of CONFIG_RULES_1D1D) {
    const v = rule(config);
    if (v) out.push(v);
  }
  return out;
}

/**
 * The translation unit of one 1D1D instantiation ('wgrad' -> GemmType::Normal, 'kgrouped' ->
 * GemmType::KGrouped). Throws KernelConfigError (E_INVALID_CONFIG) for an illegal config.
 */
export function kernelSource1d1d(problemKind: KernelKind, config: GemmConfig): KernelSource {
  const violations = instantiationViolations1d1d(problemKind, config);
  if (violations.length > 0) throw new KernelConfigError(violations);

  const c = config;
  const kernelName = kernelName1d1d(problemKind, c);
  const threads = threadCount(c.numMathWarpgroups);
  const regs = registerSplit(c.numMathWarpgroups);
  const layout = sharedMemoryLayout1d1d(c);
  const templateArgs = [
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
    `fp8lab::GemmType::${GEMM_TYPE_1D1D[problemKind]}`,
  ].join(', ');

  const source = [
    '// Generated by extension/src/core/kernelSource.ts: one instantiation of the FP8 1D1D GEMM (fp32 D += A·Bᵀ).',
    `// kind ${problemKind}; block ${c.blockM}x${c.blockN}x${c.blockK}; ${c.numStages} stages; ${c.numMathWarpgroups} math warpgroup(s);`,
    `// swizzle A/B/D ${c.swizzleA}/${c.swizzleB}/${c.swizzleD} bytes; ${c.numSms} SMs.`,
    `// Launch: grid ${c.numSms} CTAs, ${c.clusterM * c.clusterN > 1 ? `clusters of ${c.clusterM}x${c.clusterN}` : 'no cluster'}, block ${threads} threads, dynamic shared memory ${layout.totalBytes}`,
    `// (any K); D (3D {N, M, G} fp32) reduced in boxes of ${tmaStoreBlockN1d1d(c)} x ${c.blockM} x 1.`,
    '#include "fp8lab/impls/sm90_fp8_gemm_1d1d.cuh"',
    '',
    `using Fp8labKernel = fp8lab::Sm90Fp8Gemm1D1D<${templateArgs}>;`,
    `static_assert(Fp8labKernel::kNumThreads == ${threads}, "kernelRules.threadCount disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kSmemFixedBytes == ${layout.totalBytes}, "kernelRules1d1d.sharedMemoryLayout1d1d disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kTmaBytesPerStage == ${layout.tmaBytesPerStage}, "kernelRules1d1d.sharedMemoryLayout1d1d (expect_tx) disagrees with the kernel");`,
    `static_assert(Fp8labKernel::kProducerRegisters == ${regs.producer} && Fp8labKernel::kMathRegisters == ${regs.math},`,
    '              "kernelRules.registerSplit disagrees with the kernel");',
    `static_assert(Fp8labKernel::TMA_D_BLOCK_N == ${tmaStoreBlockN1d1d(c)}, "kernelRules1d1d.tmaStoreBlockN1d1d disagrees with the kernel");`,
    '',
    `extern "C" __global__ void __launch_bounds__(${threads}, 1)`,
    `${kernelName}(const __grid_constant__ fp8lab::GemmArgs args) {`,
    `  fp8lab::sm90_fp8_gemm_1d1d_impl<${templateArgs}>(args);`,
    '}',
    '',
  ].join('\n');
  return { source, kernelName };
}

/** The generator for a kind: BF16 for 'bf16' (with its output), 1D1D for 'wgrad' / 'kgrouped', 1D2D otherwise. */
export function kernelSourceForKind(
  problemKind: KernelKind,
  config: GemmConfig,
  options: { output?: Bf16Output; compiledShape?: CompiledShape } = {},
): KernelSource {
  const { output, compiledShape } = options;
  if (isBf16Kind(problemKind)) {
    try {
      return kernelSourceBf16(problemKind, config, { output });
    } catch (err) {
      if (err instanceof Bf16ConfigError) throw new KernelConfigError(err.violations);
      throw err;
    }
  }
  if (is1d1dKind(problemKind)) return kernelSource1d1d(problemKind, config);
  return gemmKernelSource(problemKind, config, compiledShape ? { compiledShape } : {});
}
