// What `fp8lab tune` times for a shape beyond the model's top N: the axes that matter where tensor
// throughput is scarce (few SMs, small M), whose candidates a cost model fitted on a full H100 tends
// to rank low. Each extra is the model's best of its kind:
//   - split-K: the best legal candidate that splits K across a 2-CTA cluster;
//   - tile heights: the best candidate of each BLOCK_M (a 64-row tile wastes no rows at M = 64);
//   - tile widths: the best candidate of each BLOCK_N wider than the model's best, at its BLOCK_M
//     (on few SMs wider tiles move the same bytes in fewer, larger loads and often win although they
//     fill fewer SMs or waves);
//   - padding: the best candidate among those that pad the output least (rows and columns of the
//     last tiles that hold no output);
//   - num_sms: the chosen and the best predicted config on the fewest SMs that keep their wave
//     count (DeepGEMM's rule: the same number of rounds, and idle SMs leave power and L2 to the rest).
import type { Candidate, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { workShape } from '../heuristics/tiles';
import { sameKernelConfig } from '../configIdentity';

/** The rows and columns computed but thrown away, as a share of the padded output. */
export function paddingWaste(problem: GemmProblem, c: Pick<GemmConfig, 'blockM' | 'blockN'>): number {
  const w = workShape(problem);
  const padded = Math.ceil(w.m / c.blockM) * c.blockM * Math.ceil(w.n / c.blockN) * c.blockN;
  return 1 - (w.m * w.n) / padded;
}

/** The fewest SMs that run this candidate in the same number of waves (whole clusters), or undefined when that is all of them. */
export function fewestSmsSameWaves(c: Candidate): number | undefined {
  const cfg = c.config;
  const cluster = cfg.clusterM * cfg.clusterN * (cfg.splitK ?? 1);
  const units = c.tiles * (cfg.splitK ?? 1);
  if (!(c.waves >= 1) || units < 1) return undefined;
  const sms = Math.ceil(units / c.waves / cluster) * cluster;
  return sms < cfg.numSms ? sms : undefined;
}

export interface AxisCandidate {
  candidate: Candidate;
  /** Why it is timed: "top 3 by the model", "best split-K", "num_sms 66 (same waves)". */
  axis: string;
}

/**
 * What a tune times unless told otherwise (`fp8lab tune`, the editor's "Tune this shape"): the model's
 * top 12 plus the axes above, in 10 interleaved rounds (the median of 10 is steady on the H100).
 */
export const TUNE_DEFAULTS = { top: 12, rounds: 10 } as const;

const predicted = (c: Candidate) => c.predicted?.us ?? Infinity;

/**
 * The model's top `limit` legal candidates (the chosen one always among them), then one of each
 * axis above that is not already there.
 */
export function tuneCandidates(
  problem: GemmProblem,
  candidates: readonly Candidate[],
  chosen: GemmConfig,
  limit: number,
): AxisCandidate[] {
  const legal = candidates.filter((c) => !c.rejected && c.predicted).sort((a, b) => predicted(a) - predicted(b));
  const out: AxisCandidate[] = [];
  const has = (cfg: GemmConfig) => out.some((x) => sameKernelConfig(x.candidate.config, cfg));
  const add = (c: Candidate | undefined, axis: string) => {
    if (c && !has(c.config)) out.push({ candidate: c, axis });
  };

  legal.slice(0, Math.max(1, limit)).forEach((c) => add(c, 'model top'));
  const chosenCandidate = legal.find((c) => sameKernelConfig(c.config, chosen));
  if (chosenCandidate && !has(chosen)) {
    if (out.length >= Math.max(1, limit)) out.pop();
    add(chosenCandidate, 'model top');
  }
  add(
    legal.find((c) => (c.config.splitK ?? 1) > 1),
    'best split-K',
  );
  for (const bm of [...new Set(legal.map((c) => c.config.blockM))].sort((a, b) => a - b)) {
    add(
      legal.find((c) => c.config.blockM === bm),
      `best BLOCK_M ${bm}`,
    );
  }
  const best = legal[0];
  if (best) {
    for (const bn of [...new Set(legal.map((c) => c.config.blockN))]
      .filter((n) => n > best.config.blockN)
      .sort((a, b) => a - b)) {
      add(
        legal.find((c) => c.config.blockM === best.config.blockM && c.config.blockN === bn),
        `best BLOCK_N ${bn} (BLOCK_M ${best.config.blockM})`,
      );
    }
  }
  const leastWaste = Math.min(...legal.map((c) => paddingWaste(problem, c.config)));
  add(
    legal.find((c) => paddingWaste(problem, c.config) <= leastWaste + 1e-9),
    'least padding',
  );
  for (const base of [chosenCandidate, legal[0]]) {
    const sms = base ? fewestSmsSameWaves(base) : undefined;
    if (base && sms !== undefined) {
      // Same tiles and waves on fewer SMs; the model's prediction is for the full grid, so none is given.
      const { predicted: _p, ...rest } = base;
      add({ ...rest, config: { ...base.config, numSms: sms } }, `num_sms ${sms} (same waves)`);
    }
  }
  return out;
}
