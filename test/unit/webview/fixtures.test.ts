// The views on real data: the study run and config reports made by the real CLI here
// (test/fixtures/generate-study-run.mjs), and any recorded GPU run committed under test/fixtures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun, ConfigReport } from '../../../extension/protocol/worker';
import { isBenchRun } from '../../../extension/src/core/savedRun';
import { registersFromRun } from '../../../extension/src/core/registerEntries';
import { hasTiming, runRows, runToCsv } from '../../../extension/src/core/runRows';
import { candidateData, chosenIndex, rooflineData, runSeries, tflopsData } from '../../../webview/src/charts/data';
import * as bars from '../../../webview/src/charts/tflopsBars';
import * as roof from '../../../webview/src/charts/roofline';
import * as space from '../../../webview/src/charts/candidateSpace';

import { repoRoot } from '../repoRoot';

const fixturesDir = (): string => join(repoRoot(), 'test', 'fixtures');

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
}

const files = [...jsonFiles(fixturesDir()), ...jsonFiles(join(fixturesDir(), 'runs'))];
const parsed = files.map((f) => ({ file: f, data: JSON.parse(readFileSync(f, 'utf8')) as unknown }));
const runs = parsed.filter((p): p is { file: string; data: BenchRun } => isBenchRun(p.data));
const reports = parsed.filter(
  (p): p is { file: string; data: ConfigReport } =>
    typeof p.data === 'object' &&
    p.data !== null &&
    Array.isArray((p.data as ConfigReport).candidates) &&
    'chosen' in (p.data as object),
);
const size = { width: 480, height: 260 };

describe('views on recorded runs', () => {
  it('there is at least one recorded run (regenerate with test/fixtures/generate-study-run.mjs)', () => {
    assert.ok(runs.length > 0, `no BenchRun JSON under ${fixturesDir()}`);
  });
  for (const { file, data: run } of runs) {
    it(`${file.slice(file.indexOf('test/fixtures'))}: provenance, rows, charts`, () => {
      assert.ok(run.recorded && run.recorded.length > 10, 'a committed run says where and when it was recorded');
      const rows = runRows(run);
      assert.equal(rows.length, run.results.length);
      const timed = run.results.some((r) => r.timing);
      assert.equal(hasTiming(rows), timed);
      if (run.mode === 'study') {
        assert.equal(timed, false, 'a study run has no timings');
        assert.equal(
          bars.layout(tflopsData(run), runSeries(run), size).marks.length,
          1,
          'bars chart says there are no timings',
        );
        assert.equal(roof.layout(rooflineData(run), size).marks.length, 1);
      } else {
        for (const [i, r] of run.results.entries())
          if (r.timing) assert.equal(rows[i].tflops, r.timing.tflops, 'table shows the runtime figure');
        assert.ok(roof.layout(rooflineData(run), size).marks.some((m) => m.type === 'circle'));
      }
      const compiled = run.results.filter((r) => r.registers).length;
      assert.equal(registersFromRun(run, []).entries.length, compiled);
      assert.equal(runToCsv(run).trimEnd().split('\r\n').length, run.results.length + 1);
    });
  }
});

describe('views on config reports from the real CLI', () => {
  for (const { file, data: report } of reports) {
    it(`${file.slice(file.indexOf('test/fixtures'))}: chosen is a legal listed candidate; chart shows the legal ones`, () => {
      const at = chosenIndex(report.candidates, report.chosen);
      assert.ok(at >= 0, 'the chosen config is one of the legal candidates');
      const legal = report.candidates.filter((c) => !c.rejected).length;
      const pts = candidateData(report.candidates, at, []);
      assert.equal(pts.length, legal);
      assert.ok(
        report.candidates.filter((c) => c.rejected).every((c) => c.rejected!.reason.length > 0),
        'every rejection has a reason',
      );
      const marks = space.layout(pts, size).marks;
      assert.equal(marks.filter((m) => m.type === 'rect' && m.cls === 'chosen-band').length, 1);
    });
  }
});
