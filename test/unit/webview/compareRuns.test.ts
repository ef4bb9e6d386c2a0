// Comparing two runs: shape by shape, B over A, a verdict only where the spreads allow it; on two
// real H100 recordings of the DeepSeek shapes and on runs built from them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun } from '../../../extension/protocol/worker';
import { compareRuns, compareShape } from '../../../extension/src/core/compareRuns';
import { repoRoot } from '../repoRoot';

const load = (name: string): BenchRun =>
  JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/h100', name), 'utf8')) as BenchRun;

/** Run `r` with every time scaled by f and spreads set to `spread`. */
function scaled(r: BenchRun, f: number, spread: number): BenchRun {
  return {
    ...r,
    id: `${r.id}-x${f}`,
    results: r.results.map((x) =>
      x.timing ? { ...x, timing: { ...x.timing, medianUs: x.timing.medianUs * f, spread } } : x,
    ),
  };
}

describe('compareRuns', () => {
  it('matches every shape of two recorded H100 runs and gives each a ratio with both spreads', () => {
    const a = load('bench-deepseek.json'),
      b = load('worker-bench-deepseek.json');
    const c = compareRuns(a, b);
    const both = a.results.filter((r) =>
      b.results.some((x) => x.problem.m === r.problem.m && x.problem.n === r.problem.n && x.problem.k === r.problem.k),
    );
    assert.equal(c.rows.filter((r) => r.ratio !== undefined).length, both.length);
    for (const row of c.rows.filter((r) => r.ratio !== undefined)) {
      const ra = a.results[row.a!],
        rb = b.results[row.b!];
      assert.equal(row.ratio, rb.timing!.medianUs / ra.timing!.medianUs);
      assert.equal(row.spread, ra.timing!.spread + rb.timing!.spread);
    }
    assert.ok(c.geomean! > 0.5 && c.geomean! < 2);
    assert.match(c.summary, /geometric mean \d\.\d{3}x over \d+ shapes/);
  });
  it('says faster or slower only beyond the two spreads together', () => {
    const a = scaled(load('bench-deepseek.json'), 1, 0.02);
    assert.ok(compareRuns(a, scaled(a, 0.9, 0.02)).rows.every((r) => r.verdict === 'faster'));
    assert.ok(compareRuns(a, scaled(a, 1.1, 0.02)).rows.every((r) => r.verdict === 'slower'));
    const close = compareRuns(a, scaled(a, 0.99, 0.02));
    assert.ok(
      close.rows.every((r) => r.verdict === 'same'),
      '1% inside a 4% spread is no verdict either way',
    );
    assert.equal(close.counts.same, a.results.length);
    // No spread recorded (a tune file): a ratio but no verdict, and the reason.
    const noSpread = compareRuns(a, scaled(a, 0.5, Number.NaN));
    assert.ok(noSpread.rows.every((r) => r.verdict === undefined && /no spread/.test(r.why ?? '')));
  });
  it('names a changed config and shapes present in one run only', () => {
    const a = load('bench-deepseek.json');
    const b: BenchRun = {
      ...a,
      results: [
        { ...a.results[0], config: { ...a.results[0].config, numStages: a.results[0].config.numStages - 1 } },
        ...a.results.slice(2),
      ],
    };
    const c = compareRuns(a, b);
    assert.match(c.rows[0].configChange ?? '', / → /);
    assert.equal(c.counts.unmatched, 1);
    assert.equal(c.rows.find((r) => r.b === undefined)?.why, 'not in run B');
    assert.equal(compareShape(undefined, a.results[0]).why, 'not in run A');
  });
});
