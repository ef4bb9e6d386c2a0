// One sweep task on the node it was placed on (`fp8lab sweep task DIR`): run the plan's verb over the
// task's shapes with this node's GPU and toolkit, each shape's failure kept as that shape's outcome,
// then write the result file atomically into the shared results folder. A task killed on the way
// (scancel, a time limit) writes nothing, so a reader never sees half of one.
import { hostname } from 'node:os';
import type { EnvironmentReport, RuntimeSettings } from '../../protocol/worker';
import { validateProblem, shapeLabel } from '../core/shapes';
import type { SweepPlan, SweepTask } from '../core/sweep/sweepPlan';
import type { ShapeOutcome, TaskResult } from '../core/sweep/taskResult';
import { sameKernelConfig } from '../core/configIdentity';
import { tuneCandidates } from '../core/tuning/tuneAxes';
import { kernelSourceHash } from '../storage/kernelSourceHash';
import { writeTaskResult } from '../storage/sweepFolder';
import { tuneProblem } from './bench/tuneProblem';
import { deviceIdentity } from './deviceIdentity';
import { probeEnvironment } from './environment';
import * as service from './service';
import { codedData } from './workerErrors';

export interface TaskRunHooks {
  /** A line for the task's log. */
  log(text: string): void;
}

export async function runSweepTask(
  dir: string,
  plan: SweepPlan,
  task: SweepTask,
  attempt: string,
  settings: RuntimeSettings,
  hooks: TaskRunHooks,
): Promise<TaskResult> {
  const startedAt = new Date().toISOString();
  const node = hostname();
  // Every task compiles into the plan's cache, so a kernel one task built is a hit for the others.
  const s: RuntimeSettings = { ...settings, cacheDir: plan.cacheDir };
  const env = await probeEnvironment(s);
  const hopper = env.devices.find((d) => d.isHopper);
  hooks.log(
    `sweep ${plan.id} task ${task.index} (attempt ${attempt}) on ${node}: ${plan.verb} of ${task.problems.length} shape(s); ${env.summary}`,
  );
  const [kernelHash, identity] = await Promise.all([
    kernelSourceHash(s.kernelsDir, s.jitDefines),
    plan.verb === 'tune' && hopper ? deviceIdentity(env, hopper, s) : Promise.resolve(undefined),
  ]);

  const shapes = await outcomes(plan, task, s, env, hooks);
  const result: TaskResult = {
    kind: 'fp8lab.sweep-result',
    version: 1,
    sweepId: plan.id,
    task: task.index,
    attempt,
    verb: plan.verb,
    node,
    startedAt,
    finishedAt: new Date().toISOString(),
    ok: shapes.every((o) => !o.error),
    ...(hopper ? { device: hopper } : {}),
    ...(env.driver.ok ? { driverVersion: env.driver.version } : {}),
    ...(env.toolkit.version ? { toolkitVersion: env.toolkit.version } : {}),
    ...(identity ? { identity } : {}),
    kernelHash,
    shapes,
  };
  const file = await writeTaskResult(dir, result);
  hooks.log(
    `wrote ${file}: ${result.ok ? 'every shape done' : `${shapes.filter((o) => o.error).length} shape(s) failed`}`,
  );
  return result;
}

async function outcomes(
  plan: SweepPlan,
  task: SweepTask,
  s: RuntimeSettings,
  env: EnvironmentReport,
  hooks: TaskRunHooks,
): Promise<ShapeOutcome[]> {
  const memoryBytes = env.devices.find((d) => d.isHopper)?.totalMemoryBytes;
  const out: ShapeOutcome[] = [];
  const fail = (problem: ShapeOutcome['problem'], err: unknown) => {
    const error = codedData(err);
    hooks.log(`${shapeLabel(problem)}: [${error.code}] ${error.message}${error.log ? `\n${error.log.trimEnd()}` : ''}`);
    out.push({ problem, error });
  };
  // The shape rules on this node's device (memory) first: a shape that cannot run here fails alone.
  const runnable = task.problems.filter((p) => {
    const check = validateProblem(p, memoryBytes ? { memoryBytes } : {});
    if (!check.ok) fail(p, { code: 'E_INVALID_SHAPE', message: check.message });
    return check.ok;
  });
  if ((plan.verb === 'tune' || plan.verb === 'bench') && !env.canRunKernels) {
    for (const p of runnable)
      fail(p, { code: 'E_NO_DEVICE', message: `a ${plan.verb} task needs a Hopper GPU; this node: ${env.summary}` });
    return out;
  }
  switch (plan.verb) {
    case 'compile':
      for (const problem of runnable) {
        try {
          // The heuristic's choice first (its row goes into the run), then the other candidates a
          // tune of the same `top` would time, so a later tune finds every kernel in the cache.
          const report = await service.configs(s, problem, { tuned: false });
          const configs = [
            report.chosen,
            ...tuneCandidates(problem, report.candidates, report.chosen, plan.options.top)
              .map((c) => c.candidate.config)
              .filter((c) => !sameKernelConfig(c, report.chosen)),
          ];
          let row: ShapeOutcome | undefined;
          for (const config of configs) {
            const r = await service.compileKernel(s, { problem, config });
            hooks.log(
              `${shapeLabel(problem)}: ${r.kernelName}, ${r.registers.registers} registers, cache ${r.cacheHit ? 'hit' : 'miss'} in ${r.compileMs.toFixed(0)} ms`,
            );
            row ??= {
              problem,
              result: {
                problem,
                config: r.config,
                registers: r.registers,
                compile: { cacheHit: r.cacheHit, ms: r.compileMs, cacheKey: r.cacheKey },
              },
            };
          }
          out.push(row!);
        } catch (err) {
          fail(problem, err);
        }
      }
      return out;
    case 'bench': {
      if (runnable.length === 0) return out;
      try {
        const run = await service.bench(
          s,
          runnable,
          { timing: true, peer: plan.options.peer, rounds: plan.options.rounds, seed: 0 },
          {
            log: (_level, text) => hooks.log(text),
          },
        );
        for (const r of run.results) {
          hooks.log(
            `${shapeLabel(r.problem)}: ${r.timing ? `${r.timing.medianUs.toFixed(1)} µs` : r.error ? `[${r.error.code}] ${r.error.message}` : 'compiled'}`,
          );
          out.push({ problem: r.problem, result: r, ...(r.error ? { error: r.error } : {}) });
        }
        for (const p of runnable.slice(run.results.length))
          fail(p, run.interrupted ?? { code: 'E_CANCELLED', message: 'not measured: the run stopped before it' });
      } catch (err) {
        for (const p of runnable) fail(p, err);
      }
      return out;
    }
    case 'tune':
      for (const problem of runnable) {
        try {
          const { tuning, results, interrupted } = await tuneProblem(s, problem, plan.options.top, {
            timing: true,
            peer: false,
            rounds: plan.options.rounds,
            seed: 0,
          });
          const winner = tuning.best ? results.find((r) => sameKernelConfig(r.config, tuning.best!.config)) : undefined;
          hooks.log(
            `${shapeLabel(problem)}: ${tuning.best ? `winner ${tuning.best.measuredUs?.toFixed(1)} µs of ${tuning.candidates.length} candidate(s)` : 'no candidate measured'}`,
          );
          const error = interrupted
            ? { code: interrupted.code, message: interrupted.message }
            : !tuning.best
              ? { code: 'E_WRONG_RESULT' as const, message: 'no candidate passed its check' }
              : undefined;
          out.push({
            problem,
            tuning,
            ...(winner ? { result: winner } : {}),
            ...(error ? { error: codedData(error) } : {}),
          });
          if (interrupted) break; // the CUDA context is gone: the rest of this task cannot run here
        } catch (err) {
          fail(problem, err);
        }
      }
      return out;
  }
}
