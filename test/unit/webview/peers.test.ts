// Runs saved before per-peer results (one cuBLASLt column) are read as `peers` on load, and the
// views' peer columns come from what the run holds: tested on the recorded H100 run and on a
// three-peer run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRun } from '../../../extension/protocol/worker';
import { peerColumns, peerLines, upgradeRun } from '../../../extension/src/core/peers/runPeers';
import { RunArchive } from '../../../extension/src/storage/runArchive';
import { repoRoot } from '../repoRoot';
import { makePeersRun } from './runData';

// The worker's recorded H100 run predates per-peer results: its rows carry the one cuBLASLt column.
const recorded = (): BenchRun =>
  JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/h100/worker-bench-deepseek.json'), 'utf8')) as BenchRun;

describe('legacy runs: the one cuBLASLt column becomes the cuBLASLt peer', () => {
  it('converts every row of the recorded H100 run, keeping its figures exactly', () => {
    const legacy = recorded();
    const run = upgradeRun(legacy);
    assert.equal(run.results.length, legacy.results.length);
    run.results.forEach((r, i) => {
      const old = legacy.results[i];
      assert.equal(r.peer, undefined);
      assert.equal(r.peerAccuracy, undefined);
      assert.equal(r.peers?.length, 1);
      const p = r.peers![0];
      assert.equal(p.id, 'cublaslt');
      if (old.peer && 'skipped' in old.peer) {
        assert.equal(p.skipped, old.peer.skipped);
        return;
      }
      assert.ok(old.peer);
      assert.equal(p.name, old.peer.name);
      assert.equal(p.timing?.medianUs, old.peer.medianUs);
      assert.equal(p.timing?.ratio, old.peer.ratio);
      assert.equal(p.timing?.spread, old.peer.spread);
      assert.equal(p.timing?.tflops, old.peer.tflops);
      assert.deepEqual(p.accuracy, old.peerAccuracy);
    });
    assert.deepEqual(run.peers, [
      {
        id: 'cublaslt',
        name: (legacy.results.find((r) => r.peer && !('skipped' in r.peer))!.peer as { name: string }).name,
        available: true,
      },
    ]);
    assert.deepEqual(
      peerColumns(run).map((c) => c.id),
      ['cublaslt'],
    );
  });
  it('a skipped legacy column keeps its reason and marks the peer unavailable', () => {
    const legacy = recorded();
    const run = upgradeRun({
      ...legacy,
      results: legacy.results
        .slice(0, 2)
        .map((r) => ({ ...r, peer: { skipped: 'no libcublasLt.so found' }, peerAccuracy: undefined })),
    });
    assert.deepEqual(run.results[0].peers, [{ id: 'cublaslt', name: 'cuBLASLt', skipped: 'no libcublasLt.so found' }]);
    assert.deepEqual(run.peers, [
      { id: 'cublaslt', name: 'cuBLASLt', available: false, reason: 'no libcublasLt.so found' },
    ]);
  });
  it('leaves a current run as it is (same object) and is idempotent', () => {
    const run = makePeersRun();
    assert.equal(upgradeRun(run), run);
    const once = upgradeRun(recorded());
    assert.equal(upgradeRun(once), once);
  });
  it('RunArchive.loadFile converts a legacy file on load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-peers-'));
    try {
      const file = join(dir, 'legacy.json');
      writeFileSync(file, JSON.stringify(recorded()));
      const run = await new RunArchive(dir).loadFile(file);
      assert.ok(run.results.every((r) => r.peer === undefined && r.peers?.[0]?.id === 'cublaslt'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('peer columns and lines', () => {
  it('lists the peers a run has, in a fixed order, from the run and its rows', () => {
    const run = makePeersRun();
    assert.deepEqual(
      peerColumns(run).map((c) => [c.id, c.short]),
      [
        ['cublaslt', 'cuBLASLt'],
        ['deepgemm', 'DeepGEMM'],
        ['torch', 'torch._scaled_mm'],
      ],
    );
    // Found from the rows alone when the run does not say which it asked for.
    assert.deepEqual(
      peerColumns({ results: [run.results[1]] }).map((c) => c.id),
      ['cublaslt', 'deepgemm'],
    );
    assert.deepEqual(peerColumns({ results: [] }), []);
  });
  it('says per peer its time and ratio, or why it was not timed', () => {
    const run = makePeersRun();
    const lines = peerLines(run.results[0]);
    assert.equal(lines.length, 3);
    assert.match(
      lines[1],
      /^DeepGEMM 2\.6\.1: median \d+\.\d\d µs.*ratio 0\.900x \(peer faster\); config deepgemm config/,
    );
    assert.match(peerLines(run.results[1])[1], /^DeepGEMM 2\.6\.1: not timed — DeepGEMM needs N % 64 == 0/);
  });
});
