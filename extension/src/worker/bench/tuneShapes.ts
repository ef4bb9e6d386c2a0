// Several shapes tuned one after another, each shape's ranking recorded in the tuning store as soon
// as it is measured (so a stopped run keeps the shapes it finished): what `fp8lab tune` and the
// editor's "Tune this shape" / "Tune these shapes" run (gemm/tuneShapes).
import type { GemmProblem, RuntimeSettings, TuneShapesOptions, TuneShapesRun } from '../../../protocol/worker';
import { shapeLabel } from '../../core/shapes';
import { probeEnvironment } from '../environment';
import { coded } from './errors';
import type { BenchHooks } from '../service';
import { tuningProvenance, tuningRecords, tuningStoreFor } from '../tuningSave';
import { tuneProblem, type MeasuredTuning } from './tuneProblem';

export interface TuneShapesHooks extends BenchHooks {
  /** A shape's ranking as soon as it is measured (and saved, with options.save), and the run so far. */
  shapeDone?(tuning: MeasuredTuning, soFar: TuneShapesRun): void | Promise<void>;
}

export async function tuneShapes(
  settings: RuntimeSettings,
  problems: GemmProblem[],
  options: TuneShapesOptions,
  hooks: TuneShapesHooks = {},
): Promise<TuneShapesRun> {
  if (!Array.isArray(problems) || problems.length === 0)
    throw coded('E_INVALID_SHAPE', 'No shapes to tune: give at least one M,N,K.');
  if (!Number.isInteger(options?.top) || options.top < 1)
    throw coded('E_BAD_ARGUMENT', `top must be a whole number ≥ 1; got ${String(options?.top)}`);
  const env = await probeEnvironment(settings);
  if (!env.canRunKernels)
    throw coded(
      'E_NO_DEVICE',
      `Tuning times kernels, so it needs a Hopper GPU; here: ${env.summary}. "Check environment" (fp8lab check) says what is missing; the Config Explorer ranks candidates without a GPU.`,
    );
  const device = env.devices.find((d) => d.isHopper) ?? env.devices[0];
  const provenance = options.save ? await tuningProvenance(settings, env, device) : undefined;
  const store = options.save ? tuningStoreFor(settings) : undefined;
  const run: TuneShapesRun = { startedAt: new Date().toISOString(), device, options, tunings: [], saved: 0 };
  for (const [index, problem] of problems.entries()) {
    if (hooks.cancelled?.()) {
      run.interrupted = {
        code: 'E_CANCELLED',
        message: 'The tune was cancelled; the shapes tuned before it are kept.',
      };
      break;
    }
    hooks.progress?.({
      jobId: hooks.jobId ?? '',
      index,
      total: problems.length,
      phase: 'compiling',
      message: `${shapeLabel(problem)}: tuning shape ${index + 1} of ${problems.length}`,
    });
    const { tuning, interrupted } = await tuneProblem(
      settings,
      problem,
      options.top,
      { timing: true, peer: false, rounds: options.rounds, seed: 0 },
      hooks,
    );
    run.tunings.push(tuning);
    if (store && provenance) {
      const records = tuningRecords([tuning], provenance);
      run.savedTo = await store.append(records);
      run.saved += records.length;
    }
    await hooks.shapeDone?.(tuning, run);
    if (interrupted) {
      run.interrupted = interrupted;
      break;
    }
  }
  run.finishedAt = new Date().toISOString();
  return run;
}
