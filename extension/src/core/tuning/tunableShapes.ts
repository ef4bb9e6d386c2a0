// Which shapes of a run "Tune these shapes" tunes: the distinct Normal FP8 GEMM shapes (tuning
// ranks the Normal kernel's candidates; grouped, BF16 and MQA runs have no tuned records), in the
// order the run measured them, without a forced config.
import type { BenchRun, GemmProblem } from '../../../protocol/worker';

export function tunableShapes(run: Pick<BenchRun, 'results'>): GemmProblem[] {
  const seen = new Set<string>();
  const out: GemmProblem[] = [];
  for (const r of run.results) {
    const p = r.problem;
    if (p.kind !== 'normal') continue;
    const key = `${p.m}x${p.n}x${p.k}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: 'normal', m: p.m, n: p.n, k: p.k });
  }
  return out;
}
