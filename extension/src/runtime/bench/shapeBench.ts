// One shape on the GPU: inputs -> reference -> correctness of our kernel (and of the peer) ->
// interleaved CUDA-graph timing over rotated inputs. Every buffer is freed on the way out.
import type { DeviceBuffer, DeviceInfo, GemmLaunch, Kernel, PeerLaunch, TimingOptions } from '../../../../native/index';
import type { Accuracy, BenchOptions, CompileReport, GemmConfig, GemmProblem, JobProgress, RuntimeSettings, ShapeResult } from '../../../protocol/worker';
import { gbps, gemmBytes, gemmFlops, summarize, tflops } from '../../core/stats';
import type { DistributionName } from '../../core/utilsSource';
import { DIFF_WORDS } from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyProblem } from './accuracy';
import { DeviceScope } from './buffers';
import { cancelledError, codedData, losesContext } from './errors';
import { callsPerGraph, estimateUs, rotationPlan, setSizes, type RotationPlan, type SetSizes } from './plan';
import type { UtilKernels } from './utilKernels';

/** A BF16/FP32 NaN in every 16-bit half: what D holds where the kernel wrote nothing. */
export const POISON = 0xffffffff;
export const WARMUP_REPLAYS = 3;
/** Generous: the slowest legitimate step (the 8192³ reference GEMM) takes well under a second. */
export const SYNC_TIMEOUT_MS = 60_000;
/** Launches timed back to back from JavaScript for the host-overhead figure. */
export const HOST_OVERHEAD_LAUNCHES = 200;
/** The rotation may use at most this fraction of the device's memory. */
const ROTATION_MEMORY_FRACTION = 0.4;

export interface HostOverhead { usPerLaunch: number; launches: number; method: string }

export interface ShapeContext {
  addon: AddonModule;
  settings: RuntimeSettings;
  utils: UtilKernels;
  device: DeviceInfo;
  options: BenchOptions & { distribution?: DistributionName; pdl?: boolean };
  index: number;
  total: number;
  progress(phase: JobProgress['phase'], message: string): void;
  cancelled(): boolean;
  /** Present when the peer can run; otherwise the reason it is skipped. */
  peer: { ok: true; path?: string } | { ok: false; reason: string };
  measureHostOverhead: boolean;
}

export interface InputSet {
  a: DeviceBuffer; b: DeviceBuffer; sfa: DeviceBuffer; sfb: DeviceBuffer; d: DeviceBuffer;
}

/** Seeds per set and operand, so set s of a shape holds the same numbers in every run with that seed. */
export function operandSeed(seed: number, set: number, operand: 0 | 1): bigint {
  return (BigInt.asUintN(32, BigInt(seed)) << 32n) | BigInt(set * 2 + operand);
}

export async function benchShape(ctx: ShapeContext, compiled: CompileReport): Promise<{ result: ShapeResult; hostOverhead?: HostOverhead }> {
  const { addon, options } = ctx;
  const problem: GemmProblem = compiled.problem;
  const { m, n, k } = problem;
  const config = compiled.config;
  const checkpoint = () => { if (ctx.cancelled()) throw cancelledError(); };

  const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const result = compiledResult(compiled, kernel);

  const scope = new DeviceScope(addon);
  try {
    checkpoint();
    ctx.progress('checking', `${m}x${n}x${k}: preparing inputs and the FP32 reference`);
    const inputs = await prepareInputs(ctx, scope, problem);
    const { plan, sets } = inputs;
    checkpoint();

    const makeLaunches = (pdl: boolean): GemmLaunch[] => gemmLaunches(addon, scope, kernel, problem, config, sets, pdl);
    let pdl = options.pdl ?? true;
    let ours = makeLaunches(pdl);

    // Correctness first: poison D, one launch, every element checked against the reference.
    const checked = await checkLaunch(ctx, ours[0], inputs);
    result.accuracy = checked.accuracy;
    const problemText = checked.problem;
    if (problemText) {
      // Never time a wrong kernel: the figure would mean nothing.
      result.error = { code: 'E_WRONG_RESULT', message: `${m}x${n}x${k}: wrong result, not timed: ${problemText}` };
      return { result };
    }
    checkpoint();

    // The peer, on the same inputs and the same D buffers, checked the same way before it is timed.
    // Its failures cost only its column (unless they take the context down).
    let peers: PeerLaunch[] | undefined;
    if (!options.peer) {
      result.peer = { skipped: 'the peer was turned off (--no-peer)' };
    } else if (!ctx.peer.ok) {
      result.peer = { skipped: ctx.peer.reason };
    } else {
      ctx.progress('peer', `${m}x${n}x${k}: checking cuBLASLt on the same inputs`);
      const peerOptions = { cudaHome: ctx.settings.cudaHome, ...(ctx.settings.cublasLtPath ? { path: ctx.settings.cublasLtPath } : {}) };
      try {
        peers = sets.map((set) => scope.adopt(addon.createCublasLtLaunch({ m, n, k, a: set.a, b: set.b, sfa: set.sfa, sfb: set.sfb, d: set.d }, peerOptions)));
        const peerChecked = await checkLaunch(ctx, peers[0], inputs);
        result.peerAccuracy = peerChecked.accuracy;
        const peerProblem = peerChecked.problem;
        if (peerProblem) {
          result.peer = { skipped: `cuBLASLt's result failed the accuracy check, so it was not timed: ${peerProblem}` };
          peers = undefined;
        }
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        result.peer = { skipped: `cuBLASLt could not run this shape: [${data.code}] ${data.message}` };
        peers = undefined;
      }
    }
    checkpoint();
    if (!options.timing) return { result };

    let hostOverhead: HostOverhead | undefined;
    if (ctx.measureHostOverhead) hostOverhead = await measureHostOverhead(addon, ours[0]);

    ctx.progress('timing', `${m}x${n}x${k}: timing ${plan.sets} rotated input set(s)${peers ? ' interleaved with cuBLASLt' : ''}`);
    const { flops, bytes, timing } = timingPlan(problem, plan.sets, options);
    let timed: Awaited<ReturnType<AddonModule['timeGraphs']>> | undefined;
    let lastError: unknown;
    // Fallbacks, each said in the result: a peer that cannot be captured into a graph must not cost
    // our own figure (time ours alone); a capture that refuses programmatic dependent launch gets
    // plain launches.
    for (let attempt = 0; attempt < 3 && !timed; attempt++) {
      try {
        timed = await addon.timeGraphs(peers ? [ours, peers] : [ours], timing);
      } catch (err) {
        lastError = err;
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        if (peers) {
          result.peer = { skipped: `cuBLASLt could not be timed in a CUDA graph: [${data.code}] ${data.message}` };
          peers = undefined;
        } else if (pdl) {
          pdl = false;
          ours = makeLaunches(false);
          ctx.progress('timing', `${m}x${n}x${k}: graph capture failed with PDL ([${data.code}] ${data.message}); timing without it`);
        } else {
          throw err;
        }
      }
    }
    if (!timed) throw lastError;
    if (!pdl && (options.pdl ?? true)) result.timingNote = 'timed without programmatic dependent launch: the graph capture refused it';
    result.timing = { ...timingOf(timed.perCallUs[0], flops, bytes), roundsUs: timed.perCallUs[0] };
    if (peers) {
      const peerStats = summarize(timed.perCallUs[1]);
      result.peer = {
        ...peerStats, tflops: tflops(flops, peerStats.medianUs), ratio: peerStats.medianUs / result.timing.medianUs,
        name: 'cuBLASLt block-scaled FP8', roundsUs: timed.perCallUs[1],
      };
    }
    return { result, ...(hostOverhead ? { hostOverhead } : {}) };
  } finally {
    scope.dispose();
  }
}

/** What a compiled kernel reports before it runs: its config, registers (ptxas and driver) and compile. */
export function compiledResult(compiled: CompileReport, kernel: Kernel): ShapeResult {
  return {
    problem: compiled.problem,
    config: compiled.config,
    registers: {
      ...compiled.registers,
      driver: { numRegs: kernel.attributes.numRegs, localSizeBytes: kernel.attributes.localSizeBytes, sharedSizeBytes: kernel.attributes.sharedSizeBytes },
    },
    compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
  };
}

/** The input context prepareInputs and checkLaunch need (a ShapeContext satisfies it). */
export type InputContext = Pick<ShapeContext, 'addon' | 'utils' | 'device' | 'options'>;

export interface ShapeInputs {
  sizes: SetSizes;
  plan: RotationPlan;
  /** The rotated input sets (each with its own D); set 0 is the one checked against `ref`. */
  sets: InputSet[];
  /** FP32 reference of set 0. */
  ref: DeviceBuffer;
  /** Scratch for the calc_diff reduction's result words. */
  diff: DeviceBuffer;
}

/**
 * The rotated input sets of a shape (random fill, per-token A / per-block B casts; enough sets to
 * exceed 3x L2 when timing, one otherwise) and the FP32 reference of set 0, all owned by `scope`.
 */
export async function prepareInputs(ctx: InputContext, scope: DeviceScope, problem: GemmProblem): Promise<ShapeInputs> {
  const { addon, utils, options, device } = ctx;
  const { m, n, k } = problem;
  const sizes = setSizes(m, n, k);
  const plan = options.timing
    ? rotationPlan(sizes.total, device.l2CacheBytes, device.totalMemoryBytes * ROTATION_MEMORY_FRACTION)
    : rotationPlan(sizes.total, 0, sizes.total);
  const scratch = scope.alloc(Math.max(m, n) * k * 4);
  const sets: InputSet[] = [];
  for (let s = 0; s < plan.sets; s++) {
    const set: InputSet = {
      a: scope.alloc(sizes.a), b: scope.alloc(sizes.b), sfa: scope.alloc(sizes.sfa), sfb: scope.alloc(sizes.sfb), d: scope.alloc(sizes.d),
    };
    utils.fillRandom(scratch, m, k, operandSeed(options.seed, s, 0), options.distribution ?? 'normal');
    utils.castPerToken(scratch, set.a, set.sfa, m, k, sizes.sfaStride);
    utils.fillRandom(scratch, n, k, operandSeed(options.seed, s, 1), options.distribution ?? 'normal');
    utils.castPerBlock(scratch, set.b, set.sfb, n, k);
    sets.push(set);
  }
  const ref = scope.alloc(m * n * 4);
  const diff = scope.alloc(DIFF_WORDS * 8);
  utils.referenceGemm(sets[0].a, sets[0].sfa, sets[0].b, sets[0].sfb, ref, m, n, k, sizes.sfaStride);
  await addon.synchronize(SYNC_TIMEOUT_MS);
  return { sizes, plan, sets, ref, diff };
}

/** One launch of a compiled kernel per input set (the rotation timeGraphs cycles through). */
export function gemmLaunches(addon: AddonModule, scope: DeviceScope, kernel: Kernel, problem: GemmProblem, config: GemmConfig,
  sets: InputSet[], pdl: boolean): GemmLaunch[] {
  const { m, n, k } = problem;
  return sets.map((set) => scope.adopt(addon.createGemmLaunch({
    kernel, kind: problem.kind, m, n, k, numGroups: 1,
    blockM: config.blockM, blockN: config.blockN, blockK: config.blockK, numStages: config.numStages,
    numMathWarpgroups: config.numMathWarpgroups, clusterM: config.clusterM, clusterN: config.clusterN, splitK: config.splitK ?? 1,
    swizzleA: config.swizzleA, swizzleB: config.swizzleB, swizzleD: config.swizzleD,
    numSms: config.numSms, sharedBytes: config.sharedBytes,
    a: set.a, b: set.b, sfa: set.sfa, sfb: set.sfb, d: set.d, pdl,
  })));
}

/**
 * Correctness of one launch on set 0: D poisoned with NaN, one run, every element compared with the
 * reference. `problem` says why it failed (undefined when it passed).
 */
export async function checkLaunch(ctx: InputContext, launch: GemmLaunch | PeerLaunch, inputs: ShapeInputs): Promise<{ accuracy: Accuracy; problem?: string }> {
  const { addon, utils } = ctx;
  const { sets, sizes, ref, diff } = inputs;
  const elements = sizes.d / 2; // D is M x N BF16
  addon.fill32(sets[0].d, POISON, sizes.d);
  launch.run();
  await addon.synchronize(SYNC_TIMEOUT_MS);
  const check = await utils.accuracy(sets[0].d, ref, elements, diff, SYNC_TIMEOUT_MS);
  const accuracy = stripCheck(check);
  const problem = accuracyProblem(accuracy, check.nonFiniteRef);
  return { accuracy, ...(problem ? { problem } : {}) };
}

/** How a shape's candidates are timed: graph size from a roofline guess, warm-up, rounds. */
export function timingPlan(problem: GemmProblem, sets: number, options: BenchOptions): { flops: number; bytes: number; timing: TimingOptions } {
  const { m, n, k } = problem;
  const flops = gemmFlops(m, n, k);
  const bytes = gemmBytes({ m, n, k });
  const calls = callsPerGraph(estimateUs(flops, bytes), sets, options.callsPerGraph);
  return { flops, bytes, timing: { callsPerGraph: calls, warmupReplays: WARMUP_REPLAYS, rounds: options.rounds } };
}

/** Statistics of one entry's per-call samples with the throughput they imply. */
export function timingOf(samples: number[], flops: number, bytes: number): NonNullable<ShapeResult['timing']> {
  const stats = summarize(samples);
  return { ...stats, tflops: tflops(flops, stats.medianUs), gbps: gbps(bytes, stats.medianUs), flops, bytes };
}

function stripCheck(check: Accuracy & { nonFiniteRef?: number }): Accuracy {
  return { calcDiff: check.calcDiff, maxAbsError: check.maxAbsError, maxRelError: check.maxRelError, unwritten: check.unwritten, passed: check.passed };
}

/**
 * Host cost of one launch from JavaScript: HOST_OVERHEAD_LAUNCHES back-to-back run() calls timed
 * with process.hrtime around the loop (the GPU drains them afterwards; nothing is subtracted).
 */
async function measureHostOverhead(addon: AddonModule, launch: GemmLaunch): Promise<HostOverhead> {
  await addon.synchronize(SYNC_TIMEOUT_MS);
  launch.run(); // first call may touch lazily initialised state; not counted
  await addon.synchronize(SYNC_TIMEOUT_MS);
  const start = process.hrtime.bigint();
  for (let i = 0; i < HOST_OVERHEAD_LAUNCHES; i++) launch.run();
  const elapsedNs = Number(process.hrtime.bigint() - start);
  await addon.synchronize(SYNC_TIMEOUT_MS);
  return {
    usPerLaunch: elapsedNs / 1000 / HOST_OVERHEAD_LAUNCHES,
    launches: HOST_OVERHEAD_LAUNCHES,
    method: `${HOST_OVERHEAD_LAUNCHES} back-to-back GemmLaunch.run() calls (one cuLaunchKernelEx each) timed with process.hrtime in the worker; nothing subtracted`,
  };
}

