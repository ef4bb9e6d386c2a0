// lab/variants-summary.mjs: the A/B table of variants.sh runs. Each variant's ratio to the peer of
// its process is the median of the per-round ratios where both kept their rounds (a round's pair
// shares the clock), else the ratio of the medians.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../repoRoot';

const result = (ours: { medianUs: number; roundsUs?: number[] }, peer: { medianUs: number; roundsUs?: number[] }) => ({
  results: [
    {
      problem: { m: 4096, n: 24576, k: 1536, numGroups: 1 },
      timing: ours,
      peers: [{ id: 'cublaslt', timing: peer }],
    },
  ],
});

test('the ratio is paired round by round when both kept their rounds, else the medians’', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-variants-'));
  try {
    // The clock fell between our third round and the peer's: medians 100 and 117, every other round 0.9.
    writeFileSync(
      join(dir, 'variant-paired-1.json'),
      JSON.stringify(
        result(
          { medianUs: 100, roundsUs: [100, 100, 100, 130, 130] },
          { medianUs: 117, roundsUs: [90, 90, 117, 117, 117] },
        ),
      ),
    );
    writeFileSync(join(dir, 'variant-medians-1.json'), JSON.stringify(result({ medianUs: 100 }, { medianUs: 117 })));
    const out = execFileSync(
      process.execPath,
      [
        join(repoRoot(), 'lab', 'variants-summary.mjs'),
        join(dir, 'variant-paired-1.json'),
        join(dir, 'variant-medians-1.json'),
      ],
      { encoding: 'utf8' },
    );
    const row = out.split('\n').find((l) => l.startsWith('4096x24576x1536'))!;
    assert.match(row, /100\.0 \(x0\.900\)\s+100\.0 \(x1\.170\)/, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
