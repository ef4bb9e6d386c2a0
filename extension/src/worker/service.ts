// What the runtime worker (worker/worker.ts) and the CLI (cli/*.ts) call: configs, compiles, the
// benchmark pipeline and the fault hook. The same code runs in both, so a terminal run on a GPU
// server produces exactly what the extension shows.
import { cpus } from 'node:os';
import type { DeviceInfo } from '../../../native/index';
import type {
  BenchOptions,
  DeviceCeilings,
  BenchRun,
  CompileJob,
  CompileReport,
  ConfigOrigin,
  ConfigReport,
  EnvironmentReport,
  GemmConfig,
  GemmProblem,
  RuntimeSettings,
  ShapeResult,
  TuneRun,
} from '../../protocol/worker';
import { gemmFlops } from '../core/stats';
import { compiledShapeFor } from '../core/kernelSource';
import { loadAddon, type AddonModule } from './addon';
import {
  ceilingsFile,
  CEILING_GEMM,
  measureMemoryGBps,
  raiseToObserved,
  readCeilings,
  writeCeilings,
} from './bench/ceilings';
import { compileGemm } from './bench/compileGemm';
import { coded, codedData } from './bench/errors';
import {
  defaultJobDeps,
  firstHopper,
  initDevice,
  openJob,
  requireCompiler,
  requireGpu,
  runItems,
  startDevice,
  type JobDeps,
  type JobHooks,
} from './jobPipeline';
import { TaskPool, type Logger } from './bench/jit';
import {
  applyOverrides,
  chooseFor,
  policyDevice,
  resolveConfig,
  validateBench,
  validateForPlanning,
  type ConfigOverrides,
  type PolicyDevice,
} from './bench/policy';
import { benchShape, SYNC_TIMEOUT_MS, type HostOverhead, type ShapePeers } from './bench/shapeBench';
import { openPeers } from './peers/openPeers';
import { timedPeer } from '../core/peers/runPeers';
import { tuneShape } from './bench/tuneShape';
import { UtilKernels } from './bench/utilKernels';
import { probeEnvironment } from './environment';
import { shapeLabel } from '../core/shapes';
import { loadChoiceContext, modelMode } from './choiceContext';
import type { ChoiceContext } from '../core/tuning/choice';
import { withGroupedSettings } from './grouped/groupedSettings';

export interface BenchHooks extends JobHooks {
  measured?(result: ShapeResult): void;
}

/**
 * Compiles at once: each holds one thread of libuv's pool (UV_THREADPOOL_SIZE, default 4) while
 * nvcc runs, and synchronize/timing need threads of the same pool, so two stay free; and at most
 * one nvcc per two cores.
 */
export function compileConcurrency(
  threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4,
  cores = cpus().length,
): number {
  return Math.max(1, Math.min(threadPool - 2, Math.floor(cores / 2), 6));
}

function addon(): AddonModule {
  return loadAddon().addon;
}

// Where the machine is probed and the device started: the job pipeline (kept importable from here).
export { firstHopper, initDevice, requireCompiler };

// ---------------------------------------------------------------------------------------------

/**
 * The choice context (tuned records, calibrated model) for this machine's GPU. A store or profile
 * that cannot be read is a warning and the H100 defaults, never a failed run; a bad FP8LAB_MODEL is
 * an error.
 */
export async function choiceContextFor(
  settings: RuntimeSettings,
  env: EnvironmentReport,
  device: PolicyDevice,
  options: { tuned?: boolean; log?: Logger } = {},
): Promise<ChoiceContext> {
  const mode = modelMode();
  try {
    return await loadChoiceContext(settings, env, firstHopper(env), device, {
      mode: options.tuned === false && mode === 'auto' ? 'calibrated' : mode,
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (err) {
    const data = codedData(err);
    options.log?.(
      'warn',
      `tuning store or device profile not read, so the model runs with H100 defaults: ${data.message}`,
    );
    return { defaultsReason: `the tuning store could not be read: ${data.message}` };
  }
}

/**
 * The candidate table for a problem (no GPU needed; the device's SM count when one is present).
 * `tuned: false` ranks by the (calibrated) model alone, as `fp8lab tune` does.
 */
export async function configs(
  settings: RuntimeSettings,
  problem: GemmProblem,
  options: { tuned?: boolean } = {},
): Promise<ConfigReport> {
  const env = await probeEnvironment(settings);
  const [valid] = validateForPlanning([problem], env);
  const { device, consultsTuning } = planFor(settings, env, valid.kind);
  return chooseFor(
    valid,
    device,
    settings,
    undefined,
    consultsTuning ? await choiceContextFor(settings, env, device, options) : undefined,
  );
}

/**
 * The device a kind is planned for, and whether tuned records and the device profile are consulted:
 * only for the Normal FP8 GEMM, the one kind with a tune. The grouped bench's kinds plan as that bench
 * does, for the SMs the grouped runtime is set to use.
 */
function planFor(
  settings: RuntimeSettings,
  env: EnvironmentReport,
  kind: GemmProblem['kind'],
): { device: PolicyDevice; consultsTuning: boolean } {
  const groupedBench = kind !== 'normal' && kind !== 'bf16';
  return {
    device: policyDevice(groupedBench ? withGroupedSettings(settings) : settings, firstHopper(env)),
    consultsTuning: kind === 'normal',
  };
}

/** Compiles the kernel for a problem (forced config or the heuristic's) and reports its registers. */
export async function compileKernel(settings: RuntimeSettings, job: CompileJob): Promise<CompileReport> {
  const env = await probeEnvironment(settings);
  requireCompiler(env);
  const [problem] = validateForPlanning([job.problem], env);
  const forced = job.config ?? problem.config;
  const { device, consultsTuning } = planFor(settings, env, problem.kind);
  const { config } = resolveConfig(
    problem,
    device,
    forced,
    settings,
    undefined,
    forced || !consultsTuning ? undefined : await choiceContextFor(settings, env, device),
  );
  return compileGemm(addon(), settings, problem, config);
}

/** Problems with a forced config built from partial overrides (the CLI's --config), planned as their kind's bench plans them. */
export async function completeConfigs(
  settings: RuntimeSettings,
  problems: GemmProblem[],
  overrides: ConfigOverrides,
): Promise<GemmProblem[]> {
  const env = await probeEnvironment(settings);
  return validateForPlanning(problems, env).map((p) => ({
    ...p,
    config: applyOverrides(p, planFor(settings, env, p.kind).device, overrides),
  }));
}

const HANG_SECONDS = 15;
const HANG_TIMEOUT_MS = 2_000;

/** Test hook: launches the illegal-address kernel and waits; rejects E_KERNEL_FAULT (the context is then lost). */
export async function testFault(settings: RuntimeSettings, kind: 'illegal-address' | 'hang'): Promise<never> {
  const a = addon();
  const env = await probeEnvironment(settings);
  const gpu = firstHopper(env) ?? env.devices[0];
  if (!gpu) throw coded('E_NO_DEVICE', `No GPU to run the ${kind} test kernel on: ${env.summary}`);
  initDevice(a, settings, gpu.ordinal);
  const utils = await UtilKernels.load(a, settings);
  // The spinning kernel gives up by itself after HANG_SECONDS, so even a process that outlives the
  // timeout leaves the GPU free soon after.
  if (kind === 'illegal-address') utils.fault();
  else utils.hang(HANG_SECONDS);
  await a.synchronize(kind === 'hang' ? HANG_TIMEOUT_MS : SYNC_TIMEOUT_MS);
  throw coded('E_INTERNAL', `The ${kind} test kernel completed without the expected failure.`);
}

// ---------------------------------------------------------------------------------------------

/** What bench() and tune() reach outside themselves; tests pass fakes. */
export type BenchDeps = JobDeps;
const defaultBenchDeps: BenchDeps = defaultJobDeps;

export async function bench(
  settings: RuntimeSettings,
  problems: GemmProblem[],
  options: BenchOptions,
  hooks: BenchHooks = {},
  deps: BenchDeps = defaultBenchDeps,
): Promise<BenchRun> {
  checkOptions(options);
  if (!Array.isArray(problems) || problems.length === 0)
    throw coded(
      'E_INVALID_SHAPE',
      'No shapes to benchmark: give at least one, e.g. 4096,7168,2048 or the deepseek preset.',
    );
  const job = await openJob(settings, hooks, deps);
  const { addon: a, env, hopper, gpu, log } = job;
  const valid = validateBench(problems, env); // every shape checked before anything runs

  const run: BenchRun = {
    id: newRunId(),
    startedAt: new Date().toISOString(),
    mode: gpu ? 'gpu' : 'study',
    ...(hopper ? { device: hopper } : {}),
    ...(env.driver.ok ? { driverVersion: env.driver.version } : {}),
    ...(env.toolkit.version ? { toolkitVersion: env.toolkit.version } : {}),
    options: { ...options },
    results: [],
  };
  const device = policyDevice(settings, hopper);
  const choice = valid.some((p) => !p.config) ? await choiceContextFor(settings, env, device, { log }) : undefined;
  const choices = valid.map((p) => resolveConfig(p, device, p.config, settings, log, choice));
  const resolved = choices.map((c) => c.config);
  // Every result says where its config came from (a tuned record, the calibrated model, the defaults, forced).
  const origins = choices.map(
    (c): ConfigOrigin => c.report?.configOrigin ?? { kind: 'forced', text: 'forced (--config or an explorer run)' },
  );

  // Every distinct kernel is compiled once, all of them up front and a few at a time, so compiles
  // overlap the GPU work of earlier shapes. Shapes that share a kernel reuse it (an in-memory hit).
  const pool = new TaskPool(compileConcurrency());
  const byKernel = new Map<string, Promise<CompileReport>>();
  const compiles = valid.map((p, i) => {
    // The kernel depends on the config and, for a Normal GEMM, on the N and K compiled into it.
    const key = `${p.kind}:${JSON.stringify(resolved[i])}:${JSON.stringify(compiledShapeFor(p, settings.compiledDims) ?? null)}`;
    const first = byKernel.get(key);
    const promise = first
      ? first.then((r) => ({ ...r, problem: p, cacheHit: true, compileMs: 0 }))
      : pool.run(() => compileGemm(a, settings, p, resolved[i], log));
    if (!first) byKernel.set(key, promise);
    promise.catch(() => {}); // awaited (and reported) in order below; this only marks it handled
    return promise;
  });

  const dev = gpu ? await startDevice(job, settings) : undefined;
  const peers = gpu ? await openPeers(settings, options, env, log) : undefined;
  if (peers) run.peers = peers.availability;
  let hostOverhead: HostOverhead | undefined;
  try {
    const outcome = await runItems(job, {
      items: valid,
      noun: 'shapes',
      label: (problem) => shapeLabel(problem),
      // A cancel stops the Python helper at once, even in the middle of a DeepGEMM compile.
      ...(peers ? { onCancel: () => peers.kill() } : {}),
      step: async (problem, at) => {
        const i = at.index;
        at.progress(
          'compiling',
          `${shapeLabel(problem)}: compiling ${describeConfig(resolved[i])} (${origins[i].text})`,
        );
        const compiled = await compiles[i];
        let result: ShapeResult;
        if (dev) {
          const out = await benchShape(
            {
              addon: a,
              settings,
              utils: dev.utils,
              device: dev.info,
              options,
              index: i,
              total: valid.length,
              progress: at.progress,
              cancelled: at.cancelled,
              peers: peers!.shape,
              measureHostOverhead: options.timing && hostOverhead === undefined,
            },
            compiled,
          );
          result = out.result;
          if (out.hostOverhead) hostOverhead = out.hostOverhead;
        } else {
          result = {
            problem,
            config: compiled.config,
            registers: compiled.registers,
            compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
          };
        }
        result.configOrigin = origins[i];
        return result;
      },
      failed: (problem, i, error) => ({ problem, config: resolved[i], error, configOrigin: origins[i] }),
      kept: (result) => hooks.measured?.(result),
      summary: resultSummary,
    });
    run.results = outcome.results;
    if (outcome.interrupted) run.interrupted = outcome.interrupted;
  } finally {
    await peers?.close();
  }

  if (hostOverhead) run.hostOverhead = hostOverhead;
  if (dev && !run.interrupted && options.timing) {
    try {
      const cublaslt = env.cublasLt.available
        ? { ok: true as const, name: 'cuBLASLt', ...(env.cublasLt.path ? { path: env.cublasLt.path } : {}) }
        : undefined;
      run.ceilings = await deviceCeilings(
        a,
        settings,
        dev.utils,
        dev.info,
        device,
        options,
        cublaslt,
        run.results,
        log,
      );
    } catch (err) {
      const data = codedData(err);
      log('warn', `device ceilings not measured: [${data.code}] ${data.message}`);
    }
  }
  run.finishedAt = new Date().toISOString();
  return run;
}

/**
 * Times several candidate configs of ONE shape against each other (see bench/tuneShape.ts): the
 * kernels compile in parallel while the inputs are made once; each candidate is checked, then all
 * correct ones are timed interleaved in one run. Needs a Hopper GPU; options.peer is ignored.
 */
export async function tune(
  settings: RuntimeSettings,
  problem: GemmProblem,
  configs: GemmConfig[],
  options: BenchOptions,
  hooks: BenchHooks = {},
  deps: BenchDeps = defaultBenchDeps,
): Promise<TuneRun> {
  checkOptions(options);
  if (!Array.isArray(configs) || configs.length === 0) {
    throw coded(
      'E_BAD_ARGUMENT',
      'No candidate configs to time: give at least one (gemm/configs lists the legal candidates of a shape).',
    );
  }
  const job = await openJob(settings, hooks, deps);
  const { addon: a, env, log } = job;
  const [valid] = validateBench([problem], env);
  const hopper = requireGpu(job, 'Tuning times kernels on the GPU, so it needs a Hopper GPU; here: ');
  const startedAt = new Date().toISOString();
  const device = policyDevice(settings, hopper);

  // Every compile starts now, a few at a time; an illegal config fails only its own candidate.
  const pool = new TaskPool(compileConcurrency());
  const candidates = configs.map((forced) => {
    let compiled: Promise<CompileReport>;
    try {
      const { config } = resolveConfig(valid, device, forced, settings, log);
      compiled = pool.run(() => compileGemm(a, settings, valid, config, log));
    } catch (err) {
      compiled = Promise.reject(err);
    }
    compiled.catch(() => {}); // awaited (and reported) by tuneShape; this only marks it handled
    return { config: forced, compiled };
  });
  job.progress(0, configs.length, 'compiling', `${shapeLabel(valid)}: compiling ${configs.length} candidate(s)`);
  const dev = await startDevice(job, settings);
  const outcome = await tuneShape({ ...job, utils: dev.utils, device: dev.info, options }, valid, candidates);
  outcome.results.forEach((r) => hooks.measured?.(r));
  job.progress(
    configs.length - 1,
    configs.length,
    'done',
    `${shapeLabel(valid)}: ${outcome.results.filter((r) => r.timing).length} of ${configs.length} candidate(s) timed`,
  );
  return {
    problem: valid,
    startedAt,
    finishedAt: new Date().toISOString(),
    device: hopper,
    options: { ...options },
    ...outcome,
  };
}

function checkOptions(o: BenchOptions): void {
  if (!o || typeof o !== 'object')
    throw coded('E_BAD_ARGUMENT', 'bench options are missing: pass { timing, peer, rounds, seed }.');
  if (!Number.isInteger(o.rounds) || o.rounds < 1 || o.rounds > 10_000)
    throw coded('E_BAD_ARGUMENT', `rounds must be a whole number from 1 to 10000; got ${o.rounds}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw coded('E_BAD_ARGUMENT', `seed must be a whole number from 0 to 4294967295; got ${o.seed}`);
  if (
    o.callsPerGraph !== undefined &&
    (!Number.isInteger(o.callsPerGraph) || o.callsPerGraph < 1 || o.callsPerGraph > 4096)
  ) {
    throw coded('E_BAD_ARGUMENT', `callsPerGraph must be a whole number from 1 to 4096; got ${o.callsPerGraph}`);
  }
  if (o.distribution !== undefined && !['normal', 'outliers', 'tiny'].includes(o.distribution)) {
    throw coded(
      'E_BAD_ARGUMENT',
      `distribution must be normal, outliers or tiny; got ${JSON.stringify(o.distribution)}`,
    );
  }
}

function newRunId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
}

function describeConfig(c: {
  blockM: number;
  blockN: number;
  numStages: number;
  clusterM: number;
  clusterN: number;
  pingpong?: number;
}): string {
  return `${c.blockM}x${c.blockN}${c.pingpong ? ' ping-pong' : ''}, ${c.numStages} stages, cluster ${c.clusterM}x${c.clusterN}`;
}

function resultSummary(r: ShapeResult): string {
  if (r.error) return `[${r.error.code}] ${r.error.message}`;
  if (r.timing)
    return `${r.timing.medianUs.toFixed(1)} µs, ${r.timing.tflops.toFixed(0)} TFLOPS, calc_diff ${r.accuracy?.calcDiff.toExponential(1)}`;
  if (r.accuracy) return `calc_diff ${r.accuracy.calcDiff.toExponential(1)}`;
  return `compiled: ${r.registers?.registers} registers, ${(r.registers?.spillStoresBytes ?? 0) + (r.registers?.spillLoadsBytes ?? 0)} spill bytes`;
}

/** Measured once per device and cached in the JIT cache folder; see bench/ceilings.ts. */
async function deviceCeilings(
  a: AddonModule,
  settings: RuntimeSettings,
  utils: UtilKernels,
  info: DeviceInfo,
  device: PolicyDevice,
  options: BenchOptions,
  cublaslt: ShapePeers['cublaslt'],
  results: ShapeResult[],
  log: Logger,
) {
  const file = ceilingsFile(settings.cacheDir, info);
  const cached = await readCeilings(file);
  const ceilings = cached ?? (await measureCeilings(a, settings, utils, info, device, options, cublaslt, log));
  // A timed kernel of this run that beat the roofs raises them (see raiseToObserved); write once.
  const raised = raiseToObserved(ceilings, results);
  if (!cached || raised !== ceilings) await writeCeilings(file, raised);
  return raised;
}

/** Measures the FP8 and memory roofs of a device (see bench/ceilings.ts). */
async function measureCeilings(
  a: AddonModule,
  settings: RuntimeSettings,
  utils: UtilKernels,
  info: DeviceInfo,
  device: PolicyDevice,
  options: BenchOptions,
  cublaslt: ShapePeers['cublaslt'],
  log: Logger,
): Promise<DeviceCeilings> {
  const problem: GemmProblem = { kind: 'normal', ...CEILING_GEMM };
  const config = resolveConfig(problem, device, undefined, settings).config;
  const compiled = await compileGemm(a, settings, problem, config, log);
  const { result } = await benchShape(
    {
      addon: a,
      settings,
      utils,
      device: info,
      options: { ...options, peer: cublaslt !== undefined, rounds: 5 },
      index: 0,
      total: 1,
      progress: () => {},
      cancelled: () => false,
      peers: cublaslt ? { cublaslt } : {},
      measureHostOverhead: false,
    },
    compiled,
  );
  if (!result.timing)
    throw coded(
      result.error?.code ?? 'E_INTERNAL',
      `the ${CEILING_GEMM.m}³ GEMM did not produce a timing: ${result.error?.message ?? 'unknown'}`,
    );
  // The roof is the fastest block-scaled FP8 GEMM seen on this device: ours or cuBLASLt's, whichever
  // wins, so no figure can read above 100% merely because our own kernel set the bar.
  const peerMinUs = timedPeer(result, 'cublaslt')?.minUs;
  const bestUs = Math.min(result.timing.minUs, peerMinUs ?? Infinity);
  const bestName =
    bestUs === result.timing.minUs ? `our GEMM (${describeConfig(config)})` : 'cuBLASLt block-scaled FP8';
  const memory = await measureMemoryGBps(a, utils, info);
  return {
    fp8Tflops: gemmFlops(CEILING_GEMM.m, CEILING_GEMM.n, CEILING_GEMM.k) / (bestUs * 1e-6) / 1e12,
    bandwidthGBps: memory.gbps,
    method:
      `FP8: the faster of our GEMM and cuBLASLt block-scaled FP8 at ${shapeLabel(CEILING_GEMM)} ` +
      `(${bestName} won), fastest of 5 interleaved CUDA-graph rounds over rotated inputs (correctness checked first); ${memory.method}. ` +
      `Measured on ${info.name}.`,
    measuredAt: new Date().toISOString(),
  };
}
