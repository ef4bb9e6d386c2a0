// One shape on the GPU: inputs -> reference -> correctness of our kernel (and of the peer) ->
// interleaved CUDA-graph timing over rotated inputs. Every buffer is freed on the way out.
import type { DeviceBuffer, DeviceInfo, GemmLaunch, PeerLaunch } from '../../../../native/index';
import type { Accuracy, BenchOptions, CompileReport, GemmProblem, JobProgress, RuntimeSettings, ShapeResult } from '../../../protocol/worker';
import { gbps, gemmBytes, gemmFlops, summarize, tflops } from '../../core/stats';
import type { DistributionName } from '../../core/utilsSource';
import { DIFF_WORDS } from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyProblem } from './accuracy';
import { DeviceScope } from './buffers';
import { cancelledError, codedData, losesContext } from './errors';
import { callsPerGraph, estimateUs, rotationPlan, setSizes } from './plan';
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

interface InputSet {
  a: DeviceBuffer; b: DeviceBuffer; sfa: DeviceBuffer; sfb: DeviceBuffer; d: DeviceBuffer;
}

/** Seeds per set and operand, so set s of a shape holds the same numbers in every run with that seed. */
export function operandSeed(seed: number, set: number, operand: 0 | 1): bigint {
  return (BigInt.asUintN(32, BigInt(seed)) << 32n) | BigInt(set * 2 + operand);
}

export async function benchShape(ctx: ShapeContext, compiled: CompileReport): Promise<{ result: ShapeResult; hostOverhead?: HostOverhead }> {
  const { addon, utils, options, device } = ctx;
  const problem: GemmProblem = compiled.problem;
  const { m, n, k } = problem;
  const config = compiled.config;
  const checkpoint = () => { if (ctx.cancelled()) throw cancelledError(); };

  const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const result: ShapeResult = {
    problem,
    config,
    registers: {
      ...compiled.registers,
      driver: { numRegs: kernel.attributes.numRegs, localSizeBytes: kernel.attributes.localSizeBytes, sharedSizeBytes: kernel.attributes.sharedSizeBytes },
    },
    compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
  };

  const scope = new DeviceScope(addon);
  try {
    checkpoint();
    ctx.progress('checking', `${m}x${n}x${k}: preparing inputs and the FP32 reference`);
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
      utils.fillRandom(scratch, m, k, operandSeed(options.seed, s, 0), ctx.options.distribution ?? 'normal');
      utils.castPerToken(scratch, set.a, set.sfa, m, k, sizes.sfaStride);
      utils.fillRandom(scratch, n, k, operandSeed(options.seed, s, 1), ctx.options.distribution ?? 'normal');
      utils.castPerBlock(scratch, set.b, set.sfb, n, k);
      sets.push(set);
    }
    const ref = scope.alloc(m * n * 4);
    const diff = scope.alloc(DIFF_WORDS * 8);
    utils.referenceGemm(sets[0].a, sets[0].sfa, sets[0].b, sets[0].sfb, ref, m, n, k, sizes.sfaStride);
    await addon.synchronize(SYNC_TIMEOUT_MS);
    checkpoint();

    const makeLaunches = (pdl: boolean): GemmLaunch[] => sets.map((set) => scope.adopt(addon.createGemmLaunch({
      kernel, kind: problem.kind, m, n, k, numGroups: 1,
      blockM: config.blockM, blockN: config.blockN, blockK: config.blockK, numStages: config.numStages,
      numMathWarpgroups: config.numMathWarpgroups, clusterM: config.clusterM, clusterN: config.clusterN, splitK: config.splitK ?? 1,
      swizzleA: config.swizzleA, swizzleB: config.swizzleB, swizzleD: config.swizzleD,
      numSms: config.numSms, sharedBytes: config.sharedBytes,
      a: set.a, b: set.b, sfa: set.sfa, sfb: set.sfb, d: set.d, pdl,
    })));
    let pdl = options.pdl ?? true;
    let ours = makeLaunches(pdl);

    // Correctness first: poison D, one launch, every element checked against the reference.
    addon.fill32(sets[0].d, POISON, sizes.d);
    ours[0].run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const check = await utils.accuracy(sets[0].d, ref, m * n, diff, SYNC_TIMEOUT_MS);
    result.accuracy = stripCheck(check);
    const problemText = accuracyProblem(result.accuracy, check.nonFiniteRef);
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
        addon.fill32(sets[0].d, POISON, sizes.d);
        peers[0].run();
        await addon.synchronize(SYNC_TIMEOUT_MS);
        const peerCheck = await utils.accuracy(sets[0].d, ref, m * n, diff, SYNC_TIMEOUT_MS);
        result.peerAccuracy = stripCheck(peerCheck);
        const peerProblem = accuracyProblem(result.peerAccuracy, peerCheck.nonFiniteRef);
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
    const flops = gemmFlops(m, n, k);
    const bytes = gemmBytes({ m, n, k });
    const calls = callsPerGraph(estimateUs(flops, bytes), plan.sets, options.callsPerGraph);
    const timing = { callsPerGraph: calls, warmupReplays: WARMUP_REPLAYS, rounds: options.rounds };
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
    const ourStats = summarize(timed.perCallUs[0]);
    result.timing = { ...ourStats, tflops: tflops(flops, ourStats.medianUs), gbps: gbps(bytes, ourStats.medianUs), flops, bytes };
    if (peers) {
      const peerStats = summarize(timed.perCallUs[1]);
      result.peer = { ...peerStats, tflops: tflops(flops, peerStats.medianUs), ratio: peerStats.medianUs / ourStats.medianUs, name: 'cuBLASLt block-scaled FP8' };
    }
    return { result, ...(hostOverhead ? { hostOverhead } : {}) };
  } finally {
    scope.dispose();
  }
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

