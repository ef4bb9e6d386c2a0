// "Open saved run…" opens any fp8lab JSON file in its view: each kind of file the CLI and the GPU
// scripts write (the committed H100 recordings) is recognised, and anything else is refused with
// a sentence that says what is missing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFp8labJson, looksLikeFp8labJson } from '../../../extension/src/core/fp8labFiles';
import { runRows } from '../../../extension/src/core/runRows';
import { repoRoot } from '../repoRoot';

const read = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/h100', name), 'utf8'));

describe('classifyFp8labJson on the recorded H100 files', () => {
  it('a bench run: the results panel, peers read from the legacy column', () => {
    const f = classifyFp8labJson(read('bench-deepseek.json'), 'bench-deepseek.json');
    assert.equal(f.kind, 'bench');
    if (f.kind !== 'bench') return;
    assert.equal(f.run.results.length, 18);
    assert.ok(f.run.results.every((r) => r.peer === undefined && r.peers?.[0]?.id === 'cublaslt'));
    assert.match(f.summary, /benchmark run, 18 shapes on NVIDIA H100/);
  });
  it('a grouped run as the runtime writes it: converted to rows of cases', () => {
    const f = classifyFp8labJson(read('grouped-masked.json'), 'grouped-masked.json');
    assert.equal(f.kind, 'grouped');
    if (f.kind === 'grouped') assert.ok(f.run.results.every((r) => r.grouped && r.caseLabel));
  });
  it('a tune file: one row per timed candidate with its median, and no invented spread', () => {
    const raw = read('tune-deepseek.json') as { tunings: Array<{ candidates: Array<{ measuredUs?: number }> }> };
    const f = classifyFp8labJson(raw, 'tune-deepseek.json');
    assert.equal(f.kind, 'tune');
    if (f.kind !== 'tune') return;
    const all = raw.tunings.flatMap((t) => t.candidates);
    assert.equal(f.run.results.length, all.length);
    const rows = runRows(f.run);
    rows.forEach((row, i) => {
      if (all[i].measuredUs !== undefined && row.error === undefined) assert.equal(row.us, all[i].measuredUs);
    });
    assert.ok(
      rows.every((r) => r.spread === undefined || Number.isNaN(r.spread)),
      'a tune file records no spread',
    );
    assert.ok(f.run.results.some((r) => /heuristic's choice/.test(r.timingNote ?? '')));
  });
  it('a timeline capture and an accuracy file with all its reports', () => {
    const t = classifyFp8labJson(read('timeline-capture.json'), 'timeline-capture.json');
    assert.equal(t.kind, 'timeline');
    const a = classifyFp8labJson(read('accuracy.json'), 'accuracy.json');
    assert.equal(a.kind, 'accuracy');
    if (a.kind !== 'accuracy') return;
    assert.deepEqual(
      a.reports.map((r) => r.input),
      ['normal', 'outliers', 'tiny'],
    );
    assert.ok(
      a.reports.every((r) => /recorded on NVIDIA H100/.test(r.recorded ?? '')),
      'the file-level recording note reaches each report',
    );
  });
  it('refuses other JSON with what an fp8lab file needs; peeks cheaply at a head', () => {
    assert.throws(
      () => classifyFp8labJson({ name: 'package', version: '1' }, 'package.json'),
      /package\.json is not an fp8lab file: expected a benchmark or grouped run/,
    );
    assert.throws(() => classifyFp8labJson([1, 2], 'list.json'), /not an fp8lab file/);
    assert.throws(() => classifyFp8labJson({ reports: [] }, 'empty.json'), /empty "reports" list/);
    assert.throws(
      () => classifyFp8labJson({ bufferBase64: 'x', format: 99 }, 'bad.json'),
      /trace capture: format must be/,
    );
    assert.equal(
      looksLikeFp8labJson(
        readFileSync(join(repoRoot(), 'test/fixtures/h100/bench-deepseek.json'), 'utf8').slice(0, 3000),
      ),
      true,
    );
    assert.equal(looksLikeFp8labJson('{ "name": "fp8-gemm-lab", "version": "0.1.0" }'), false);
  });
});
