// Chart inputs taken straight from what the runtime returned (BenchRun, ConfigReport, compile and
// timing results). Pure: nothing here measures or estimates; missing figures stay missing.

import type { BenchRun, Candidate, RegisterReport } from '../../../extension/protocol/worker';
import type { ExplorerCandidateState, RegisterEntry } from '../../../extension/protocol/webview';
import { peerColumns, upgradeRun } from '../../../extension/src/core/peers/runPeers';
import { identicalConfigs } from '../../../extension/src/core/configIdentity';
import { arithmeticIntensity, formatConfig, resultLabel } from '../../../extension/src/core/runRows';
import type { RatioDatum } from './ratioChart';
import type { CandidatePoint } from './candidateSpace';
import type { RegistersDatum } from './registersChart';
import type { RooflineData } from './roofline';
import type { TflopsDatum, TflopsSeries } from './tflopsBars';

export { shapeLabel } from '../../../extension/src/core/shapes';

/** The bar series of a run: ours, then each peer the run has (PEER_ORDER). */
export function runSeries(run: BenchRun): TflopsSeries[] {
  return [{ id: 'ours', name: 'ours' }, ...peerColumns(upgradeRun(run)).map((p) => ({ id: p.id, name: p.short }))];
}

export function tflopsData(run: BenchRun): TflopsDatum[] {
  return upgradeRun(run).results.map((r) => {
    const values: Record<string, number | undefined> = { ours: r.timing?.tflops };
    for (const p of r.peers ?? []) values[p.id] = p.timing?.tflops;
    // Grouped cases can share M, N, K (masked: Mmax): their label names kind, groups and sizes.
    return { label: resultLabel(r), values };
  });
}

/** Each peer's time over ours per shape (as the runtime reported it), with the two spreads added as its uncertainty. */
export function peerRatioData(run: BenchRun): RatioDatum[] {
  return upgradeRun(run).results.map((r) => {
    const points: RatioDatum['points'] = {};
    for (const p of r.peers ?? [])
      if (p.timing)
        points[p.id] = { ratio: p.timing.ratio, spread: r.timing ? r.timing.spread + p.timing.spread : undefined };
    return { label: resultLabel(r), points };
  });
}

export function rooflineData(run: BenchRun): RooflineData {
  const points = run.results.flatMap((r) => {
    const ai = arithmeticIntensity(r);
    return ai !== undefined && r.timing ? [{ label: resultLabel(r), intensity: ai, tflops: r.timing.tflops }] : [];
  });
  return { points, ceilings: run.ceilings };
}

export function candidateData(
  candidates: Candidate[],
  chosenIndex: number,
  states: ExplorerCandidateState[],
): CandidatePoint[] {
  const byIndex = new Map(states.map((s) => [s.index, s]));
  return candidates.flatMap((c, index) =>
    c.rejected
      ? []
      : [
          {
            index,
            label: formatConfig(c.config),
            predictedUs: c.predicted?.us,
            measuredUs: byIndex.get(index)?.timing?.timing?.medianUs,
            chosen: index === chosenIndex,
          },
        ],
  );
}

export function registersDatum(label: string, r: RegisterReport, chosen: boolean): RegistersDatum {
  return {
    label,
    registers: r.registers,
    producer: r.producerRegisters,
    math: r.mathRegisters,
    spillBytes: r.spillStoresBytes + r.spillLoadsBytes,
    chosen,
  };
}

export function registersData(entries: RegisterEntry[]): RegistersDatum[] {
  return entries.map((e) => registersDatum(e.label, e.registers, e.chosen));
}

/** Index of the heuristic's choice among the candidates (same config, not rejected), or -1. */
export function chosenIndex(candidates: Candidate[], chosen: Candidate['config']): number {
  return candidates.findIndex((c) => !c.rejected && identicalConfigs(c.config, chosen));
}

export { identicalConfigs };
