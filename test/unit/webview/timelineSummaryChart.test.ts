// The timeline summary as a chart, from the recorded H100 capture: one bar per role and phase with
// its share of the role's active time, and the ring's occupancy, all inside the width.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceCapture } from '../../../extension/protocol/trace';
import { decodeCapture, summarizeTrace } from '../../../extension/src/core/trace';
import * as chart from '../../../webview/src/charts/timelineSummaryChart';
import { repoRoot } from '../repoRoot';

describe('timeline summary chart', () => {
  const capture = JSON.parse(
    readFileSync(join(repoRoot(), 'test/fixtures/h100/timeline-capture.json'), 'utf8'),
  ) as TraceCapture;
  const summary = summarizeTrace(decodeCapture(capture));
  it("draws each role's phases as shares of its active time, widths in proportion, plus the ring", () => {
    const { marks } = chart.layout(summary, { width: 600, height: 60 });
    const bars = marks.filter((m): m is Extract<typeof m, { type: 'rect' }> => m.type === 'rect');
    const math = summary.roles.find((r) => r.role === 'math')!;
    const wgmma = bars.find((b) => b.cls.includes('phase-wgmma'))!;
    const promote = bars.find((b) => b.cls.includes('phase-promote'))!;
    const ratio = wgmma.width / promote.width;
    const want = math.phaseNs.wgmma / math.phaseNs.promote;
    assert.ok(Math.abs(ratio / want - 1) < 0.02, `bar widths ${ratio} vs shares ${want}`);
    assert.match(wgmma.title ?? '', new RegExp(`${((100 * math.phaseNs.wgmma) / math.activeNs).toFixed(1)}%`));
    const ring = bars.find((b) => b.cls.includes('ring-bar'))!;
    assert.match(ring.title ?? '', new RegExp(`${summary.ring.meanOccupied.toFixed(2)} of ${summary.ring.stages}`));
    for (const b of bars) assert.ok(b.x >= 0 && b.x + b.width <= 600);
  });
});
