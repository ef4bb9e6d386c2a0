// Text form of a config report: what FP8LAB_PRINT_CONFIGS prints and `fp8lab configs M N K` shows.
// One header line, then one line per candidate in enumeration order, the chosen one marked '*'.

import type { Candidate, ConfigReport, GemmConfig } from '../../../protocol/worker';
import { shapeLabel } from '../shapes';
import { sameKernelConfig } from '../configIdentity';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** "256x128 c2x1 wg2 st3" (split-K, ping-pong and the slab ring when set): the compact config label of the text table. */
export function compactConfig(c: GemmConfig): string {
  return `${c.blockM}x${c.blockN} c${c.clusterM}x${c.clusterN}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''} wg${c.numMathWarpgroups}${c.pingpong ? ' pp' : ''}${c.dSlabs ? ` ds${c.dSlabs}` : ''} st${c.numStages}`;
}

function candidateLine(c: Candidate, chosen: boolean): string {
  const cfg = c.config;
  const mark = chosen ? '*' : ' ';
  const smem = `${(cfg.sharedBytes / 1024).toFixed(1)}KB`;
  const fields = [
    mark,
    pad(compactConfig(cfg), 28),
    `sw${cfg.swizzleA}/${cfg.swizzleB}/${cfg.swizzleD}`.padEnd(14),
    `smem ${padLeft(smem, 8)}`,
    `tiles ${padLeft(String(c.tiles), 6)}`,
    `waves ${padLeft(String(c.waves), 4)}`,
    `last ${padLeft(`${Math.round(c.lastWaveUtilisation * 100)}%`, 4)}`,
  ];
  const tail = c.rejected
    ? `rejected ${c.rejected.rule}: ${c.rejected.reason}`
    : `pred ${padLeft(c.predicted!.us.toFixed(2), 9)} us ${padLeft(String(c.predicted!.cycles), 9)} cycles`;
  return `${fields.join(' ')}  ${tail}`;
}

export interface FormatOptions {
  /** Print only the legal candidates (the rejected ones are counted in the header). */
  legalOnly?: boolean;
  /** Print only the N legal candidates the cost model predicts fastest, fastest first. */
  top?: number;
}

export function formatConfigReport(report: ConfigReport, opts: FormatOptions = {}): string {
  const p = report.problem;
  const legal = report.candidates.filter((c) => !c.rejected).length;
  const groups = p.numGroups !== undefined ? ` groups=${p.numGroups}` : '';
  const lines = [
    `FP8LAB configs: ${p.kind} ${shapeLabel(p)}${groups} on ${report.chosen.numSms} SMs — ${report.candidates.length} candidates, ${legal} legal`,
    `chosen: ${compactConfig(report.chosen)} — ${report.why}`,
  ];
  let marked = false;
  let shown = report.candidates;
  if (opts.top !== undefined) {
    shown = report.candidates
      .filter((c) => !c.rejected)
      .map((c, i) => ({ c, i }))
      .sort((a, b) => (a.c.predicted?.us ?? Infinity) - (b.c.predicted?.us ?? Infinity) || a.i - b.i)
      .slice(0, opts.top)
      .map(({ c }) => c);
    lines.push(`the ${shown.length} fastest legal by the cost model, fastest first:`);
  }
  for (const c of shown) {
    if (opts.legalOnly && c.rejected) continue;
    const isChosen = !marked && !c.rejected && sameKernelConfig(c.config, report.chosen);
    if (isChosen) marked = true;
    lines.push(candidateLine(c, isChosen));
  }
  return `${lines.join('\n')}\n`;
}
