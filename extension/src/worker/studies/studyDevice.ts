// What both studies (timeline, accuracy) need before their first launch: a toolkit, a valid shape
// with its config (forced or the heuristic's), a Hopper GPU initialised, the utility kernels. The
// same doors the benchmark goes through (bench/policy.ts, service.ts), so a study never re-derives
// a rule or a config the benchmark would not.
import type { DeviceBuffer, DeviceInfo, GemmLaunchSpec, Kernel } from '../../../../native/index';
import type { DeviceReport, EnvironmentReport, GemmConfig, GemmProblem, JobProgress, RuntimeSettings } from '../../../protocol/worker';
import { loadAddon, type AddonModule } from '../addon';
import { cancelledError, coded } from '../bench/errors';
import type { Logger } from '../bench/jit';
import { policyDevice, resolveConfig, validateBench } from '../bench/policy';
import { UtilKernels } from '../bench/utilKernels';
import { probeEnvironment } from '../environment';
import { firstHopper, initDevice } from '../service';
import { gemmLaunchSpec, normalDims } from '../bench/launchSpec';

export interface StudyHooks {
  progress?(p: JobProgress): void;
  cancelled?(): boolean;
  log?: Logger;
  jobId?: string;
}

/** What a study reaches outside itself; tests pass fakes. */
export interface StudyDeps {
  addon(): AddonModule;
  probe(settings: RuntimeSettings): Promise<EnvironmentReport>;
}
export const defaultStudyDeps: StudyDeps = { addon: () => loadAddon().addon, probe: probeEnvironment };

export interface Study {
  addon: AddonModule;
  problem: GemmProblem;
  config: GemmConfig;
  hopper: DeviceReport;
  info: DeviceInfo;
  utils: UtilKernels;
  log: Logger;
  progress(phase: JobProgress['phase'], message: string): void;
  /** Throws E_CANCELLED when the caller asked to stop. */
  checkpoint(): void;
}

/** Resolves the problem and its config and checks for a GPU; `what` names the study in messages. */
export async function resolveStudy(settings: RuntimeSettings, problem: GemmProblem, what: string, deps: StudyDeps) {
  const env = await deps.probe(settings);
  if (!env.canCompileKernels) throw coded('E_NO_COMPILER', env.toolkit.problem ?? 'No usable CUDA toolkit: nvcc ≥ 12.3 is needed to compile kernels.');
  const [valid] = validateBench([problem], env);
  const hopper = firstHopper(env);
  const { config } = resolveConfig(valid, policyDevice(settings, hopper), valid.config, settings);
  if (!env.canRunKernels || !hopper) {
    throw coded('E_NO_DEVICE', `The ${what} runs the kernel on the GPU, so it needs a Hopper GPU (sm_90) and its driver; this machine has none usable: ${env.summary}`);
  }
  return { env, problem: { ...valid, config }, config, hopper };
}

export async function openStudy(settings: RuntimeSettings, resolved: Awaited<ReturnType<typeof resolveStudy>>, hooks: StudyHooks,
  deps: StudyDeps): Promise<Study> {
  const a = deps.addon();
  const log: Logger = hooks.log ?? (() => {});
  const jobId = hooks.jobId ?? 'local';
  const info = initDevice(a, settings, resolved.hopper.ordinal);
  const utils = await UtilKernels.load(a, settings, log);
  return {
    addon: a, problem: resolved.problem, config: resolved.config, hopper: resolved.hopper, info, utils, log,
    progress: (phase, message) => hooks.progress?.({ jobId, index: 0, total: 1, phase, message }),
    checkpoint: () => { if (hooks.cancelled?.() === true) throw cancelledError(); },
  };
}

export interface OperandSet { a: DeviceBuffer; b: DeviceBuffer; sfa: DeviceBuffer; sfb: DeviceBuffer; d: DeviceBuffer }

/** The GEMM launch of one config on one operand set: the same spec the benchmark launches (bench/launchSpec.ts). */
export function gemmSpec(kernel: Kernel, problem: GemmProblem, config: GemmConfig, set: OperandSet, pdl: boolean): GemmLaunchSpec {
  return gemmLaunchSpec(kernel, normalDims(problem), config, set, { pdl });
}
