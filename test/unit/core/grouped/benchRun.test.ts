// Grouped runs in the results panel's terms: the recorded H100 grouped runs converted to BenchRuns
// (every figure copied, GB/s = TB/s × 1000, the FLOP convention named per row), their table rows,
// CSV and chart labels, and the run archive reading a grouped run file as it is written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroupedBenchRun, GroupedKind } from '../../../../extension/protocol/grouped';
import type { BenchRun } from '../../../../extension/protocol/worker';
import { flopConvention, groupedToBenchRun, isGroupedBenchRun } from '../../../../extension/src/core/grouped/benchRun';
import { caseLabel } from '../../../../extension/src/core/grouped/cases';
import { groupedWork } from '../../../../extension/src/core/grouped/metrics';
import { runFileName } from '../../../../extension/src/core/savedRun';
import { RunArchive } from '../../../../extension/src/storage/runArchive';
import { columnsFor, resultLabel, rowToTsv, runRows, runToCsv } from '../../../../extension/src/core/runRows';
import { rooflineData, tflopsData } from '../../../../webview/src/charts/data';
import { repoRoot } from '../../repoRoot';

const KINDS: GroupedKind[] = ['contiguous', 'masked', 'kgrouped', 'wgrad'];
const fixture = (name: string) => join(repoRoot(), 'test', 'fixtures', 'h100', name);
const load = <T>(name: string): T => JSON.parse(readFileSync(fixture(name), 'utf8')) as T;
const grouped = (kind: GroupedKind) => load<GroupedBenchRun & { recorded?: string }>(`grouped-${kind}.json`);

describe('grouped run → BenchRun', () => {
  for (const kind of KINDS) {
    it(`${kind}: one ShapeResult per case, every figure copied from the recorded run`, () => {
      const g = grouped(kind);
      const run = groupedToBenchRun(g);
      assert.equal(run.id, g.id);
      assert.equal(run.source, 'grouped');
      assert.equal(run.recorded, g.recorded);
      assert.deepEqual(run.device, g.device);
      assert.equal(run.options?.peer, false);
      assert.equal(run.results.length, g.results.length);
      assert.equal(run.failedCases, undefined);
      g.results.forEach((src, i) => {
        const r = run.results[i];
        assert.equal(r.problem.kind, kind);
        assert.equal(r.problem.m, src.problem.m, 'M as the kernel sees it');
        assert.equal(r.problem.k, src.problem.k, 'K as the kernel sees it');
        assert.equal(r.problem.numGroups, src.case.numGroups);
        assert.equal(r.caseLabel, caseLabel(src.case));
        assert.deepEqual(r.config, src.config);
        assert.deepEqual(r.accuracy, src.accuracy);
        assert.deepEqual(r.registers, src.registers);
        assert.equal(r.peer, undefined, 'no cuBLASLt peer for grouped GEMMs');
        assert.ok(src.timing && r.timing, 'the recorded cases are timed');
        assert.equal(r.timing.medianUs, src.timing.medianUs);
        assert.equal(r.timing.tflops, src.timing.tflops);
        assert.equal(r.timing.gbps, src.timing.tbps * 1000);
        assert.equal(r.timing.flops, src.timing.flops);
        assert.equal(r.timing.bytes, src.timing.bytes);
        assert.equal(r.grouped?.flopsOver, src.timing.flopsOver);
        assert.equal(r.grouped?.convention, flopConvention(kind));
        assert.deepEqual(r.grouped?.untouched, src.untouched);
        // The convention the row names is the one the runtime counted by.
        const work = groupedWork(src.case, src.draw);
        assert.equal(work.flops, src.timing.flops);
        assert.equal(work.flopsOver, r.grouped?.flopsOver);
      });
      assert.equal(new Set(run.results.map(resultLabel)).size, run.results.length, 'chart labels tell the cases apart');
    });
  }

  it('contiguous and masked rows count the rows the convention says (padded / valid)', () => {
    const c = groupedToBenchRun(grouped('contiguous')).results[0];
    assert.equal(c.grouped?.flopsOver, 'padded');
    assert.ok(c.grouped?.validRows !== undefined && c.grouped.validRows <= c.problem.m, 'valid rows ≤ padded ΣM');
    assert.equal(c.timing?.flops, 2 * c.problem.m * c.problem.n * c.problem.k);
    const m = groupedToBenchRun(grouped('masked')).results[0];
    assert.equal(m.grouped?.flopsOver, 'valid');
    assert.equal(m.timing?.flops, 2 * m.grouped!.validRows! * m.problem.n * m.problem.k);
    const k = groupedToBenchRun(grouped('kgrouped')).results[0];
    assert.equal(k.grouped?.validK, k.problem.k, "k-grouped: the kernel's K is ΣK_g");
  });

  it('a case that failed before a config was chosen is kept as a failed case with its error', () => {
    const g = grouped('masked');
    const bad = {
      ...g,
      results: [
        g.results[0],
        {
          case: { ...g.results[1].case, layout: [1, 2] },
          draw: { seed: 1 },
          problem: g.results[1].problem,
          error: { code: 'E_INVALID_SHAPE' as const, message: 'masked_m has 2 entries, the case 32 groups' },
        },
      ],
    };
    const run = groupedToBenchRun(bad);
    assert.equal(run.results.length, 1);
    assert.equal(run.failedCases?.length, 1);
    assert.equal(run.failedCases?.[0].error.code, 'E_INVALID_SHAPE');
    assert.equal(run.failedCases?.[0].kind, 'masked');
    assert.match(run.failedCases![0].caseLabel, /^masked 32x4096/);
  });

  it('a compile or launch error with a config stays a row with its error', () => {
    const g = grouped('wgrad');
    const src = {
      ...g.results[0],
      timing: undefined,
      accuracy: undefined,
      error: { code: 'E_COMPILE' as const, message: 'ptxas failed' },
    };
    const run = groupedToBenchRun({ ...g, results: [src] });
    assert.equal(run.results.length, 1);
    assert.equal(run.results[0].timing, undefined);
    assert.equal(runRows(run)[0].error, 'E_COMPILE: ptxas failed');
  });

  it('tells grouped runs from normal ones', () => {
    for (const kind of KINDS) assert.ok(isGroupedBenchRun(grouped(kind)), kind);
    const normal = load<BenchRun>('bench-deepseek.json');
    assert.equal(isGroupedBenchRun(normal), false);
    assert.equal(
      isGroupedBenchRun(groupedToBenchRun(grouped('masked'))),
      false,
      'a converted run is not converted twice',
    );
    assert.equal(isGroupedBenchRun({ id: 'x', startedAt: 't', mode: 'gpu', results: [] }), false);
  });
});

describe('grouped rows, CSV and charts', () => {
  const run = groupedToBenchRun(grouped('masked'));
  const rows = runRows(run);

  it('rows carry kind, groups, expected m and FLOP convention, and the DeepGEMM figures the run measured beside each case', () => {
    rows.forEach((row, i) => {
      const r = run.results[i];
      assert.equal(row.kind, 'masked');
      assert.equal(row.groups, r.problem.numGroups);
      assert.equal(row.expectedM, r.problem.expectedM);
      assert.equal(row.flopsOver, 'valid');
      assert.equal(row.tflops, r.timing?.tflops);
      assert.equal(row.gbps, r.timing?.gbps);
      const dg = r.peers?.find((p) => p.id === 'deepgemm');
      assert.ok(dg?.timing, 'the recording timed DeepGEMM on every case');
      assert.deepEqual(
        Object.keys(row.peers),
        ['deepgemm'],
        'no figure of a peer the run did not measure (cuBLASLt has no grouped form)',
      );
      assert.equal(row.peers.deepgemm?.us, dg.timing.medianUs);
      assert.equal(row.peers.deepgemm?.ratio, dg.timing.ratio);
      assert.equal(row.pctFp8, undefined, 'no ceilings in a grouped run: no % of ceiling');
      assert.equal(row.untouchedChanged, 0);
    });
  });

  it('CSV: grouped columns with the kind first; normal runs keep exactly their columns', () => {
    const lines = runToCsv(run).trimEnd().split('\r\n');
    assert.equal(lines.length, run.results.length + 1);
    assert.equal(
      lines[0],
      columnsFor(run)
        .map((c) => c.header)
        .join(','),
    );
    assert.ok(
      /DeepGEMM/.test(lines[0]) && !/cuBLASLt|torch/.test(lines[0]),
      'a DeepGEMM column (the run measured it), no other peer column',
    );
    assert.deepEqual(lines[0].split(',').slice(0, 4), ['kind', 'case', 'groups', 'expected m']);
    for (const line of lines.slice(1)) assert.match(line, /^masked,masked \d+x4096 m~\d+ N=\d+ K=\d+,\d+,\d+,/);
    const normal = load<BenchRun>('bench-deepseek.json');
    assert.equal(
      runToCsv(normal).split('\r\n')[0],
      columnsFor(normal)
        .map((c) => c.header)
        .join(','),
    );
    const tsv = rowToTsv(rows[0], columnsFor(run)).split('\n');
    assert.equal(tsv[0].split('\t').length, columnsFor(run).length);
    assert.ok(tsv[1].includes(run.results[0].caseLabel!));
  });

  it('chart data: one labelled bar group (ours, DeepGEMM) and roofline point per timed case', () => {
    const bars = tflopsData(run);
    assert.equal(bars.length, run.results.length);
    bars.forEach((b, i) => {
      assert.deepEqual(Object.keys(b.values).sort(), ['deepgemm', 'ours']);
      assert.equal(b.values.ours, run.results[i].timing!.tflops);
      assert.equal(b.values.deepgemm, run.results[i].peers!.find((p) => p.id === 'deepgemm')!.timing!.tflops);
    });
    assert.equal(new Set(bars.map((b) => b.label)).size, bars.length);
    const roof = rooflineData(run);
    assert.equal(roof.points.length, run.results.length);
    roof.points.forEach((p, i) =>
      assert.equal(p.intensity, run.results[i].timing!.flops / run.results[i].timing!.bytes),
    );
    const normal = load<BenchRun>('bench-deepseek.json');
    assert.deepEqual(
      tflopsData(normal).map((b) => b.label),
      normal.results.map((r) => `${r.problem.m}x${r.problem.n}x${r.problem.k}`),
      'normal labels unchanged',
    );
  });
});

describe('run archive and grouped runs', () => {
  it('reads a grouped run file as its BenchRun, lists it as grouped, and latest() skips it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-grouped-'));
    try {
      const archive = new RunArchive(dir);
      const g = grouped('masked');
      const normal = load<BenchRun>('bench-deepseek.json');
      writeFileSync(join(dir, runFileName(g.id)), JSON.stringify(g));
      await archive.save({ ...normal, startedAt: '2000-01-01T00:00:00.000Z' });
      const loaded = await archive.load(g.id);
      assert.deepEqual(loaded, groupedToBenchRun(g));
      const list = await archive.list();
      assert.equal(list.length, 2);
      assert.equal(list[0].id, g.id, 'newest first');
      assert.equal(list[0].grouped, true);
      assert.equal(list[0].shapes, g.results.length);
      assert.equal(list[1].grouped, undefined);
      assert.equal((await archive.latest())?.id, normal.id, 'the last run for gemm/bench is the newest normal run');
      // Saved again as converted (what the command does), it reads back the same.
      await archive.save(loaded);
      assert.deepEqual(await archive.load(g.id), loaded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
