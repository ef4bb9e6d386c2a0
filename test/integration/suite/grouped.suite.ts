// A recorded H100 grouped run (test/fixtures/h100/grouped-masked.json, as the runtime wrote it)
// opened through the saved-run path: dropped into the run store's folder, listed, reopened with
// fp8lab.openRun, and shown in the results panel as a grouped run whose rows are the recording's
// cases (the page loads and asks for them). Every figure checked comes from the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GroupedBenchRun } from '../../../extension/protocol/grouped';
import type { BenchmarkTestApi } from '../../../extension/src/features/benchmark';
import { caseLabel } from '../../../extension/src/core/grouped/cases';
import { runFileName } from '../../../extension/src/core/savedRun';
import { runRows } from '../../../extension/src/core/runRows';
import { activeExtension, testApiMember, until } from './testApi';

export function defineGroupedTests(): void {
  suite('Grouped GEMM runs in the results panel', () => {
    test('the recorded masked run opens from the run store with one row per case', async () => {
      const ext = await activeExtension();
      const file = path.join(ext.extensionPath, 'test', 'fixtures', 'h100', 'grouped-masked.json');
      const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as GroupedBenchRun & { recorded?: string };
      const features = await testApiMember('features');
      const bench = features.benchmark as BenchmarkTestApi;
      assert.ok(bench && typeof bench.shownRun === 'function', 'the benchmark feature returns { runsDir, shownRun }');

      fs.mkdirSync(bench.runsDir, { recursive: true });
      fs.copyFileSync(file, path.join(bench.runsDir, runFileName(recorded.id)));
      const opened = await vscode.commands.executeCommand<string | undefined>('fp8lab.openRun', recorded.id);
      assert.equal(opened, recorded.id);

      const shown = await until("the grouped run's results page loading", 45_000, () => {
        const s = bench.shownRun(recorded.id);
        return s?.ready ? s : undefined;
      });
      assert.equal(shown.run.source, 'grouped');
      assert.equal(shown.run.recorded, recorded.recorded);
      assert.match(shown.title, /^Recorded · /);
      const rows = runRows(shown.run);
      assert.equal(rows.length, recorded.results.length, 'one row per recorded case');
      rows.forEach((row, i) => {
        const src = recorded.results[i];
        assert.equal(row.kind, 'masked');
        assert.equal(row.caseLabel, caseLabel(src.case));
        assert.equal(row.groups, src.case.numGroups);
        assert.equal(row.m, src.problem.m);
        assert.equal(row.tflops, src.timing?.tflops);
        assert.equal(row.gbps, src.timing ? src.timing.tbps * 1000 : undefined);
        assert.equal(row.calcDiff, src.accuracy?.calcDiff);
        assert.equal(row.flopsOver, 'valid');
        const peerUs = Object.fromEntries(
          (src.peers ?? []).filter((p) => p.timing).map((p) => [p.id, p.timing!.medianUs]),
        );
        assert.ok(Object.keys(peerUs).length > 0, 'the recording measured DeepGEMM beside ours');
        assert.deepEqual(
          Object.fromEntries(Object.entries(row.peers).map(([id, c]) => [id, c?.us])),
          peerUs,
          'each case carries the peer times the run measured, no other',
        );
      });
    });
  });
}
