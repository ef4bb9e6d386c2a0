// lab/config-sweep-fixture.mjs folds bench runs into a sweep fixture: runs of one config are its
// repeats (their median is its time), and configs that build different kernels stay apart, split-K,
// ping-pong, the D slab ring and the D swizzle included; the FP8 GEMM's runs (a problem per result)
// fold per shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../repoRoot';
import { completeConfigBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import { median, timesOnOneClock, type SweptConfig } from './configSweepFixture';

// A BF16 64x32 tile as the planner completes it (its D swizzle: 64 bytes).
const tile = completeConfigBf16({ blockM: 64, blockN: 32, numSms: 132 });
const bfCase = { kind: 'bf16', numGroups: 1, m: 64, n: 2112, k: 7168 };
const run = (
  startedAt: string,
  rows: Array<[config: object, us: number, peerUs: number]>,
  what: object = { case: bfCase },
) => ({
  startedAt,
  finishedAt: startedAt,
  device: { name: 'NVIDIA H100 80GB HBM3' },
  results: rows.map(([config, us, peerUs]) => ({
    ...what,
    config,
    accuracy: { passed: true },
    timing: { medianUs: us },
    peers: [{ id: 'cublaslt', timing: { medianUs: peerUs } }],
  })),
});

const fold = (dir: string, runs: object[]) => {
  const files = runs.map((r, i) => {
    const f = join(dir, `sweep-${i + 1}.json`);
    writeFileSync(f, JSON.stringify(r));
    return f;
  });
  return JSON.parse(
    execFileSync(process.execPath, [join(repoRoot(), 'lab', 'config-sweep-fixture.mjs'), 'CMD', ...files], {
      encoding: 'utf8',
    }),
  );
};

test('the fold keeps split-K, ping-pong, slab-ring and D-swizzle configs of one tile apart and takes each config’s median', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-fold-'));
  try {
    const files = [
      run('2026-12-07T09:00:00Z', [[tile, 17.8, 14.8]]),
      run('2026-12-07T09:01:00Z', [[{ ...tile, splitK: 2 }, 21.7, 14.9]]),
      run('2026-12-07T09:02:00Z', [
        [{ ...tile, splitK: 2 }, 21.1, 14.7],
        [{ ...tile, pingpong: 1 }, 30, 15],
        [{ ...tile, dSlabs: 2 }, 18.4, 14.9],
        [{ ...tile, swizzleD: 0 }, 16.9, 14.8],
      ]),
      run('2026-12-07T09:03:00Z', [[{ ...tile, splitK: 2 }, 22.5, 14.8]]),
    ];
    const fixture = fold(dir, files);
    assert.equal(fixture.recorded.command, 'CMD');
    assert.equal(fixture.recorded.from, '2026-12-07T09:00:00Z');
    assert.equal(fixture.recorded.to, '2026-12-07T09:03:00Z');
    assert.equal(fixture.cases.length, 1);
    const configs = fixture.cases[0].configs.map(
      (c: {
        config: { splitK?: number; pingpong?: number; dSlabs?: number; swizzleD: number };
        medianUs: number;
        runsUs: number[];
      }) => [
        c.config.splitK ?? 1,
        c.config.pingpong ?? 0,
        c.config.dSlabs ?? 0,
        c.config.swizzleD,
        c.medianUs,
        c.runsUs.length,
      ],
    );
    assert.deepEqual(configs, [
      [1, 0, 0, 64, 17.8, 1],
      [2, 0, 0, 64, 21.7, 3],
      [1, 1, 0, 64, 30, 1],
      [1, 0, 2, 64, 18.4, 1],
      [1, 0, 0, 0, 16.9, 1],
    ]);
    assert.equal(fixture.cases[0].configs[1].peersMedianUs.cublaslt, 14.8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FP8 GEMM runs fold per problem: two shapes stay two cases, each config’s runs one median', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-fold-'));
  try {
    const fp8 = { ...tile, blockK: 128, numMathWarpgroups: 2, blockM: 128, blockN: 192, numStages: 4 };
    const a = { problem: { kind: 'normal', m: 4096, n: 2112, k: 7168 } };
    const b = { problem: { kind: 'normal', m: 4096, n: 7168, k: 2048 } };
    const fixture = fold(dir, [
      run('2026-12-07T09:00:00Z', [[fp8, 100.6, 100.9]], a),
      run('2026-12-07T09:00:01Z', [[fp8, 92.7, 93.1]], b),
      // A forced config rides in the problem: the shape alone is the case.
      run('2026-12-07T09:01:00Z', [[{ ...fp8, clusterM: 2 }, 95.4, 94.8]], {
        problem: { ...a.problem, config: { ...fp8, clusterM: 2 } },
      }),
      run('2026-12-07T09:02:00Z', [[fp8, 95.6, 94.7]], a),
    ]);
    assert.deepEqual(
      fixture.cases.map((c: { case: { n: number }; configs: Array<{ medianUs: number; runsUs: number[] }> }) => [
        c.case.n,
        c.configs.map((x) => [x.medianUs, x.runsUs.length]),
      ]),
      [
        [
          2112,
          [
            [98.1, 2],
            [95.4, 1],
          ],
        ],
        [7168, [[92.7, 1]]],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('where both kept their rounds, the fold adds the median per-round ratio and the fastest rounds; times on one clock follow the ratio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-fold-'));
  try {
    // The clock falls 30% between our third round and the peer's: the medians land in different
    // modes (ours 100, the peer's 117: 1.17), every round but that one reads 0.9.
    const rounds = (config: object, ours: number[], theirs: number[]) => ({
      ...run('2026-12-07T09:00:00Z', [[config, median(ours), median(theirs)]]),
      results: [
        {
          case: bfCase,
          config,
          accuracy: { passed: true },
          timing: { medianUs: median(ours), minUs: Math.min(...ours), roundsUs: ours },
          peers: [
            { id: 'cublaslt', timing: { medianUs: median(theirs), minUs: Math.min(...theirs), roundsUs: theirs } },
          ],
        },
      ],
    });
    const steady = { ...tile, swizzleD: 0 };
    const fixture = fold(dir, [
      rounds(tile, [100, 100, 100, 130, 130], [90, 90, 117, 117, 117]),
      rounds(steady, [120, 120, 120, 120, 120], [108, 108, 108, 108, 108]),
    ]);
    const [shifted, level] = fixture.cases[0].configs as SweptConfig[];
    assert.equal(shifted.medianUs, 100);
    assert.equal(shifted.peersMedianUs.cublaslt, 117);
    assert.equal(shifted.peersPairedRatio!.cublaslt, 0.9);
    assert.equal(level.peersPairedRatio!.cublaslt, 0.9);
    // Each run's fastest rounds ride along (the README quotes them where the clock moved).
    const fastest = fixture.cases[0].configs[0];
    assert.deepEqual([fastest.fastestRoundsUs, fastest.peersFastestRoundsUs], [[100], { cublaslt: [90] }]);
    // Both ran at 0.9 of the peer's speed round by round: the same time on one clock; by the
    // medians alone the first would read 23% faster.
    const [a, b] = timesOnOneClock([shifted, level], 'cublaslt', 'paired');
    assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
    const { peersPairedRatio: _drop, ...unpaired } = shifted;
    const [c, d] = timesOnOneClock([unpaired, { ...level, peersPairedRatio: undefined }], 'cublaslt', 'medians');
    assert.ok(d / c > 1.2, `${c} vs ${d}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
