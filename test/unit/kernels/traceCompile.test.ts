// The recorder (kernels/include/fp8lab/common/trace.cuh) with the real nvcc, no GPU: with
// FP8LAB_TRACE=1 it reads %smid and clock64 and stores 16-byte streaming records, reading the slow
// %globaltimer only at anchors (slice start, TileBegin, TileEnd: never in the K-loop); with the
// macro 0 or undefined, a kernel full of trace calls compiles to exactly the PTX of the same kernel
// without them (the normal build carries no cost). Skips (saying why) only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot } from '../repoRoot';

const nvcc = [process.env.FP8LAB_JIT_NVCC_COMPILER, process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'), '/usr/local/cuda/bin/nvcc']
  .filter((p): p is string => !!p).find((p) => existsSync(p));
const skip = nvcc ? false : 'nvcc not found (FP8LAB_JIT_NVCC_COMPILER, $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc)';

// A kernel shaped like the GEMM's roles: the last warpgroup's elected thread records producer
// events, thread 0 of each math warpgroup records math events.
const kernel = (withCalls: boolean) => `
#include "fp8lab/common/trace.cuh"
using namespace fp8lab;
extern "C" __global__ void probe(const __grid_constant__ GemmArgs args, float* out) {
  const uint32_t wg = threadIdx.x / 128;
  const bool producer = wg == 2;
  ${withCalls ? 'TraceWriter tr(args, producer ? kTraceRoleProducer : wg + 1, threadIdx.x % 128 == 0);' : ''}
  float acc = 0.0f;
  ${withCalls ? 'tr.event(TraceEvent::TileBegin, kTraceNoStage, kTraceNoKBlock, blockIdx.x, 0);' : ''}
  for (uint32_t kb = 0; kb < args.k / 128; ++kb) {
    ${withCalls ? 'tr.event(producer ? TraceEvent::TmaIssue : TraceEvent::WgmmaIssue, kb % 4, kb, blockIdx.x, 0);' : ''}
    acc += static_cast<float>(kb) * args.n;
    ${withCalls ? 'tr.event(TraceEvent::WgmmaDone, kb % 4, kb, blockIdx.x, 0);' : ''}
  }
  ${withCalls ? 'tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, blockIdx.x, 0);' : ''}
  ${withCalls ? 'tr.finish();' : ''}
  out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}
`;

function ptx(dir: string, name: string, source: string, define?: string): string {
  const src = join(dir, `${name}.cu`), out = join(dir, `${name}.ptx`);
  writeFileSync(src, source);
  const args = ['-std=c++17', '-O3', '-arch=sm_90a', '-ptx', '-I', join(repoRoot(), 'kernels', 'include'), ...(define ? [define] : []), '-o', out, src];
  const r = spawnSync(nvcc!, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `nvcc ${args.join(' ')} failed:\n${r.stderr}`);
  // Drop comments and the header lines that name the source file.
  return readFileSync(out, 'utf8').split('\n').filter((l) => !l.startsWith('//') && !l.includes('.file')).join('\n');
}

test('the instrumented build records, the normal build compiles every trace call away', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-trace-'));
  try {
    const traced = ptx(dir, 'traced', kernel(true), '-DFP8LAB_TRACE=1');
    for (const needle of ['%globaltimer', '%smid', '%clock64', 'st.global.cs.v4.u32']) assert.ok(traced.includes(needle), `instrumented PTX lacks ${needle}`);
    // Anchors only: the header, TileBegin and TileEnd read %globaltimer; the two K-loop events do not.
    const timerReads = traced.split('\n').filter((l) => l.includes('%globaltimer')).length;
    assert.equal(timerReads, 3, `instrumented PTX reads %globaltimer ${timerReads} times; expected 3 (slice start, TileBegin, TileEnd)`);
    const loop = traced.slice(traced.indexOf('$L__BB'));
    assert.ok(loop.includes('st.global.cs.v4.u32'), 'the K-loop events are not stored in the loop');
    const normalCalls = ptx(dir, 'normal', kernel(true));
    const explicitZero = ptx(dir, 'zero', kernel(true), '-DFP8LAB_TRACE=0');
    const noCalls = ptx(dir, 'plain', kernel(false));
    for (const needle of ['%globaltimer', '%smid', '%clock64', 'st.global.v4']) assert.ok(!normalCalls.includes(needle), `normal PTX contains ${needle}`);
    assert.equal(normalCalls, noCalls, 'a kernel with trace calls must compile to the same PTX as one without them');
    assert.equal(explicitZero, noCalls);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
