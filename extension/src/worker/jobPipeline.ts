// The one pipeline every long worker job goes through (bench, tune, grouped bench, timeline,
// accuracy): probe the machine, start the device, then walk the job's items with a cancel check
// before each, progress reports tagged with the item, every failure turned into a coded error, and
// a lost CUDA context ending the job while keeping what came before. A verb supplies only what is
// its own: the items, the step that measures one, the result a failed item leaves behind, and how a
// finished item reads in a progress line.
import type { DeviceInfo } from '../../../native/index';
import type {
  CodedErrorData,
  DeviceReport,
  EnvironmentReport,
  ErrorCode,
  JobProgress,
  RuntimeSettings,
} from '../../protocol/worker';
import { loadAddon, type AddonModule } from './addon';
import { cancelledError, coded, codedData, losesContext } from './bench/errors';
import type { Logger } from './bench/jit';
import { UtilKernels } from './bench/utilKernels';
import { probeEnvironment } from './environment';

/** What the caller (the worker's request handler, a CLI verb, a test) hands a job. */
export interface JobHooks {
  progress?(p: JobProgress): void;
  cancelled?(): boolean;
  log?: Logger;
  /** Put into progress reports (the worker sets it to the request's jobId). */
  jobId?: string;
}

/** What a job reaches outside itself; tests pass a fake addon and a fixed environment report. */
export interface JobDeps {
  addon(): AddonModule;
  probe(settings: RuntimeSettings): Promise<EnvironmentReport>;
}
export const defaultJobDeps: JobDeps = { addon: () => loadAddon().addon, probe: probeEnvironment };

export type Phase = JobProgress['phase'];

/** A job after its probe: the addon, what the machine has, and the caller's hooks made total. */
export interface Job {
  addon: AddonModule;
  env: EnvironmentReport;
  /** The first Hopper GPU, when the machine has one. */
  hopper?: DeviceReport;
  /** Kernels can run here: a working driver and a Hopper GPU. */
  gpu: boolean;
  jobId: string;
  log: Logger;
  cancelled(): boolean;
  /** Throws E_CANCELLED when the caller asked to stop. */
  checkpoint(): void;
  progress(index: number, total: number, phase: Phase, message: string): void;
}

export function firstHopper(env: EnvironmentReport): DeviceReport | undefined {
  return env.devices.find((d) => d.isHopper);
}

/** Throws E_NO_COMPILER (with the toolkit's own complaint) where kernels cannot be compiled. */
export function requireCompiler(env: EnvironmentReport): void {
  if (!env.canCompileKernels)
    throw coded(
      'E_NO_COMPILER',
      env.toolkit.problem ?? 'No usable CUDA toolkit: nvcc ≥ 12.3 is needed to compile kernels.',
    );
}

/** The probe: the addon loaded, the environment read, a compiler required (every job compiles). */
export async function openJob(settings: RuntimeSettings, hooks: JobHooks, deps: JobDeps): Promise<Job> {
  const addon = deps.addon();
  const env = await deps.probe(settings);
  requireCompiler(env);
  const hopper = firstHopper(env);
  const cancelled = () => hooks.cancelled?.() === true;
  const jobId = hooks.jobId ?? 'local';
  return {
    addon,
    env,
    ...(hopper ? { hopper } : {}),
    gpu: env.canRunKernels && hopper !== undefined,
    jobId,
    log: hooks.log ?? (() => {}),
    cancelled,
    checkpoint: () => {
      if (cancelled()) throw cancelledError();
    },
    progress: (index, total, phase, message) => hooks.progress?.({ jobId, index, total, phase, message }),
  };
}

/** For jobs that only make sense on the GPU: E_NO_DEVICE, `why` followed by what the machine has. */
export function requireGpu(job: Job, why: string): DeviceReport {
  if (!job.gpu || !job.hopper) throw coded('E_NO_DEVICE', `${why}${job.env.summary}`);
  return job.hopper;
}

/** The GPU this process has initialised (init() retains the primary context once per process). */
let initialised: { addon: AddonModule; ordinal: number; info: DeviceInfo } | undefined;
export function initDevice(a: AddonModule, settings: RuntimeSettings, ordinal: number): DeviceInfo {
  if (initialised && initialised.addon === a && initialised.ordinal === ordinal) return initialised.info;
  const info = a.init({ ordinal, ...(settings.libcudaPath ? { libcudaPath: settings.libcudaPath } : {}) });
  initialised = { addon: a, ordinal, info };
  return info;
}

export interface JobDevice {
  info: DeviceInfo;
  utils: UtilKernels;
}

/** The device start: the job's Hopper GPU initialised and the utility kernels (fills, casts, reference) loaded. */
export async function startDevice(job: Job, settings: RuntimeSettings): Promise<JobDevice> {
  const hopper = requireGpu(job, 'No Hopper GPU to start: ');
  const info = initDevice(job.addon, settings, hopper.ordinal);
  const utils = await UtilKernels.load(job.addon, settings, job.log);
  return { info, utils };
}

/** What a step sees of its item's place in the job. */
export interface ItemContext {
  index: number;
  total: number;
  progress(phase: Phase, message: string): void;
  cancelled(): boolean;
  /** Throws E_CANCELLED when the caller asked to stop. */
  checkpoint(): void;
}

/** A verb's items and what it does with each; everything else is the pipeline's. */
export interface ItemLoop<I, R> {
  items: readonly I[];
  /** What the job calls its items in the context-loss message: 'shapes', 'cases'. */
  noun: string;
  /** The item in progress lines and in the context-loss message. */
  label(item: I, index: number): string;
  /** Measures one item; a throw is coded and handled by the pipeline. */
  step(item: I, at: ItemContext): Promise<R>;
  /**
   * The result a failed item leaves in the job's results. Absent: a failed item fails the whole job
   * (a single-item study, whose caller gets the error itself).
   */
  failed?(item: I, index: number, error: CodedErrorData): R;
  /** How a finished item reads in its 'done' progress line; absent: no 'done' line per item. */
  summary?(result: R): string;
  /** Each result as soon as it is kept (the bench's job/didMeasure). */
  kept?(result: R): void;
  /** The context-loss message; default: `label: message The CUDA context is lost; the remaining <noun> were not run.` */
  contextLost?(label: string, index: number, error: CodedErrorData): string;
  /** Called when a cancel is noticed while an item runs (within 200 ms), e.g. to kill a helper process at once. */
  onCancel?(): void;
}

export interface ItemsOutcome<R> {
  /** One per item, up to where the job stopped. */
  results: R[];
  interrupted?: { code: ErrorCode; message: string };
}

/** What the loop needs of a job: its cancel flag and its progress reports. */
export type LoopControl = Pick<Job, 'cancelled' | 'progress'>;

/**
 * Runs the items in order. A cancel (before an item, or E_CANCELLED from a step) ends the loop
 * with the results so far; a coded failure is kept as the item's result and the loop goes on,
 * unless it lost the CUDA context (a fault or a hung kernel), which ends the loop after that item.
 */
export async function runItems<I, R>(job: LoopControl, loop: ItemLoop<I, R>): Promise<ItemsOutcome<R>> {
  const total = loop.items.length;
  const results: R[] = [];
  let interrupted: ItemsOutcome<R>['interrupted'];
  const watch = loop.onCancel
    ? setInterval(() => {
        if (job.cancelled()) loop.onCancel!();
      }, 200)
    : undefined;
  try {
    for (let index = 0; index < total && !interrupted; index++) {
      const item = loop.items[index];
      const label = loop.label(item, index);
      const progress = (phase: Phase, message: string) => job.progress(index, total, phase, message);
      if (job.cancelled()) {
        interrupted = { code: 'E_CANCELLED', message: cancelledError().message };
        break;
      }
      const at: ItemContext = {
        index,
        total,
        progress,
        cancelled: job.cancelled,
        checkpoint: () => {
          if (job.cancelled()) throw cancelledError();
        },
      };
      let result: R;
      try {
        result = await loop.step(item, at);
      } catch (err) {
        const data = codedData(err);
        if (data.code === 'E_CANCELLED') {
          interrupted = { code: data.code, message: data.message };
          break;
        }
        if (!loop.failed) throw err;
        result = loop.failed(item, index, data);
        if (losesContext(data)) {
          interrupted = {
            code: data.code,
            message:
              loop.contextLost?.(label, index, data) ??
              `${label}: ${data.message} The CUDA context is lost; the remaining ${loop.noun} were not run.`,
          };
        }
        results.push(result);
        loop.kept?.(result);
        if (loop.summary) progress('done', `${label}: [${data.code}] ${data.message}`);
        continue;
      }
      results.push(result);
      loop.kept?.(result);
      if (loop.summary) progress('done', `${label}: ${loop.summary(result)}`);
    }
  } finally {
    if (watch) clearInterval(watch);
  }
  return { results, ...(interrupted ? { interrupted } : {}) };
}

/** A job of one item whose failure is the job's failure (the studies): its result, or its error thrown. */
export async function runSingle<R>(job: LoopControl, label: string, step: (at: ItemContext) => Promise<R>): Promise<R> {
  const outcome = await runItems(job, { items: [label], noun: 'steps', label: () => label, step: (_, at) => step(at) });
  if (outcome.interrupted) throw coded(outcome.interrupted.code, outcome.interrupted.message);
  return outcome.results[0];
}
