// What both studies (timeline, accuracy) need before their first launch: a toolkit, a valid shape
// with its config (forced or the heuristic's), a Hopper GPU initialised, the utility kernels. The
// same doors the benchmark goes through (the job pipeline, bench/policy.ts), so a study never
// re-derives a rule or a config the benchmark would not.
import type { DeviceBuffer, DeviceInfo, GemmLaunchSpec, Kernel } from '../../../../native/index';
import type { DeviceReport, GemmConfig, GemmProblem, JobProgress, RuntimeSettings } from '../../../protocol/worker';
import { shapeLabel } from '../../core/shapes';
import type { AddonModule } from '../addon';
import type { Logger } from '../bench/jit';
import { policyDevice, resolveConfig, validateBench, validateForPlanning } from '../bench/policy';
import type { UtilKernels } from '../bench/utilKernels';
import {
  defaultJobDeps,
  openJob,
  requireGpu,
  runSingle,
  startDevice,
  type JobDeps,
  type JobHooks,
} from '../jobPipeline';
import { gemmLaunchSpec, normalDims } from '../bench/launchSpec';

export type StudyHooks = JobHooks;

/** What a study reaches outside itself; tests pass fakes. */
export type StudyDeps = JobDeps;
export const defaultStudyDeps: StudyDeps = defaultJobDeps;

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

/**
 * A study as one job of the pipeline (jobPipeline.ts): the probe, the problem and its config
 * resolved (forced or the heuristic's), a Hopper GPU required and started, then `body` as the job's
 * one item, whose failure is the study's. `what` names the study in messages.
 */
export async function runStudy<R>(
  settings: RuntimeSettings,
  problem: GemmProblem,
  what: string,
  hooks: StudyHooks,
  deps: StudyDeps,
  body: (study: Study) => Promise<R>,
  options: { bf16?: boolean } = {},
): Promise<R> {
  const job = await openJob(settings, hooks, deps);
  // The FP8 GEMM; the BF16 GEMM (kind 'bf16') only for the studies that say they run it (the timeline).
  const [valid] =
    options.bf16 && problem?.kind === 'bf16'
      ? validateForPlanning([problem], job.env)
      : validateBench([problem], job.env);
  const { config } = resolveConfig(valid, policyDevice(settings, job.hopper), valid.config, settings);
  const hopper = requireGpu(
    job,
    `The ${what} runs the kernel on the GPU, so it needs a Hopper GPU (sm_90) and its driver; this machine has none usable: `,
  );
  const { info, utils } = await startDevice(job, settings);
  return runSingle(job, shapeLabel(valid), (at) =>
    body({
      addon: job.addon,
      problem: { ...valid, config },
      config,
      hopper,
      info,
      utils,
      log: job.log,
      progress: at.progress,
      checkpoint: at.checkpoint,
    }),
  );
}

export interface OperandSet {
  a: DeviceBuffer;
  b: DeviceBuffer;
  sfa: DeviceBuffer;
  sfb: DeviceBuffer;
  d: DeviceBuffer;
}

/** The GEMM launch of one config on one operand set: the same spec the benchmark launches (bench/launchSpec.ts). */
export function gemmSpec(
  kernel: Kernel,
  problem: GemmProblem,
  config: GemmConfig,
  set: OperandSet,
  pdl: boolean,
): GemmLaunchSpec {
  return gemmLaunchSpec(kernel, normalDims(problem), config, set, { pdl });
}
