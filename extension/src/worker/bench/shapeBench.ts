// One shape on the GPU: inputs -> reference -> correctness of our kernel (and of the peer) ->
// interleaved CUDA-graph timing over rotated inputs. Every buffer is freed on the way out.
import type { DeviceBuffer, DeviceInfo, GemmLaunch, Kernel, PeerLaunch, TimingOptions } from '../../../../native/index';
import type {
  Accuracy,
  BenchOptions,
  CompileReport,
  GemmConfig,
  GemmProblem,
  JobProgress,
  PeerResult,
  RuntimeSettings,
  ShapeResult,
} from '../../../protocol/worker';
import { gbps, gemmBytes, gemmFlops, summarize, tflops } from '../../core/stats';
import { PEER_ORDER } from '../../core/peers/runPeers';
import type { DistributionName } from '../../core/utilsSource';
import { DIFF_WORDS } from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyProblem } from './accuracy';
import { DeviceScope } from './buffers';
import { cancelledError, codedData, losesContext } from './errors';
import { callsPerGraph, estimateUs, rotationPlan, setSizes, type RotationPlan, type SetSizes } from './plan';
import type { UtilKernels } from './utilKernels';
import { bestCublasLt, describeAlgorithm, type BestCublasLt } from '../peers/cublasltBest';
import {
  preparePythonPeers,
  releasePythonPeers,
  timeRounds,
  type PreparedPeer,
  type PythonPeers,
} from '../peers/pythonPeers';
import { gemmLaunchSpec, normalDims } from './launchSpec';
import { launchWithPdl } from '../../core/launchPolicy';

/** A BF16/FP32 NaN in every 16-bit half: what D holds where the kernel wrote nothing. */
export const POISON = 0xffffffff;
export const WARMUP_REPLAYS = 3;
/** Generous: the slowest legitimate step (the 8192³ reference GEMM) takes well under a second. */
export const SYNC_TIMEOUT_MS = 60_000;
/** Launches timed back to back from JavaScript for the host-overhead figure. */
export const HOST_OVERHEAD_LAUNCHES = 200;
/** The rotation may use at most this fraction of the device's memory. */
const ROTATION_MEMORY_FRACTION = 0.4;

export interface HostOverhead {
  usPerLaunch: number;
  launches: number;
  method: string;
}

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
  peers: ShapePeers;
  measureHostOverhead: boolean;
}

/** The peers a run asked for: cuBLASLt inside the addon, DeepGEMM and torch through the Python helper. */
export interface ShapePeers {
  /** Absent when not asked for; otherwise loadable (with its name and version) or why not. */
  cublaslt?: { ok: true; name: string; path?: string; winners?: Map<string, number> } | { ok: false; reason: string };
  /** Absent when none of them was asked for. */
  python?: PythonPeers;
}

export interface InputSet {
  a: DeviceBuffer;
  b: DeviceBuffer;
  sfa: DeviceBuffer;
  sfb: DeviceBuffer;
  d: DeviceBuffer;
}

/** Seeds per set and operand, so set s of a shape holds the same numbers in every run with that seed. */
export function operandSeed(seed: number, set: number, operand: 0 | 1): bigint {
  return (BigInt.asUintN(32, BigInt(seed)) << 32n) | BigInt(set * 2 + operand);
}

export async function benchShape(
  ctx: ShapeContext,
  compiled: CompileReport,
): Promise<{ result: ShapeResult; hostOverhead?: HostOverhead }> {
  const { addon, options } = ctx;
  const problem: GemmProblem = compiled.problem;
  const { m, n, k } = problem;
  const config = compiled.config;
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };

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
    const pdlWanted = launchWithPdl(options.pdl ?? true, config.numSms, ctx.device.smCount);
    let pdl = pdlWanted;
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

    // The peers. cuBLASLt runs on the same inputs and D buffers, each algorithm checked the same way
    // before it is timed; DeepGEMM and torch quantise their own inputs by the same recipe and check
    // them in the helper. A peer's failure costs only its column (unless it takes the context down).
    const { flops, bytes, timing } = timingPlan(problem, plan.sets, options);
    const peerResults: PeerResult[] = [];
    let cublas: BestCublasLt | undefined;
    let cublasName = 'cuBLASLt';
    if (ctx.peers.cublaslt && !ctx.peers.cublaslt.ok) {
      peerResults.push({ id: 'cublaslt', name: cublasName, skipped: ctx.peers.cublaslt.reason });
    } else if (ctx.peers.cublaslt?.ok) {
      cublasName = ctx.peers.cublaslt.name;
      const winners = ctx.peers.cublaslt.winners;
      const shapeKey = `${m}x${n}x${k}`;
      ctx.progress(
        'peer',
        `${m}x${n}x${k}: checking ${options.timing ? 'and racing ' : ''}cuBLASLt's algorithms on the same inputs`,
      );
      const libOptions = {
        cudaHome: ctx.settings.cudaHome,
        ...(ctx.settings.cublasLtPath ? { path: ctx.settings.cublasLtPath } : {}),
      };
      try {
        cublas = await bestCublasLt({
          addon,
          scope,
          sets: options.timing ? sets : sets.slice(0, 1),
          problem: { m, n, k },
          libOptions,
          check: (launch) => checkLaunch(ctx, launch, inputs),
          timing: { callsPerGraph: timing.callsPerGraph, warmupReplays: timing.warmupReplays },
          onlyFirst: !options.timing,
          ...(options.timing && winners?.has(shapeKey) ? { known: winners.get(shapeKey) } : {}),
        });
        if (options.timing) winners?.set(shapeKey, cublas.algorithm.index);
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        peerResults.push({
          id: 'cublaslt',
          name: cublasName,
          skipped: `cuBLASLt could not run this shape: [${data.code}] ${data.message}`,
        });
      }
    }
    checkpoint();
    let python: { peers: PythonPeers; prepared: PreparedPeer[] } | undefined;
    if (ctx.peers.python && options.timing) {
      ctx.progress(
        'peer',
        `${m}x${n}x${k}: preparing ${
          ctx.peers.python.available
            .filter((p) => p.available)
            .map((p) => p.name)
            .join(' and ') || 'no'
        } Python peer(s)`,
      );
      const prep = await preparePythonPeers(
        ctx.peers.python,
        { kind: 'normal', m, n, k },
        options.seed,
        ctx.settings.numSms,
        ctx.cancelled,
      );
      peerResults.push(...prep.skipped);
      python = { peers: ctx.peers.python, prepared: prep.prepared };
    }
    try {
      checkpoint();
      if (!options.timing) {
        if (cublas)
          peerResults.unshift({
            id: 'cublaslt',
            name: cublasName,
            config: describeAlgorithm(cublas.algorithm, cublas.correct),
            accuracy: cublas.accuracy,
          });
        result.peers = peerResults;
        return { result };
      }

      let hostOverhead: HostOverhead | undefined;
      if (ctx.measureHostOverhead) hostOverhead = await measureHostOverhead(addon, ours[0]);

      const names = [cublas ? 'cuBLASLt' : '', ...(python?.prepared ?? []).map((p) => p.prepared.name)].filter(Boolean);
      ctx.progress(
        'timing',
        `${m}x${n}x${k}: timing ${plan.sets} rotated input set(s)${names.length ? ` interleaved with ${names.join(', ')}` : ''}`,
      );
      let timed: Awaited<ReturnType<typeof timeRounds>> | undefined;
      let lastError: unknown;
      // Fallbacks, each said in the result: a peer that cannot be captured into a graph must not cost
      // our own figure (time ours alone); a capture that refuses programmatic dependent launch gets
      // plain launches.
      for (let attempt = 0; attempt < 3 && !timed; attempt++) {
        try {
          timed = await timeRounds(addon, cublas ? [ours, cublas.launches] : [ours], timing, python, ctx.cancelled);
        } catch (err) {
          lastError = err;
          const data = codedData(err);
          if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
          if (cublas) {
            peerResults.push({
              id: 'cublaslt',
              name: cublasName,
              skipped: `cuBLASLt could not be timed in a CUDA graph: [${data.code}] ${data.message}`,
            });
            cublas = undefined;
          } else if (pdl) {
            pdl = false;
            ours = makeLaunches(false);
            ctx.progress(
              'timing',
              `${m}x${n}x${k}: graph capture failed with PDL ([${data.code}] ${data.message}); timing without it`,
            );
          } else {
            throw err;
          }
        }
      }
      if (!timed) throw lastError;
      if (!pdl && pdlWanted)
        result.timingNote = 'timed without programmatic dependent launch: the graph capture refused it';
      else if (!pdlWanted && (options.pdl ?? true))
        result.timingNote = `timed without programmatic dependent launch: the grid uses ${config.numSms} of the GPU's ${ctx.device.smCount} SMs`;
      result.timing = { ...timingOf(timed.perCallUs[0], flops, bytes), roundsUs: timed.perCallUs[0] };
      const ourMedian = result.timing.medianUs;
      const peerTiming = (samples: number[]) => {
        const stats = summarize(samples);
        return {
          ...stats,
          tflops: tflops(flops, stats.medianUs),
          ratio: stats.medianUs / ourMedian,
          roundsUs: samples,
        };
      };
      const timedPeers: PeerResult[] = [];
      if (cublas) {
        const a = cublas.algorithm;
        timedPeers.push({
          id: 'cublaslt',
          name: cublasName,
          config: describeAlgorithm(a, cublas.correct),
          accuracy: cublas.accuracy,
          timing: peerTiming(timed.perCallUs[1]),
          details: {
            algorithmsOffered: cublas.offered,
            ...(cublas.correct >= 0 ? { algorithmsCorrect: cublas.correct } : {}),
            heuristicRank: a.index + 1,
            algoId: a.id,
            tile: a.tile,
            stages: a.stages,
            splitK: a.splitK,
          },
        });
      }
      for (const p of python?.prepared ?? []) {
        const samples = timed.pythonUs.get(p.id);
        const dropped = timed.dropped.get(p.id);
        timedPeers.push(
          samples && samples.length
            ? {
                id: p.id,
                name: p.prepared.name,
                accuracy: p.prepared.accuracy,
                timing: peerTiming(samples),
                ...(p.prepared.config ? { config: p.prepared.config } : {}),
                ...(p.prepared.numSms ? { details: { numSms: p.prepared.numSms } } : {}),
              }
            : {
                id: p.id,
                name: p.prepared.name,
                accuracy: p.prepared.accuracy,
                skipped: dropped ?? 'no timing came back',
              },
        );
      }
      result.peers = orderPeers([...timedPeers, ...peerResults]);
      return { result, ...(hostOverhead ? { hostOverhead } : {}) };
    } finally {
      if (python) await releasePythonPeers(python.peers, python.prepared);
    }
  } finally {
    scope.dispose();
  }
}

function orderPeers(peers: PeerResult[]): PeerResult[] {
  return [...peers].sort((a, b) => PEER_ORDER.indexOf(a.id) - PEER_ORDER.indexOf(b.id));
}

/** What a compiled kernel reports before it runs: its config, registers (ptxas and driver) and compile. */
export function compiledResult(compiled: CompileReport, kernel: Kernel): ShapeResult {
  return {
    problem: compiled.problem,
    config: compiled.config,
    registers: {
      ...compiled.registers,
      driver: {
        numRegs: kernel.attributes.numRegs,
        localSizeBytes: kernel.attributes.localSizeBytes,
        sharedSizeBytes: kernel.attributes.sharedSizeBytes,
      },
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
      a: scope.alloc(sizes.a),
      b: scope.alloc(sizes.b),
      sfa: scope.alloc(sizes.sfa),
      sfb: scope.alloc(sizes.sfb),
      d: scope.alloc(sizes.d),
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
export function gemmLaunches(
  addon: AddonModule,
  scope: DeviceScope,
  kernel: Kernel,
  problem: GemmProblem,
  config: GemmConfig,
  sets: InputSet[],
  pdl: boolean,
): GemmLaunch[] {
  return sets.map((set) =>
    scope.adopt(addon.createGemmLaunch(gemmLaunchSpec(kernel, normalDims(problem), config, set, { pdl }))),
  );
}

/**
 * Correctness of one launch on set 0: D poisoned with NaN, one run, every element compared with the
 * reference. `problem` says why it failed (undefined when it passed).
 */
export async function checkLaunch(
  ctx: InputContext,
  launch: GemmLaunch | PeerLaunch,
  inputs: ShapeInputs,
): Promise<{ accuracy: Accuracy; problem?: string }> {
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
export function timingPlan(
  problem: GemmProblem,
  sets: number,
  options: BenchOptions,
): { flops: number; bytes: number; timing: TimingOptions } {
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
  return {
    calcDiff: check.calcDiff,
    maxAbsError: check.maxAbsError,
    maxRelError: check.maxRelError,
    unwritten: check.unwritten,
    passed: check.passed,
  };
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
