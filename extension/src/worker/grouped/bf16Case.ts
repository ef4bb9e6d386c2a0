// One BF16 GEMM case on the GPU (kind 'bf16'): random FP32 inputs rounded to BF16 -> the FP32
// reference of those BF16 inputs (plus C when accumulating) -> one launch on NaN-poisoned D ->
// calc_diff over every element against DeepGEMM's BF16 tolerance (1e-5) -> cuBLASLt's BF16 algorithms
// checked the same way and raced (the fastest kept) -> CUDA-graph timing over rotated input sets,
// interleaved with cuBLASLt's best and DeepGEMM's bf16_gemm_nt when the run has them (caseBench's
// timeWithPeers). Every buffer is freed on the way out.
import type { DeviceBuffer, GemmLaunch, Kernel } from '../../../../native/index';
import type { GroupedCase, GroupedDraw, GroupedResult } from '../../../protocol/grouped';
import type { CompileReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { outputBytes } from '../../core/bf16/kernelRulesBf16';
import { caseLabel } from '../../core/grouped/cases';
import { DIFF_WORDS } from '../../core/utilsSource';
import { accuracyProblem, BF16_CALC_DIFF_LIMIT } from '../bench/accuracy';
import { DeviceScope } from '../bench/buffers';
import { cancelledError, codedData, losesContext } from '../bench/errors';
import { gemmLaunchSpec } from '../bench/launchSpec';
import { callsPerGraph, estimateUs, rotationPlan } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS, WARMUP_REPLAYS } from '../bench/shapeBench';
import { timeWithPeers, type CaseContext, type NativePeer } from './caseBench';
import { bestCublasLt, describeAlgorithm } from '../peers/cublasltBest';
import { at } from './groupedKernels';

const ROTATION_MEMORY_FRACTION = 0.4;

/** Bytes of one input set: A and B bf16, D (bf16 or fp32), C (fp32) when accumulating. */
export function bf16CaseBytes(c: Pick<GroupedCase, 'm' | 'n' | 'k' | 'output'>): { a: number; b: number; d: number; c: number; total: number } {
  const out = c.output ?? 'bf16';
  const a = c.m * c.k * 2, b = c.n * c.k * 2, d = c.m * c.n * outputBytes(out);
  const cBytes = out === 'fp32-accumulate' ? c.m * c.n * 4 : 0;
  return { a, b, d, c: cBytes, total: a + b + d + cBytes };
}

export async function benchBf16Case(ctx: CaseContext, c: GroupedCase, draw: GroupedDraw, problem: GemmProblem, config: GemmConfig,
  compiled: CompileReport): Promise<GroupedResult> {
  const { addon, utils, grouped, device, options } = ctx;
  const label = caseLabel(c);
  const checkpoint = () => { if (ctx.cancelled()) throw cancelledError(); };
  const kernel: Kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const result: GroupedResult = {
    case: c, draw, problem, config, kernelName: compiled.kernelName,
    registers: { ...compiled.registers, driver: { numRegs: kernel.attributes.numRegs, localSizeBytes: kernel.attributes.localSizeBytes, sharedSizeBytes: kernel.attributes.sharedSizeBytes } },
    compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
  };
  const { m, n, k } = c;
  const output = c.output ?? 'bf16';
  const fp32 = output !== 'bf16';
  const accumulate = output === 'fp32-accumulate';
  const bytes = bf16CaseBytes(c);
  const scope = new DeviceScope(addon);
  try {
    ctx.progress('checking', `${label}: preparing BF16 inputs and the FP32 reference`);
    const plan = options.timing
      ? rotationPlan(bytes.total, device.l2CacheBytes, device.totalMemoryBytes * ROTATION_MEMORY_FRACTION)
      : rotationPlan(bytes.total, 0, bytes.total);
    const scratch = scope.alloc(Math.max(m * k, n * k) * 4);
    const dist = options.distribution ?? 'normal';
    const sets: Array<{ a: DeviceBuffer; b: DeviceBuffer; d: DeviceBuffer; c?: DeviceBuffer }> = [];
    for (let s = 0; s < plan.sets; s++) {
      const set = { a: scope.alloc(bytes.a), b: scope.alloc(bytes.b), d: scope.alloc(bytes.d), ...(accumulate ? { c: scope.alloc(bytes.c) } : {}) };
      // Random FP32 (DeepGEMM's generators draw torch.randn), rounded to BF16: the kernel's inputs.
      utils.fillRandom(scratch, m, k, operandSeed(options.seed, s, 0), dist);
      grouped.castBf16(at(scratch), at(set.a), m * k);
      utils.fillRandom(scratch, n, k, operandSeed(options.seed, s, 1), dist);
      grouped.castBf16(at(scratch), at(set.b), n * k);
      if (set.c) utils.fillRandom(set.c, m, n, operandSeed(options.seed, s, 1) ^ 0x5a5a5a5an, 'normal');
      sets.push(set);
    }
    const ref = scope.alloc(m * n * 4);
    const s0 = sets[0];
    grouped.referenceBf16(at(s0.a), at(s0.b), s0.c ? at(s0.c) : undefined, at(ref), m, n, k);
    const diff = scope.alloc(DIFF_WORDS * 8);
    await addon.synchronize(SYNC_TIMEOUT_MS);
    checkpoint();

    // Accumulating: the correctness launch reads C and writes a separate D (the launch copies C into D
    // first); the timed launches accumulate in place (D aliases C), so the figure is the kernel's alone.
    const dims = { kind: 'bf16' as const, m, n, k, numGroups: 1 };
    const makeLaunches = (pdl: boolean, inPlace: boolean): GemmLaunch[] => sets.map((set) => scope.adopt(addon.createGemmLaunch(gemmLaunchSpec(kernel, dims, config, {
      a: set.a, b: set.b, d: set.d, ...(set.c ? { c: inPlace ? set.d : set.c } : {}),
    }, { pdl, ...(fp32 ? { dType: 'fp32' as const } : {}) }))));
    const pdl = options.pdl ?? true;
    const check0 = makeLaunches(pdl, false)[0];
    addon.fill32(s0.d, POISON, bytes.d);
    check0.run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const check = await grouped.accuracy([{ d: at(s0.d), ref: at(ref), count: m * n }], fp32, diff, SYNC_TIMEOUT_MS, BF16_CALC_DIFF_LIMIT);
    result.accuracy = { calcDiff: check.calcDiff, maxAbsError: check.maxAbsError, maxRelError: check.maxRelError, unwritten: check.unwritten, passed: check.passed };
    const problemText = accuracyProblem(result.accuracy, check.nonFiniteRef, BF16_CALC_DIFF_LIMIT);
    if (problemText) {
      result.error = { code: 'E_WRONG_RESULT', message: `${label}: wrong result, not timed: ${problemText}` };
      return result;
    }
    checkpoint();
    // cuBLASLt's BF16 matmul on the same inputs: every algorithm it lists checked like ours (the
    // favourite only when not timing), the correct ones raced, the fastest timed beside ours.
    let native: NativePeer | undefined;
    if (ctx.cublasLt) {
      const name = ctx.cublasLt.name;
      ctx.progress('peer', `${label}: checking ${options.timing ? 'and racing ' : ''}${name}'s BF16 algorithms on the same inputs`);
      try {
        const best = await bestCublasLt({
          addon, scope, sets: options.timing ? sets : sets.slice(0, 1), libOptions: ctx.cublasLt.libOptions,
          problem: { m, n, k, dataType: 'bf16', ...(fp32 ? { dType: 'fp32' as const } : {}) },
          check: async (launch) => {
            addon.fill32(s0.d, POISON, bytes.d);
            launch.run();
            await addon.synchronize(SYNC_TIMEOUT_MS);
            const acc = await grouped.accuracy([{ d: at(s0.d), ref: at(ref), count: m * n }], fp32, diff, SYNC_TIMEOUT_MS, BF16_CALC_DIFF_LIMIT);
            return { accuracy: acc, problem: accuracyProblem(acc, acc.nonFiniteRef, BF16_CALC_DIFF_LIMIT) };
          },
          timing: { callsPerGraph: callsPerGraph(estimateUs(2 * m * n * k, bytes.total), plan.sets), warmupReplays: WARMUP_REPLAYS },
          onlyFirst: !options.timing,
        });
        native = { name, launches: best.launches, accuracy: best.accuracy, config: describeAlgorithm(best.algorithm, best.correct) };
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        native = { name, skipped: { id: 'cublaslt', name, skipped: `${name} could not run this shape: [${data.code}] ${data.message}` } };
      }
    }
    if (!options.timing) {
      if (native) result.peers = [native.skipped ?? { id: 'cublaslt', name: native.name, accuracy: native.accuracy!, config: native.config! }];
      return result;
    }
    return await timeWithPeers(ctx, c, draw, result, plan.sets, makeLaunches, pdl, native);
  } finally {
    scope.dispose();
  }
}
