// The config of a grouped case (pure). M-grouped kinds (1D2D kernel): the heuristics' choice.
// 1D1D kinds (wgrad, kgrouped): the heuristics enumerate 1D2D candidates only, so this picks among
// the 1D1D tiles that compile without spills (kernels/README.md) with a small roofline-per-SM model:
// time ≈ waves x K-blocks x max(tensor-core time of a tile's K-block, L2 time of its operand bytes)
// + the fp32 reduce-add epilogue per wave; ties go to the larger tile.
import type { Candidate, ConfigReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { chooseConfig, MODEL } from '../heuristics';
import { chooseConfigBf16 } from '../bf16/heuristicsBf16';
import { isBf16Kind } from '../bf16/kernelRulesBf16';
import type { PolicyDevice } from '../heuristics/device';
import { waveInfo } from '../heuristics/tiles';
import { is1d1dKind, completeConfig1d1d, configViolations1d1d, tailSplit1d1d } from '../kernelRules1d1d';
import { shapeLabel } from '../shapes';

/** 1D1D tiles (all compile with 0 spills: kernels/README.md's ptxas table). */
export const TILES_1D1D: ReadonlyArray<readonly [number, number]> = [
  [128, 64],
  [128, 96],
  [128, 128],
  [128, 160],
  [128, 192],
  [64, 64],
  [64, 128],
  [64, 144],
];

/** Per-SM rates of the model (H100 SXM: ~1.3 PFLOP/s FP8 dense, ~5.5 TB/s L2, over 132 SMs). */
export const MODEL_1D1D = {
  flopsPerSmPerUs: 1.3e15 / 132 / 1e6,
  l2BytesPerSmPerUs: 5.5e12 / 132 / 1e6,
  reduceBytesPerSmPerUs: 3.0e12 / 132 / 1e6,
};

export interface Estimate1d1d {
  config: GemmConfig;
  us: number;
  waves: number;
  tiles: number;
  /** Share of the SMs with a tile in the last wave. */
  lastWaveUtilisation: number;
}

/** The model's estimate for one 1D1D config (per-group K of kgrouped averaged over non-empty groups). */
export function estimate1d1d(config: GemmConfig, problem: GemmProblem, groupK?: readonly number[]): Estimate1d1d {
  const live = problem.kind === 'kgrouped' ? (groupK ?? []).filter((k) => k > 0) : [problem.k];
  const groups = Math.max(1, live.length);
  const k = live.length ? live.reduce((a, b) => a + b, 0) / live.length : problem.k;
  const { blockM: bm, blockN: bn } = config;
  const work = { m: problem.m, n: problem.n, k, groups, outBytes: 4 as const, kind: problem.kind };
  const { tiles, waves, lastWaveUtilisation } = waveInfo(work, bm, bn, config.numSms);
  const perKBlock = Math.max(
    (2 * bm * bn * 128) / MODEL_1D1D.flopsPerSmPerUs,
    ((bm + bn) * 128 + (bm + bn) * 4) / MODEL_1D1D.l2BytesPerSmPerUs,
  );
  const epilogue = (2 * bm * bn * 4) / MODEL_1D1D.reduceBytesPerSmPerUs; // read C-in-D and write it back through the TMA reduce
  return { config, us: waves * ((k / 128) * perKBlock + epilogue), waves, tiles, lastWaveUtilisation };
}

/**
 * Every 1D1D tile as a candidate for the problem: the ones that cannot run (or run with too few
 * stages to hide the TMA latency) rejected with their rule, the rest with the model's estimate; the
 * fastest chosen (ties: the larger tile). K-grouped: the per-group K of `groupK` (non-empty groups
 * averaged), else numGroups equal parts of K.
 */
export function configReport1d1d(problem: GemmProblem, device: PolicyDevice, groupK?: readonly number[]): ConfigReport {
  const groups = problem.numGroups ?? 1;
  const ks =
    groupK ?? (problem.kind === 'kgrouped' ? Array.from({ length: groups }, () => problem.k / groups) : undefined);
  const candidates: Candidate[] = [];
  const legal: Estimate1d1d[] = [];
  for (const [blockM, blockN] of TILES_1D1D) {
    const config = completeConfig1d1d({ blockM, blockN, numSms: device.numSms }, device.sharedMemoryBytes);
    const estimate = estimate1d1d(config, problem, ks);
    const { tiles, waves, lastWaveUtilisation } = estimate;
    const shape = { config, tiles, waves, lastWaveUtilisation };
    const violations = configViolations1d1d(problem.kind, config, problem, {
      capacity: device.sharedMemoryBytes,
      checkSharedBytesField: true,
      ...(groupK ? { groupK } : {}),
    });
    if (violations.length > 0) {
      candidates.push({ ...shape, rejected: { rule: violations[0].rule, reason: violations[0].reason } });
    } else if (config.numStages < 3) {
      const reason = `only ${config.numStages} stages fit; at least 3 are needed to hide the TMA latency`;
      candidates.push({ ...shape, rejected: { rule: 'stages', reason } });
    } else {
      candidates.push({
        ...shape,
        predicted: { cycles: Math.round(estimate.us * MODEL.clockGHz * 1e3), us: estimate.us },
      });
      legal.push(estimate);
    }
  }
  if (legal.length === 0) {
    throw Object.assign(new Error(`no legal 1D1D tile for ${problem.kind} ${shapeLabel(problem)}`), {
      code: 'E_INVALID_CONFIG',
    });
  }
  legal.sort((a, b) => a.us - b.us || b.config.blockM * b.config.blockN - a.config.blockM * a.config.blockN);
  const best = legal[0];
  const c = best.config;
  return {
    problem,
    chosen: c,
    why: `${c.blockM}x${c.blockN}, ${c.numStages} stages: ${best.tiles} tiles in ${best.waves} wave(s)${tailSplitNote(problem, c, best.tiles)}, model ${best.us.toFixed(0)} µs (the fastest of ${legal.length} legal 1D1D tiles)`,
    candidates,
  };
}

/** What the kernel does with a partial last wave it splits along K (wgrad), for the reason text. */
function tailSplitNote(problem: GemmProblem, c: GemmConfig, tiles: number): string {
  const kBlocks = Math.floor(problem.k / 128);
  const { rem, parts } = tailSplit1d1d(problem.kind, tiles, c.numSms, kBlocks, c.clusterM * c.clusterN);
  return parts > 1 ? `, the last wave's ${rem} tiles split in ${parts} along K` : '';
}

export function groupedConfig(
  problem: GemmProblem,
  device: PolicyDevice,
  groupK?: readonly number[],
): { config: GemmConfig; why: string } {
  const report = isBf16Kind(problem.kind)
    ? chooseConfigBf16(problem, device)
    : is1d1dKind(problem.kind)
      ? configReport1d1d(problem, device, groupK)
      : chooseConfig(problem, device);
  return { config: report.chosen, why: report.why };
}
