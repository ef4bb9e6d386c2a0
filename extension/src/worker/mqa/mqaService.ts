// The MQA-logits benchmark as the worker and the CLI call it: every case validated first (a bad case
// fails alone, with its coded problem), its kernel compiled by the JIT (registers from ptxas), then
// on a Hopper GPU checked against the FP32 reference and timed beside DeepGEMM; without one,
// compiled only (study mode). The per-case GPU work is in mqaCaseBench.ts.
import {
  MQA_LOGITS_STRIDES,
  type MqaBenchOptions,
  type MqaBenchRun,
  type MqaCase,
  type MqaKind,
  type MqaResult,
} from '../../../protocol/mqa';
import type { EnvironmentReport, RuntimeSettings } from '../../../protocol/worker';
import { caseProblems, mqaKernelConfig } from '../../core/mqa/mqaRules';
import { mqaCaseLabel, MQA_KINDS } from '../../core/mqa/mqaShapes';
import { mqaKernelSource } from '../../core/mqa/mqaSource';
import { findEntry, parsePtxas } from '../../core/ptxas';
import { loadAddon, type AddonModule } from '../addon';
import { cancelledError, coded, codedData, losesContext } from '../bench/errors';
import { jitCompile, type Logger } from '../bench/jit';
import { probeEnvironment } from '../environment';
import { openPeers } from '../peers/openPeers';
import { firstHopper, initDevice, type BenchHooks } from '../service';
import { benchMqaCase } from './mqaCaseBench';
import { MqaUtilKernels } from './mqaKernels';

export interface MqaHooks extends Omit<BenchHooks, 'measured'> {
  measured?(result: MqaResult): void;
}

export interface MqaDeps {
  addon(): AddonModule;
  probe(settings: RuntimeSettings): Promise<EnvironmentReport>;
}
const defaultDeps: MqaDeps = { addon: () => loadAddon().addon, probe: probeEnvironment };

/** Seed of case i: the run's seed and the case's place, so a recorded run reproduces every draw. */
export const mqaCaseSeed = (seed: number, index: number): number => ((seed >>> 0) * 1000003 + index) >>> 0;

function checkOptions(o: MqaBenchOptions): void {
  if (!o || typeof o !== 'object') throw coded('E_BAD_ARGUMENT', 'MQA bench options are missing');
  if (!Number.isInteger(o.rounds) || o.rounds < 1)
    throw coded('E_BAD_ARGUMENT', `rounds must be a whole number ≥ 1; got ${o.rounds}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw coded('E_BAD_ARGUMENT', `seed must be a whole number in 0..2^32-1; got ${o.seed}`);
  if (o.logitsStride !== undefined && !MQA_LOGITS_STRIDES.includes(o.logitsStride))
    throw coded(
      'E_BAD_ARGUMENT',
      `logitsStride must be ${MQA_LOGITS_STRIDES.join(' or ')}; got ${JSON.stringify(o.logitsStride)}`,
    );
}

export async function benchMqa(
  settings: RuntimeSettings,
  kind: MqaKind,
  cases: MqaCase[],
  options: MqaBenchOptions,
  hooks: MqaHooks = {},
  deps: MqaDeps = defaultDeps,
): Promise<MqaBenchRun> {
  checkOptions(options);
  if (!(MQA_KINDS as readonly string[]).includes(kind))
    throw coded('E_BAD_ARGUMENT', `the MQA-logits kind must be ${MQA_KINDS.join(' or ')}; got ${String(kind)}`);
  if (!Array.isArray(cases) || cases.length === 0)
    throw coded('E_INVALID_SHAPE', `No ${kind} cases: give at least one shape, or none for DeepGEMM's list.`);
  const stray = cases.find((c) => !c || typeof c !== 'object' || c.kind !== kind);
  if (stray)
    throw coded(
      'E_BAD_ARGUMENT',
      `every case of a ${kind} run must be a ${kind} case; got ${JSON.stringify(stray)?.slice(0, 120)}`,
    );
  const a = deps.addon();
  const env = await deps.probe(settings);
  if (!env.canCompileKernels)
    throw coded(
      'E_NO_COMPILER',
      env.toolkit.problem ?? 'No usable CUDA toolkit: nvcc ≥ 12.3 is needed to compile kernels.',
    );
  const hopper = firstHopper(env);
  const gpu = env.canRunKernels && hopper !== undefined;
  const log: Logger = hooks.log ?? (() => {});
  const jobId = hooks.jobId ?? 'local';
  const cancelled = () => hooks.cancelled?.() === true;
  const run: MqaBenchRun = {
    id: `${kind}-${Date.now().toString(36)}`,
    kind,
    startedAt: new Date().toISOString(),
    mode: gpu ? 'gpu' : 'study',
    ...(hopper ? { device: { name: hopper.name, smCount: hopper.smCount } } : {}),
    options: { ...options },
    results: [],
  };

  let utils: MqaUtilKernels | undefined;
  let info;
  if (gpu) {
    info = initDevice(a, settings, hopper!.ordinal);
    utils = await MqaUtilKernels.load(a, settings, log);
  }
  const numSms =
    settings.numSms && settings.numSms > 0
      ? Math.min(settings.numSms, info?.smCount ?? settings.numSms)
      : (info?.smCount ?? hopper?.smCount ?? 132);
  // DeepGEMM is the only peer of these kernels (cuBLASLt and torch have no such fused op).
  const peers = gpu
    ? await openPeers(settings, { peer: options.peer ?? true, peers: ['deepgemm'], timing: options.timing }, env, log)
    : undefined;
  const dg = peers?.availability.find((p) => p.id === 'deepgemm');
  if (dg && !dg.available) run.peerNote = dg.reason ?? 'DeepGEMM is not available';
  const watchCancel = peers
    ? setInterval(() => {
        if (cancelled()) peers.kill();
      }, 200)
    : undefined;
  try {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const label = mqaCaseLabel(c);
      const progress = (phase: 'compiling' | 'checking' | 'timing' | 'peer' | 'done', message: string) =>
        hooks.progress?.({ jobId, index: i, total: cases.length, phase, message });
      if (cancelled()) {
        run.interrupted = { code: 'E_CANCELLED', message: cancelledError().message };
        break;
      }
      const seed = mqaCaseSeed(options.seed, i);
      const result: MqaResult = { case: c, draw: { seed, validPairs: 0 } };
      try {
        const problems = caseProblems(c);
        if (problems.length > 0)
          throw coded(problems[0].code, `${label}: ${problems.map((p) => p.message).join('; ')}`);
        const config = mqaKernelConfig(c);
        result.config = config;
        const source = mqaKernelSource(config);
        progress('compiling', `${label}: compiling ${source.kernelName}`);
        const compiled = await jitCompile(a, settings, source.source, [source.kernelName, source.helperName], log);
        result.kernelName = source.kernelName;
        result.compile = { cacheHit: compiled.cacheHit, ms: compiled.elapsedMs, cacheKey: compiled.key };
        const entry = findEntry(parsePtxas(compiled.ptxasLog), source.kernelName);
        if (entry) {
          result.registers = {
            registers: entry.registers,
            spillStoresBytes: entry.spillStoresBytes,
            spillLoadsBytes: entry.spillLoadsBytes,
            stackFrameBytes: entry.stackFrameBytes,
          };
        }
        if (gpu) {
          await benchMqaCase(
            {
              addon: a,
              utils: utils!,
              device: info!,
              options,
              progress,
              cancelled,
              python: peers?.shape.python,
              numSms,
            },
            c,
            seed,
            config,
            { cubinPath: compiled.cubinPath, kernelName: source.kernelName, helperName: source.helperName },
            result,
          );
        }
      } catch (err) {
        const data = codedData(err);
        if (data.code === 'E_CANCELLED') {
          run.interrupted = { code: data.code, message: data.message };
          break;
        }
        result.error = { code: data.code, message: data.message };
        run.results.push(result);
        hooks.measured?.(result);
        progress('done', `${label}: [${data.code}] ${data.message}`);
        if (losesContext(data)) {
          run.interrupted = {
            code: data.code,
            message: `${label}: ${data.message} The CUDA context is lost; the remaining cases were not run.`,
          };
          break;
        }
        continue;
      }
      run.results.push(result);
      hooks.measured?.(result);
      progress('done', `${label}: ${result.error ? `[${result.error.code}] ${result.error.message}` : 'ok'}`);
    }
  } finally {
    if (watchCancel) clearInterval(watchCancel);
    await peers?.close();
  }
  run.finishedAt = new Date().toISOString();
  return run;
}
