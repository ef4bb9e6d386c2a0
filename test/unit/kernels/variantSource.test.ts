// The three builds of one config, compiled with the real nvcc (sm_90a, no GPU):
//  - normal: its generated source never defines FP8LAB_TRACE, its PTX never reads %globaltimer, and
//    its ptxas report (registers, spills, stack) equals that of the same source compiled against the
//    kernel header as it was before the trace points went in (git history; skipped, saying why,
//    where the repository has no history), so the instrumentation costs the normal build nothing;
//  - instrumented: defines FP8LAB_TRACE 1 and its PTX reads %globaltimer;
//  - no promotion (accuracy study): compiles with 0 spills and 0 stack.
// Skips (saying why) only when nvcc is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { completeConfig } from '../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../extension/src/core/kernelSource';
import { findEntry, parsePtxas, type PtxasFunction as PtxasEntry } from '../../../extension/src/core/ptxas';
import { kernelInclude, nvcc, repoRoot, skip, withWorkDir } from '../nvccHarness';

/** The commit that added the trace points; its parent holds the header without them. */
const TRACE_COMMIT = '1d1fb9c';
const HEADER = 'kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh';

// The DeepSeek shape the GPU test traces (4096x7168x2048), 128x128 tiles, 2 math warpgroups.
const config = completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132, numStages: 5 }, { k: 2048 });

/** PTX (to check its text) and the ptxas -v report of one source; includeDirs searched in order. */
function build(work: string, name: string, source: string, includeDirs: string[]): { ptx: string; log: string } {
  const cu = join(work, `${name}.cu`), ptx = join(work, `${name}.ptx`);
  writeFileSync(cu, source);
  const inc = includeDirs.flatMap((d) => ['-I', d]);
  const a = ['-std=c++17', '-O3', '-arch=sm_90a', '--ptx', '--expt-relaxed-constexpr', ...inc, '-o', ptx, cu];
  const r1 = spawnSync(nvcc!, a, { encoding: 'utf8' });
  assert.equal(r1.status, 0, `nvcc ${a.join(' ')} failed:\n${r1.stderr}`);
  // ptxas on the same PTX: the register report of exactly what was checked.
  const ptxas = join(dirname(nvcc!), 'ptxas');
  const r2 = spawnSync(ptxas, ['-arch=sm_90a', '-v', '-o', join(work, `${name}.cubin`), ptx], { encoding: 'utf8' });
  assert.equal(r2.status, 0, `ptxas failed on ${name}:\n${r2.stderr}`);
  return { ptx: readFileSync(ptx, 'utf8'), log: `${r2.stdout}${r2.stderr}` };
}

function entry(log: string, name: string): PtxasEntry {
  const e = findEntry(parsePtxas(log), name);
  assert.ok(e, `no ptxas report for ${name}:\n${log}`);
  return e;
}

test('normal build: no FP8LAB_TRACE, no %globaltimer, same registers as before the trace points', { skip }, (t) => {
  withWorkDir('fp8lab-variant-', (work) => {
    const include = kernelInclude();
    const { source, kernelName } = gemmKernelSource('normal', config);
    assert.doesNotMatch(source, /FP8LAB_TRACE/);
    const now = build(work, 'normal', source, [include]);
    assert.doesNotMatch(now.ptx, /%globaltimer/, 'the normal build reads %globaltimer');
    const nowEntry = entry(now.log, kernelName);
    assert.equal(nowEntry.spillStoresBytes + nowEntry.spillLoadsBytes + nowEntry.stackFrameBytes, 0, 'the normal build uses local memory');

    const old = spawnSync('git', ['show', `${TRACE_COMMIT}^:${HEADER}`], { cwd: repoRoot(), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (old.status !== 0) { t.diagnostic(`baseline skipped: no git history for ${HEADER} (${old.stderr.trim()})`); return; }
    // The old header in an overlay directory searched first; everything else from today's tree.
    const overlay = join(work, 'overlay');
    mkdirSync(join(overlay, 'fp8lab', 'impls'), { recursive: true });
    writeFileSync(join(overlay, 'fp8lab', 'impls', 'sm90_fp8_gemm_1d2d.cuh'), old.stdout);
    // The old header predates the overlap members the generated unit checks against kernelRules.
    const beforeSource = source.replace(/^#ifdef FP8LAB_OVERLAP_DEFAULTS\n[\s\S]*?^#endif\n/m, '');
    assert.notEqual(beforeSource, source, 'the generated unit no longer checks the overlap mirror');
    const before = build(work, 'before', beforeSource, [overlay, include]);
    const beforeEntry = entry(before.log, kernelName);
    t.diagnostic(`${kernelName}: ${nowEntry.registers} registers now, ${beforeEntry.registers} before the trace points`);
    assert.deepEqual(
      { registers: nowEntry.registers, spills: nowEntry.spillStoresBytes + nowEntry.spillLoadsBytes, stack: nowEntry.stackFrameBytes },
      { registers: beforeEntry.registers, spills: beforeEntry.spillStoresBytes + beforeEntry.spillLoadsBytes, stack: beforeEntry.stackFrameBytes });
  });
});

test('instrumented build: defines FP8LAB_TRACE 1 and its PTX reads %globaltimer at anchors only', { skip }, (t) => {
  withWorkDir('fp8lab-variant-', (work) => {
    const { source, kernelName } = gemmKernelSource('normal', config, { trace: true });
    assert.match(source, /^#define FP8LAB_TRACE 1$/m);
    assert.match(kernelName, /_trace$/);
    const built = build(work, 'traced', source, [kernelInclude()]);
    assert.match(built.ptx, /%globaltimer/);
    assert.match(built.ptx, /%smid/);
    // Format version 2: the slow %globaltimer is read by each writer's constructor and at the
    // TileBegin / TileEnd anchors, never at the per-K-block events, which store a clock and go.
    const header = readFileSync(join(kernelInclude(), 'fp8lab', 'impls', 'sm90_fp8_gemm_1d2d.cuh'), 'utf8');
    const sites = (re: RegExp, text = header) => (text.match(re) ?? []).length;
    // The consumer's tile loop is instantiated once per count of K-blocks issued ahead (1 and 2), so
    // its anchors appear twice in the PTX.
    const tileLoop = header.slice(header.indexOf('auto tile_loop = '), header.indexOf('tile_loop(IntConst<2>{})'));
    assert.ok(tileLoop.length > 0, 'the tile loop of sm90_fp8_gemm_1d2d.cuh was not found');
    const anchorSites = sites(/TraceWriter tr\(/g) + sites(/tr\.event\(TraceEvent::Tile(Begin|End)\b/g)
      + sites(/tr\.event\(TraceEvent::Tile(Begin|End)\b/g, tileLoop);
    const eventSites = sites(/tr\.event\(TraceEvent::/g);
    const count = (re: RegExp) => (built.ptx.match(re) ?? []).length;
    const timerReads = count(/mov\.u64\s+%rd\d+,\s*%globaltimer;/g), stores = count(/st\.global\.cs\.v4\.u32/g), clocks = count(/%clock64;/g);
    t.diagnostic(`${kernelName}: PTX reads %globaltimer ${timerReads} times, %clock64 ${clocks} times, ${stores} st.global.cs.v4.u32 records; ${eventSites} event call sites, ${anchorSites} anchors (with the constructors)`);
    assert.ok(timerReads >= 1 && timerReads <= anchorSites, `%globaltimer read ${timerReads} times; at most ${anchorSites} (constructors, TileBegin, TileEnd)`);
    assert.ok(stores >= eventSites, `${stores} record stores for ${eventSites} event call sites`);
    entry(built.log, kernelName);
  });
});

test('no-promotion build (accuracy study) compiles with 0 spills and 0 stack', { skip }, (t) => {
  withWorkDir('fp8lab-variant-', (work) => {
    const { source, kernelName } = gemmKernelSource('normal', config, { promote: false });
    assert.doesNotMatch(source, /FP8LAB_TRACE/);
    assert.match(kernelName, /_nopromote$/);
    const built = build(work, 'nopromote', source, [kernelInclude()]);
    const e = entry(built.log, kernelName);
    t.diagnostic(`${kernelName}: ${e.registers} registers`);
    assert.equal(e.spillStoresBytes, 0);
    assert.equal(e.spillLoadsBytes, 0);
    assert.equal(e.stackFrameBytes, 0);
  });
});
