// Plain-text summaries of the two studies for the terminal (fp8lab timeline / accuracy). Every figure
// comes from the run; nothing is computed here beyond unit conversions and ratios. Pure.
import type { AccuracyReport, TraceSummary } from '../../../protocol/trace';
import type { TimelineRun } from '../../../protocol/worker';
import { VARIANT_TEXT } from '../accuracy/compare';
import { formatConfig } from '../runRows';
import { shapeLabel } from '../shapes';

const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

export function formatTimelineRun(r: TimelineRun): string {
  const { capture: c, summary: s, timing: t, vsMeasured: v } = r;
  const lines = [
    `shape       ${shapeLabel(c.problem)}, ${formatConfig(c.config)}, ${c.numCtas} CTAs`,
    `kernel      ${c.kernelName ?? '(instrumented build)'}${c.device ? ` on ${c.device.name}` : ''}`,
    `check       calc_diff ${sci(r.accuracy.calcDiff)} (instrumented), ${sci(r.plainAccuracy.calcDiff)} (normal)`,
    `timing      normal ${t.plain.medianUs.toFixed(2)} µs, instrumented ${t.instrumented.medianUs.toFixed(2)} µs: instrumentation costs ${pct(t.overhead)}`,
    `trace       ${us(s.durationNs)} first to last event vs ${v.measuredUs.toFixed(2)} µs measured: ${pct(v.deviation)} apart${v.within5Percent ? ' (within 5%)' : ' (MORE than 5%)'}`,
    `events      ${s.eventsRecorded} recorded, ${s.eventsDropped} dropped; ${r.sizing.capacity} records per role (${r.sizing.bytes} B buffer${r.sizing.capped ? ', capped' : ''})`,
    `tiles       ${s.tiles} on ${s.sms} SMs; bubbles between tiles ${s.bubbles.count} (mean ${us(s.bubbles.meanNs)}, max ${us(s.bubbles.maxNs)})`,
    `tail        ${us(s.tail.ns)} (${pct(s.tail.fraction)} of the kernel) after the first SM ran out of tiles; ${pct(s.tail.idleSmFraction)} SM-time idle in it`,
    `ring        ${s.ring.meanOccupied.toFixed(2)} of ${s.ring.stages} stages in flight on average`,
  ];
  const perTile = tilePhasesLine(s);
  if (perTile) lines.push(perTile);
  for (const role of s.roles) {
    lines.push(
      `${role.role.padEnd(11)} ${pct(role.activeNs > 0 ? role.waitingNs / role.activeNs : 0)} waiting, ${pct(role.activeNs > 0 ? role.workingNs / role.activeNs : 0)} working (${role.rows} rows)`,
    );
  }
  lines.push(`method      ${t.method}`);
  return lines.join('\n') + '\n';
}

/** The K-loop against the epilogue per tile, and whether ping-pong can hide the epilogue. */
export function tilePhasesLine(s: TraceSummary): string | undefined {
  const tp = s.tilePhases;
  if (!tp) return undefined;
  const outlasts = s.pingpong && tp.epilogueNs.p50 > tp.kLoopNs.p50;
  return (
    `per tile    K-loop ${us(tp.kLoopNs.p50)} (p90 ${us(tp.kLoopNs.p90)}), epilogue ${us(tp.epilogueNs.p50)} ` +
    `(p90 ${us(tp.epilogueNs.p90)}) over ${tp.tiles} tiles` +
    (outlasts
      ? ': the epilogue outlasts the K-loop, so ping-pong cannot hide it (the tensor cores wait for the difference)'
      : '')
  );
}

export function formatAccuracyReport(r: AccuracyReport): string {
  const lines = [
    `shape       ${shapeLabel(r.problem)}, ${formatConfig(r.config)}; input ${r.input}, seed ${r.seed}${r.device ? `; ${r.device.name}` : ''}`,
    "against an FP32 GEMM of the original FP32 inputs (and, in brackets, of the variant's own dequantised inputs):",
    `${'variant'.padEnd(24)} ${'calc_diff'.padEnd(22)} ${'max abs'.padEnd(10)} ${'max rel'.padEnd(10)} unwritten`,
  ];
  for (const v of r.variants) {
    const dq = v.vsDequantised ? ` (${sci(v.vsDequantised.calcDiff)})` : '';
    lines.push(
      `${VARIANT_TEXT[v.variant].label.padEnd(24)} ${(sci(v.calcDiff) + dq).padEnd(22)} ${sci(v.maxAbsError).padEnd(10)} ${sci(v.maxRelError).padEnd(10)} ${v.unwritten}`,
    );
  }
  return lines.join('\n') + '\n';
}
