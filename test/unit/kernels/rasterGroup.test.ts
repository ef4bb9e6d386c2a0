// The scheduler's raster group (kernels/include/fp8lab/scheduler.cuh): by default the footprint rule
// picks 8 or 16 fast blocks per group; FP8LAB_RASTER_GROUP (an experiment macro, kernels/README.md,
// "Where the ping-pong time goes") fixes it. Built for the host with the real nvcc and walked on the
// CPU through the scheduler's own host-callable tile_at: every tile once, and the first tiles in
// flight spread over as many M-blocks as the group holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { kernelInclude, nvcc, skip, withWorkDir } from '../nvccHarness';

// 4096x32768 in 128x128 tiles on 132 SMs: 32 M-blocks, 256 N-blocks; rastered along M (no cluster).
const walker = (define: string) => `${define}
#include <cstdio>
#include <set>
#include <vector>
#include "fp8lab/scheduler.cuh"
using namespace fp8lab;
int main() {
  GemmArgs args{};
  args.m = 4096; args.n = 32768; args.k = 512;
  Scheduler<GemmType::Normal, 128, 128, 1, 1, 132> s(args);
  std::vector<int> seen(s.num_tiles, 0);
  std::set<unsigned> first_m;
  for (unsigned i = 0; i < s.num_tiles; ++i) {
    TileInfo t;
    if (!s.tile_at(i, t)) return 2;
    seen[t.m_block * s.num_n_blocks + t.n_block]++;
    if (i < 2 * 132) first_m.insert(t.m_block);
  }
  for (int c : seen) if (c != 1) return 3;
  std::printf("group %u m_blocks_in_flight %zu\\n", s.kGroupSize, first_m.size());
  return 0;
}
`;

function walk(define: string): { status: number | null; out: string } {
  return withWorkDir('fp8lab-raster-', (work) => {
    const cu = join(work, 'walk.cu');
    writeFileSync(cu, walker(define));
    const exe = join(work, 'walk');
    const build = spawnSync(nvcc!, ['-std=c++17', '-O1', '-I', kernelInclude(), '-o', exe, cu], { encoding: 'utf8' });
    if (build.status !== 0) return { status: build.status, out: `${build.stdout}${build.stderr}` };
    const run = spawnSync(exe, [], { encoding: 'utf8' });
    return { status: run.status, out: run.stdout };
  });
}

test('by default the 128x128 raster groups 8 M-blocks; FP8LAB_RASTER_GROUP=32 groups all 32, each tile once', { skip }, () => {
  const byDefault = walk('');
  assert.equal(byDefault.status, 0, byDefault.out);
  assert.match(byDefault.out, /group 8 m_blocks_in_flight 8\n/);
  const whole = walk('#define FP8LAB_RASTER_GROUP 32');
  assert.equal(whole.status, 0, whole.out);
  assert.match(whole.out, /group 32 m_blocks_in_flight 32\n/);
});

test('an odd FP8LAB_RASTER_GROUP is refused at compile time (cluster pairs share a block)', { skip }, () => {
  const odd = walk('#define FP8LAB_RASTER_GROUP 5');
  assert.notEqual(odd.status, 0);
  assert.match(odd.out, /even groups keep cluster pairs on one block/);
});
