// Picks the config for a problem: validate the shape, enumerate and evaluate every candidate, take
// the smallest predicted cycles (ties: the earlier candidate in enumeration order, which puts no
// cluster before a cluster and smaller tiles before larger), and say why in one sentence.

import type { ConfigReport, ErrorCode, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { firstViolation } from '../kernelRules';
import { shapeLabel, validateProblem } from '../shapes';
import { enumerateCandidates, type EvaluatedCandidate } from './candidates';
import type { PolicyDevice } from './device';

/** A refusal from policy, with the protocol's error code (the worker sends it as CodedErrorData). */
export class PolicyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** "256x128", plus the cluster when there is one: "256x128 cluster 2 (B multicast)". */
export function tileLabel(c: Pick<GemmConfig, 'blockM' | 'blockN' | 'clusterM' | 'clusterN' | 'pingpong'>): string {
  const tile = `${c.blockM}x${c.blockN}${c.pingpong ? ' ping-pong' : ''}`;
  if (c.clusterM * c.clusterN === 1) return tile;
  return `${tile} cluster 2 (${c.clusterM === 2 ? 'B' : 'A'} multicast)`;
}

const fmtUs = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));

/** Orders legal candidates: fewest predicted cycles, then enumeration order (stable). */
function ranked(candidates: EvaluatedCandidate[]): EvaluatedCandidate[] {
  return candidates
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => !c.rejected && c.predicted)
    .sort((a, b) => a.c.predicted!.cycles - b.c.predicted!.cycles || a.index - b.index)
    .map(({ c }) => c);
}

function whyChosen(best: EvaluatedCandidate, next: EvaluatedCandidate | undefined, device: PolicyDevice): string {
  const c = best.config;
  const cost = best.cost!;
  const pct = Math.round(best.lastWaveUtilisation * 100);
  const waves = `${best.tiles} tiles in ${best.waves} wave${best.waves === 1 ? '' : 's'} on ${device.numSms} SMs (last wave ${pct}% full)`;
  let sentence = `${tileLabel(c)} with ${c.numStages} stages: ${waves}; predicted ${fmtUs(cost.us)} µs, bound by ${cost.bound}`;
  if (next) {
    const gain = (next.predicted!.cycles - best.predicted!.cycles) / best.predicted!.cycles;
    sentence +=
      gain > 0.0005
        ? `; the next best, ${tileLabel(next.config)}, is predicted ${(gain * 100).toFixed(1)}% slower`
        : `; ties with ${tileLabel(next.config)} (kept the one enumerated first: no cluster before a cluster, B multicast before A, smaller tiles first)`;
  }
  return `${sentence}.`;
}

function summarizeRejections(candidates: EvaluatedCandidate[]): string {
  const byRule = new Map<string, { count: number; example: string }>();
  for (const c of candidates) {
    if (!c.rejected) continue;
    const entry = byRule.get(c.rejected.rule) ?? { count: 0, example: c.rejected.reason };
    entry.count++;
    byRule.set(c.rejected.rule, entry);
  }
  return [...byRule].map(([rule, { count, example }]) => `${rule} (${count}): ${example}`).join('; ');
}

/** Candidates as sent over the wire: the cost breakdown stays on this side. */
function wireCandidates(candidates: EvaluatedCandidate[]): ConfigReport['candidates'] {
  return candidates.map(({ cost: _cost, ...rest }) => rest);
}

/**
 * The config report of a problem on a device: every candidate with its rejection or prediction,
 * the chosen config and why. A forced `problem.config` is checked against the kernel's rules and
 * used as is. Throws PolicyError: E_INVALID_SHAPE for a bad shape, E_INVALID_CONFIG for an illegal
 * forced config or when no candidate is legal (the message gathers the reasons).
 */
export function chooseConfig(problem: GemmProblem, device: PolicyDevice): ConfigReport {
  const shape = validateProblem(problem);
  if (!shape.ok) throw new PolicyError(shape.code, shape.message);
  const candidates = enumerateCandidates(problem, device);

  if (problem.config) {
    const violation = firstViolation(problem.kind, problem.config, problem, {
      capacity: device.sharedMemoryBytes,
      checkSharedBytesField: true,
    });
    if (violation) {
      throw new PolicyError(
        'E_INVALID_CONFIG',
        `the forced config ${tileLabel(problem.config)} breaks rule ${violation.rule}: ${violation.reason}`,
      );
    }
    return {
      problem,
      chosen: problem.config,
      candidates: wireCandidates(candidates),
      why: `${tileLabel(problem.config)} with ${problem.config.numStages} stages was forced (an override or an explorer run), not chosen by the heuristic.`,
    };
  }

  const order = ranked(candidates);
  if (order.length === 0) {
    throw new PolicyError(
      'E_INVALID_CONFIG',
      `no candidate config is legal for ${problem.kind} ${shapeLabel(problem)}: ${summarizeRejections(candidates)}`,
    );
  }
  return {
    problem,
    chosen: order[0].config,
    why: whyChosen(order[0], order[1], device),
    candidates: wireCandidates(candidates),
  };
}
