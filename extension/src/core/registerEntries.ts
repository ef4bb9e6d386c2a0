// Register-view snapshots built from what the runtime reported: rows of a saved run, or the
// explorer's compiled candidates. Pure: no vscode, no DOM.

import type { ExplorerCandidateState, RegisterEntry, RegistersSnapshot } from '../../protocol/webview';
import type { BenchRun, ConfigReport } from '../../protocol/worker';
import { identicalConfigs } from './configIdentity';
import { formatConfig } from './runRows';
import { shapeLabel } from './shapes';

/** Register entries for the given rows of a run (all rows when indices is empty); rows that failed to compile are skipped. */
export function registersFromRun(run: BenchRun, indices: number[]): RegistersSnapshot {
  const picked = indices.length
    ? indices.filter((i) => i >= 0 && i < run.results.length)
    : run.results.map((_, i) => i);
  const entries: RegisterEntry[] = picked.flatMap((i) => {
    const r = run.results[i];
    return r.registers
      ? [
          {
            label: `${shapeLabel(r.problem)} ${formatConfig(r.config)}`,
            config: r.config,
            registers: r.registers,
            chosen: !r.problem.config,
          },
        ]
      : [];
  });
  const only = picked.length === 1 ? run.results[picked[0]] : undefined;
  return {
    view: 'registers',
    title: only
      ? `Register use: ${only.problem.kind} ${shapeLabel(only.problem)}`
      : `Register use: ${entries.length} kernel(s) of run ${run.id}`,
    source: `${run.recorded ? `recorded run (${run.recorded})` : `run ${run.id}`} started ${run.startedAt}; ptxas -v${run.mode === 'gpu' ? ' and cuFuncGetAttribute' : ''}`,
    problem: only?.problem,
    entries,
  };
}

/** Register entries for compiled explorer candidates at the given indices. */
export function registersFromCandidates(
  report: ConfigReport,
  states: ExplorerCandidateState[],
  indices: number[],
): RegistersSnapshot {
  const byIndex = new Map(states.map((s) => [s.index, s]));
  const entries: RegisterEntry[] = indices.flatMap((i) => {
    const compiled = byIndex.get(i)?.compile;
    const c = report.candidates[i];
    return compiled && c
      ? [
          {
            label: `#${i} ${formatConfig(c.config)}`,
            config: c.config,
            registers: compiled.registers,
            chosen: identicalConfigs(c.config, report.chosen),
            kernelName: compiled.kernelName,
          },
        ]
      : [];
  });
  const p = report.problem;
  return {
    view: 'registers',
    title: `Register use: ${p.kind} ${shapeLabel(p)}, ${entries.length} candidate(s)`,
    source: "ptxas -v of the explorer's compile (cuFuncGetAttribute where a GPU loaded the kernel)",
    problem: p,
    entries,
  };
}
