// lab/config-sweep-fixture.mjs folds bench runs into a sweep fixture: runs of one config are its
// repeats (their median is its time), and configs that build different kernels stay apart, split-K
// and ping-pong included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../repoRoot';

const tile = { blockM: 64, blockN: 32, blockK: 64, numStages: 8, numMathWarpgroups: 1, clusterM: 1, clusterN: 1 };
const bfCase = { kind: 'bf16', numGroups: 1, m: 64, n: 2112, k: 7168 };
const run = (startedAt: string, rows: Array<[config: object, us: number, peerUs: number]>) => ({
  startedAt,
  finishedAt: startedAt,
  device: { name: 'NVIDIA H100 80GB HBM3' },
  results: rows.map(([config, us, peerUs]) => ({
    case: bfCase,
    config,
    accuracy: { passed: true },
    timing: { medianUs: us },
    peers: [{ id: 'cublaslt', timing: { medianUs: peerUs } }],
  })),
});

test('the fold keeps split-K and ping-pong configs of one tile apart and takes each config’s median', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-fold-'));
  try {
    const files = [
      run('2026-12-07T09:00:00Z', [[tile, 17.8, 14.8]]),
      run('2026-12-07T09:01:00Z', [[{ ...tile, splitK: 2 }, 21.7, 14.9]]),
      run('2026-12-07T09:02:00Z', [
        [{ ...tile, splitK: 2 }, 21.1, 14.7],
        [{ ...tile, pingpong: 1 }, 30, 15],
      ]),
      run('2026-12-07T09:03:00Z', [[{ ...tile, splitK: 2 }, 22.5, 14.8]]),
    ].map((r, i) => {
      const f = join(dir, `sweep-${i + 1}.json`);
      writeFileSync(f, JSON.stringify(r));
      return f;
    });
    const out = execFileSync(process.execPath, [join(repoRoot(), 'lab', 'config-sweep-fixture.mjs'), 'CMD', ...files], {
      encoding: 'utf8',
    });
    const fixture = JSON.parse(out);
    assert.equal(fixture.recorded.command, 'CMD');
    assert.equal(fixture.recorded.from, '2026-12-07T09:00:00Z');
    assert.equal(fixture.recorded.to, '2026-12-07T09:03:00Z');
    assert.equal(fixture.cases.length, 1);
    const configs = fixture.cases[0].configs.map(
      (c: { config: { splitK?: number; pingpong?: number }; medianUs: number; runsUs: number[] }) => [
        c.config.splitK ?? 1,
        c.config.pingpong ?? 0,
        c.medianUs,
        c.runsUs.length,
      ],
    );
    assert.deepEqual(configs, [
      [1, 0, 17.8, 1],
      [2, 0, 21.7, 3],
      [1, 1, 30, 1],
    ]);
    assert.equal(fixture.cases[0].configs[1].peersMedianUs.cublaslt, 14.8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
