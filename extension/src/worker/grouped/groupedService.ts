// The grouped / weight-gradient benchmark and the layout utilities, as the worker and the
// CLI call them. Reuses the bench pipeline's pieces: environment probe, device init, JIT, utility
// kernels, register report, coded errors; the per-case work is in caseBench.ts.
import type {
  CastRequest,
  CastResult,
  GroupedBenchOptions,
  GroupedBenchRun,
  GroupedCase,
  GroupedDraw,
  GroupedResult,
  TransformScalesRequest,
  TransformScalesResult,
} from '../../../protocol/grouped';
import type {
  CompileReport,
  ConfigOverrides,
  EnvironmentReport,
  GemmConfig,
  GemmProblem,
  PeerId,
  RuntimeSettings,
} from '../../../protocol/worker';
import { caseLabel, caseSeed, drawCase, kernelProblem } from '../../core/grouped/cases';
import { groupedConfig } from '../../core/grouped/config';
import { drawFromLayout, groupedLayout } from '../../core/grouped/inputs';
import { tmaAlignedSize } from '../../core/grouped/layout';
import { BF16_GROUP_K_REASON, checkCase, checkGroupK, checkMkAlignment } from '../../core/grouped/validate';
import { BF16_KGROUPED_K_ALIGNMENT, isBf16Kind, layoutKindOf } from '../../core/bf16/kernelRulesBf16';
import { compiledShapeFor, kernelSourceForKind, KernelConfigError } from '../../core/kernelSource';
import { formatConfig } from '../../core/runRows';
import type { AddonModule } from '../addon';
import { DeviceScope } from '../bench/buffers';
import { coded } from '../bench/errors';
import { jitCompile, type Logger } from '../bench/jit';
import { applyOverrides, checkForcedConfig, policyDevice, registerReport } from '../bench/policy';
import { configOverridesProblem } from '../../core/configOverrides';
import { SYNC_TIMEOUT_MS } from '../bench/shapeBench';
import type { BenchHooks } from '../service';
import { defaultJobDeps, firstHopper, initDevice, openJob, runItems, startDevice, type JobDeps } from '../jobPipeline';
import { benchCase } from './caseBench';
import { benchBf16Case } from './bf16Case';
import { openPeers } from '../peers/openPeers';
import { at, GroupedKernels } from './groupedKernels';
import { getGroupedSettings, withGroupedSettings } from './groupedSettings';

export interface GroupedHooks extends Omit<BenchHooks, 'measured'> {
  measured?(result: GroupedResult): void;
}

/** A case made concrete: its draw (or the caller's validated layout), the kernel problem and config. */
export interface PreparedCase {
  c: GroupedCase;
  draw: GroupedDraw;
  layout?: Int32Array;
  problem: GemmProblem;
  config: GemmConfig;
}

/**
 * Validates and draws a case, and resolves its config. Throws coded errors (E_INVALID_SHAPE,
 * E_SHAPE_ALIGNMENT, E_BAD_ARGUMENT, E_INVALID_CONFIG) before anything touches the GPU.
 */
export function prepareCase(
  c: GroupedCase,
  seed: number,
  settings: RuntimeSettings,
  env: EnvironmentReport,
  overrides?: ConfigOverrides,
): PreparedCase {
  const bad = checkCase(c);
  if (bad) throw coded(bad.code, `${caseLabel(c)}: ${bad.message}`);
  const { mkAlignment } = getGroupedSettings(settings);
  const alignmentProblem = checkMkAlignment(mkAlignment, c.psum === true);
  if (alignmentProblem) throw coded(alignmentProblem.code, `${caseLabel(c)}: ${alignmentProblem.message}`);
  let draw: GroupedDraw;
  if (c.layout) {
    const got = drawFromLayout(c, c.layout, seed, { alignment: mkAlignment, hostChecks: c.hostChecks });
    if ('problem' in got) throw coded(got.problem.code, `${caseLabel(c)}: ${got.problem.message}`);
    draw = got.draw;
  } else {
    draw = drawCase(c, seed, mkAlignment);
  }
  if (layoutKindOf(c.kind) === 'contiguous' && !(draw.totalRows && draw.totalRows > 0)) {
    throw coded(
      'E_INVALID_SHAPE',
      `${caseLabel(c)}: every group has 0 rows (ΣM = 0): there is nothing to launch; give one group rows`,
    );
  }
  if (layoutKindOf(c.kind) === 'kgrouped') {
    // Every K_g a whole number of the kernel's K-blocks: 128 (FP8 scaling block) or 64 (BF16 K-block).
    const p =
      c.kind === 'bf16-kgrouped'
        ? checkGroupK(draw.groupK ?? [], c.numGroups, undefined, BF16_KGROUPED_K_ALIGNMENT, BF16_GROUP_K_REASON)
        : checkGroupK(draw.groupK ?? [], c.numGroups, undefined, 128);
    if (p) throw coded(p.code, `${caseLabel(c)}: ${p.message}`);
    if ((draw.groupK ?? []).every((k) => k === 0))
      throw coded(
        'E_INVALID_SHAPE',
        `${caseLabel(c)}: every group is empty (ΣK = 0): D = C already and nothing is launched; give one group K > 0`,
      );
  }
  const layout = c.layout ? Int32Array.from(c.layout) : groupedLayout(c, draw, mkAlignment);
  const problem = kernelProblem(c, draw);
  const device = policyDevice(withGroupedSettings(settings), firstHopper(env));
  let config: GemmConfig;
  if (c.config) {
    checkForcedConfig(c.config, problem, device, caseLabel(c), draw.groupK);
    config = c.config;
  } else if (overrides) {
    // applyOverrides completes it and checks it against the kernel's rules and this GPU.
    config = applyOverrides(problem, device, overrides, draw.groupK);
  } else {
    try {
      config = groupedConfig(problem, device, draw.groupK).config;
    } catch (err) {
      throw coded('E_INVALID_CONFIG', `${caseLabel(c)}: ${(err as Error).message}`);
    }
  }
  return { c, draw, ...(layout ? { layout } : {}), problem, config };
}

/** Compiles the kernel of a prepared case (1D1D for wgrad/kgrouped, 1D2D otherwise). */
export async function compileCase(
  a: AddonModule,
  settings: RuntimeSettings,
  p: PreparedCase,
  log?: Logger,
): Promise<CompileReport> {
  let source;
  try {
    const compiledShape = compiledShapeFor(p.problem, settings.compiledDims);
    source = kernelSourceForKind(p.problem.kind, p.config, {
      output: p.problem.output,
      ...(compiledShape ? { compiledShape } : {}),
    });
  } catch (err) {
    if (err instanceof KernelConfigError) throw coded('E_INVALID_CONFIG', err.message);
    throw err;
  }
  const compiled = await jitCompile(a, settings, source.source, [source.kernelName], log);
  return {
    problem: p.problem,
    config: p.config,
    kernelName: source.kernelName,
    cacheKey: compiled.key,
    cacheHit: compiled.cacheHit,
    compileMs: compiled.elapsedMs,
    cubinPath: compiled.cubinPath,
    ptxasLog: compiled.ptxasLog,
    registers: registerReport(compiled.ptxasLog, source.kernelName, p.config),
    command: compiled.command,
  };
}

export type GroupedDeps = JobDeps;
const defaultDeps: GroupedDeps = defaultJobDeps;

function checkOptions(o: GroupedBenchOptions): void {
  if (!o || typeof o !== 'object') throw coded('E_BAD_ARGUMENT', 'grouped bench options are missing');
  if (!Number.isInteger(o.rounds) || o.rounds < 1)
    throw coded('E_BAD_ARGUMENT', `rounds must be a whole number ≥ 1; got ${o.rounds}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw coded('E_BAD_ARGUMENT', `seed must be a whole number in 0..2^32-1; got ${o.seed}`);
  if (o.config !== undefined) {
    const problem = configOverridesProblem(o.config);
    if (problem) throw coded('E_BAD_ARGUMENT', problem);
  }
}

/**
 * Every case: validated and drawn first (a bad case fails alone with its coded error), compiled,
 * then on a Hopper GPU checked and timed; without one, compiled only (study mode).
 */
export async function benchGrouped(
  settings: RuntimeSettings,
  cases: GroupedCase[],
  options: GroupedBenchOptions,
  hooks: GroupedHooks = {},
  deps: GroupedDeps = defaultDeps,
): Promise<GroupedBenchRun> {
  checkOptions(options);
  if (!Array.isArray(cases) || cases.length === 0)
    throw coded('E_INVALID_SHAPE', 'No grouped cases: give at least one (e.g. --kernel contiguous).');
  const job = await openJob(settings, hooks, deps);
  const { addon: a, env, hopper, gpu, log } = job;
  const run: GroupedBenchRun = {
    id: `grouped-${Date.now().toString(36)}`,
    startedAt: new Date().toISOString(),
    mode: gpu ? 'gpu' : 'study',
    ...(hopper ? { device: hopper } : {}),
    options: { ...options },
    results: [],
  };

  const dev = gpu ? await startDevice(job, settings) : undefined;
  const grouped = dev ? await GroupedKernels.load(a, settings, log) : undefined;
  // DeepGEMM is the grouped kinds' only peer (cuBLASLt and torch have no block-scaled grouped form);
  // the BF16 GEMM also has cuBLASLt's plain BF16 matmul (best of its algorithms; one GEMM only).
  const defaultPeers: PeerId[] = cases.some((c) => c.kind === 'bf16') ? ['cublaslt', 'deepgemm'] : ['deepgemm'];
  const peers = gpu
    ? await openPeers(
        settings,
        { peer: options.peer ?? true, peers: options.peers ?? defaultPeers, timing: options.timing },
        env,
        log,
      )
    : undefined;
  const cublasLt = peers?.shape.cublaslt?.ok
    ? {
        name: peers.shape.cublaslt.name,
        libOptions: { cudaHome: settings.cudaHome, ...(settings.cublasLtPath ? { path: settings.cublasLtPath } : {}) },
      }
    : undefined;
  if (peers) run.peers = peers.availability;
  const prepared: Array<PreparedCase | undefined> = [];
  try {
    const outcome = await runItems(job, {
      items: cases,
      noun: 'cases',
      label: (c) => caseLabel(c),
      ...(peers ? { onCancel: () => peers.kill() } : {}),
      step: async (c, at): Promise<GroupedResult> => {
        const p = (prepared[at.index] = prepareCase(
          c,
          caseSeed(options.seed, at.index),
          settings,
          env,
          options.config,
        ));
        at.progress('compiling', `${caseLabel(c)}: compiling ${formatConfig(p.config)}`);
        const compiled = await compileCase(a, settings, p, log);
        if (dev) {
          // BF16 cases have their own inputs, references and tolerance; the rest is shared.
          return (isBf16Kind(c.kind) ? benchBf16Case : benchCase)(
            {
              addon: a,
              utils: dev.utils,
              grouped: grouped!,
              device: dev.info,
              options,
              progress: at.progress,
              cancelled: at.cancelled,
              python: peers?.shape.python,
              numSms: settings.numSms,
              ...(cublasLt ? { cublasLt } : {}),
            },
            c,
            p.draw,
            p.layout,
            p.problem,
            p.config,
            compiled,
          );
        }
        return {
          case: c,
          draw: p.draw,
          problem: p.problem,
          config: p.config,
          kernelName: compiled.kernelName,
          registers: compiled.registers,
          compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
        };
      },
      failed: (c, i, error) => {
        const p = prepared[i];
        const seed = caseSeed(options.seed, i);
        return {
          case: c,
          draw: p?.draw ?? { seed },
          problem: p?.problem ?? kernelProblem(c, { seed }),
          ...(p ? { config: p.config } : {}),
          error,
        };
      },
      kept: (result) => hooks.measured?.(result),
      summary: (result) => (result.error ? `[${result.error.code}] ${result.error.message}` : 'ok'),
    });
    run.results = outcome.results;
    if (outcome.interrupted) run.interrupted = outcome.interrupted;
  } finally {
    await peers?.close();
  }
  run.finishedAt = new Date().toISOString();
  return run;
}

// ---------------------------------------------------------------------------------------------
// Utilities on the GPU: casts to FP8 and the scale layout conversion, on the caller's host data.

async function gpuFor(
  settings: RuntimeSettings,
  deps: GroupedDeps,
): Promise<{ a: AddonModule; grouped: GroupedKernels }> {
  const a = deps.addon();
  const env = await deps.probe(settings);
  const hopper = firstHopper(env);
  if (!env.canRunKernels || !hopper) throw coded('E_NO_DEVICE', `The FP8 casts run on a Hopper GPU: ${env.summary}`);
  initDevice(a, settings, hopper.ordinal);
  return { a, grouped: await GroupedKernels.load(a, settings) };
}

function decodeF32(base64: string, count: number, what: string): Float32Array {
  if (typeof base64 !== 'string')
    throw coded(
      'E_BAD_ARGUMENT',
      `${what} must be base64 text of ${count} fp32 values; got ${base64 === null ? 'null' : typeof base64}`,
    );
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== count * 4)
    throw coded('E_BAD_ARGUMENT', `${what} holds ${bytes.length} bytes; ${count} fp32 values need ${count * 4}`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

const MAX_UTILITY_ELEMENTS = 1 << 28;

/** Per-token (1x128, scales MN-major TMA-aligned), per-block (128x128) or per-channel cast of fp32 [rows, cols]. */
export async function castToFp8(
  settings: RuntimeSettings,
  req: CastRequest,
  deps: GroupedDeps = defaultDeps,
): Promise<CastResult> {
  const { mode, rows, cols } = req ?? ({} as CastRequest);
  if (!['per-token', 'per-block', 'per-channel'].includes(mode))
    throw coded('E_BAD_ARGUMENT', `cast mode must be per-token, per-block or per-channel; got ${mode}`);
  if (
    !Number.isInteger(rows) ||
    rows < 1 ||
    !Number.isInteger(cols) ||
    cols < 1 ||
    rows * cols > MAX_UTILITY_ELEMENTS
  ) {
    throw coded(
      'E_BAD_ARGUMENT',
      `rows and cols must be whole numbers ≥ 1 with rows·cols ≤ ${MAX_UTILITY_ELEMENTS}; got ${rows} x ${cols}`,
    );
  }
  if (mode !== 'per-channel' && cols % 128 !== 0)
    throw coded(
      'E_SHAPE_ALIGNMENT',
      `the ${mode} cast scales 128-wide groups along K: cols must be a multiple of 128; got ${cols}, pad to ${Math.ceil(cols / 128) * 128}`,
    );
  const x = decodeF32(req.dataBase64, rows * cols, 'data');
  const { a, grouped } = await gpuFor(settings, deps);
  const kBlocks = cols / 128;
  const stride = tmaAlignedSize(rows, 4);
  const scaleShape =
    mode === 'per-token' ? [kBlocks, stride] : mode === 'per-block' ? [Math.ceil(rows / 128), kBlocks] : [rows];
  const scaleCount = scaleShape.reduce((p, v) => p * v, 1);
  const scope = new DeviceScope(a);
  try {
    const xd = scope.alloc(x.byteLength),
      q = scope.alloc(rows * cols),
      sf = scope.alloc(scaleCount * 4);
    a.upload(xd, x);
    if (mode === 'per-token') grouped.castPerToken(at(xd), at(q), at(sf), rows, cols, stride);
    else if (mode === 'per-block') grouped.castPerBlock(at(xd), at(q), at(sf), rows, cols);
    else grouped.castPerChannel(at(xd), at(q), at(sf), rows, cols);
    await a.synchronize(SYNC_TIMEOUT_MS);
    return {
      mode,
      rows,
      cols,
      fp8Base64: Buffer.from(a.download(q, rows * cols)).toString('base64'),
      scalesBase64: Buffer.from(a.download(sf, scaleCount * 4)).toString('base64'),
      scaleLayout:
        mode === 'per-token'
          ? `fp32 [K/128 = ${kBlocks}][TMA-aligned rows = ${stride}] MN-major (SFA, or 1D1D SFB)`
          : mode === 'per-block'
            ? `fp32 [ceil(rows/128)][K/128] (1D2D SFB)`
            : 'fp32 [rows]',
      scaleShape,
    };
  } finally {
    scope.dispose();
  }
}

/** User scales [rows][kBlocks] -> the kernels' [kBlocks][TMA-aligned rows] MN-major layout, on the GPU. */
export async function transformScales(
  settings: RuntimeSettings,
  req: TransformScalesRequest,
  deps: GroupedDeps = defaultDeps,
): Promise<TransformScalesResult> {
  const { rows, kBlocks } = req ?? ({} as TransformScalesRequest);
  if (
    !Number.isInteger(rows) ||
    rows < 1 ||
    !Number.isInteger(kBlocks) ||
    kBlocks < 1 ||
    rows * kBlocks > MAX_UTILITY_ELEMENTS
  ) {
    throw coded('E_BAD_ARGUMENT', `rows and kBlocks must be whole numbers ≥ 1; got ${rows} x ${kBlocks}`);
  }
  const sf = decodeF32(req.dataBase64, rows * kBlocks, 'scales');
  const { a, grouped } = await gpuFor(settings, deps);
  const alignedRows = tmaAlignedSize(rows, 4);
  const scope = new DeviceScope(a);
  try {
    const src = scope.alloc(sf.byteLength),
      dst = scope.alloc(kBlocks * alignedRows * 4);
    a.upload(src, sf);
    grouped.transformScales(at(src), at(dst), rows, kBlocks, alignedRows);
    await a.synchronize(SYNC_TIMEOUT_MS);
    return {
      dataBase64: Buffer.from(a.download(dst, kBlocks * alignedRows * 4)).toString('base64'),
      alignedRows,
      kBlocks,
    };
  } finally {
    scope.dispose();
  }
}
