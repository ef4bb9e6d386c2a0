// The 1D2D kernel's three overlap macros and their TypeScript mirror (kernelRules) must agree: the
// cost model predicts with the mirror, the kernel compiles with the macros' defaults. Every generated
// unit also static_asserts the derived choices (kernelSource.ts); this test pins the defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OVERLAP_MAX_BLOCK_N, OVERLAP_TILES, OVERLAP_TILES_AHEAD } from '../../../extension/src/core/kernelRules';
import { repoRoot } from '../repoRoot';

function macroDefault(header: string, name: string): number {
  const m = new RegExp(`#ifndef ${name}\\s*\\n#define ${name} (\\d+)\\s*\\n#endif`).exec(header);
  assert.ok(m, `${name} has no #ifndef/#define default in the header`);
  return Number(m[1]);
}

test('the overlap macros default to what kernelRules mirrors', () => {
  const header = readFileSync(
    join(repoRoot(), 'kernels', 'include', 'fp8lab', 'impls', 'sm90_fp8_gemm_1d2d.cuh'),
    'utf8',
  );
  assert.equal(macroDefault(header, 'FP8LAB_OVERLAP_MAX_BLOCK_N'), OVERLAP_MAX_BLOCK_N);
  assert.equal(macroDefault(header, 'FP8LAB_OVERLAP_TILES') !== 0, OVERLAP_TILES);
  assert.equal(macroDefault(header, 'FP8LAB_OVERLAP_TILES_AHEAD'), OVERLAP_TILES_AHEAD);
});
