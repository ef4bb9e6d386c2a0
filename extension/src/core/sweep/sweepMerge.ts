// A sweep's finished tasks merged into what the rest of the tool reads: one saved run (every shape
// once, in plan order) and, for tune sweeps, one tuning record per measured shape. Both are
// deterministic in the results, so collecting a sweep twice writes the same run file and records
// with the same ids (the store counts each id once): every result is merged exactly once. Pure.
import type { BenchRun, ShapeResult } from '../../../protocol/worker';
import { recordFromTuning, shapeKey, type TuningRecord } from '../tuning/tuningRecord';
import type { SweepPlan } from './sweepPlan';
import type { TaskResult } from './taskResult';

/** The saved run's id: one run per sweep, replaced (not duplicated) when the sweep is collected again. */
export const sweepRunId = (plan: SweepPlan) => `sweep-${plan.id}`;

export function mergedRun(plan: SweepPlan, results: readonly TaskResult[]): BenchRun {
  const byTask = [...results].sort((a, b) => a.task - b.task);
  const rows: ShapeResult[] = [];
  for (const r of byTask) for (const s of r.shapes) if (s.result) rows.push(s.result);
  const first = byTask.find((r) => r.device) ?? byTask[0];
  const finishedAt = byTask
    .map((r) => r.finishedAt)
    .sort()
    .pop();
  return {
    id: sweepRunId(plan),
    startedAt: plan.createdAt,
    ...(finishedAt ? { finishedAt } : {}),
    mode: plan.verb === 'compile' ? 'study' : 'gpu',
    ...(plan.verb !== 'compile' && first?.device ? { device: first.device } : {}),
    ...(first?.driverVersion ? { driverVersion: first.driverVersion } : {}),
    ...(first?.toolkitVersion ? { toolkitVersion: first.toolkitVersion } : {}),
    options: { timing: plan.verb !== 'compile', peer: plan.options.peer, rounds: plan.options.rounds, seed: 0 },
    results: rows,
  };
}

/** Tuning records of a tune sweep's results: one per shape that measured a winner. */
export function sweepTuningRecords(plan: SweepPlan, results: readonly TaskResult[]): TuningRecord[] {
  const out: TuningRecord[] = [];
  for (const r of results) {
    if (r.verb !== 'tune' || !r.identity) continue;
    for (const s of r.shapes) {
      if (!s.tuning?.best) continue;
      out.push(
        recordFromTuning(s.tuning, {
          id: `sweep/${plan.id}/task${r.task}/${r.attempt}/${shapeKey(s.problem)}`,
          device: r.identity,
          kernelHash: r.kernelHash,
          measuredAt: r.finishedAt,
          origin: { by: 'sweep', host: r.node, sweepId: plan.id, task: r.task },
        }),
      );
    }
  }
  return out;
}
