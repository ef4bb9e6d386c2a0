// The ptxas -v parser on real compiler output captured in test/fixtures/ptxas (see its README).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEntry, parsePtxas, usesLocalMemory } from '../../../extension/src/core/ptxas';

// Bundled to test/dist/unit/core/: the fixtures are three levels up.
const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/ptxas', name), 'utf8');

test('simple.ptxas.txt: three entry kernels with registers, barriers and static smem', () => {
  const r = parsePtxas(fixture('simple.ptxas.txt'));
  assert.deepEqual(
    r.functions.map((f) => f.name),
    ['setmaxnreg_roles', '_Z8tile_sumILi1024EEvPfPKfi', 'scale_rows'],
  );
  assert.ok(r.functions.every((f) => f.entry && f.arch === 'sm_90a'));
  const roles = findEntry(r, 'setmaxnreg_roles')!;
  assert.equal(roles.registers, 168); // 64512 registers / 384 threads: setmaxnreg 40 + 2 x 232
  assert.equal(roles.barriers, 1);
  const tile = findEntry(r, '_Z8tile_sumILi1024EEvPfPKfi')!;
  assert.equal(tile.registers, 29);
  assert.equal(tile.barriers, 2);
  assert.equal(tile.sharedBytes, 4096);
  const scale = findEntry(r, 'scale_rows')!;
  assert.equal(scale.registers, 12);
  assert.equal(scale.sharedBytes, 0);
  for (const f of r.functions) assert.equal(usesLocalMemory(f), false, f.name);
  assert.equal(r.globalBytes, 0);
  assert.deepEqual(r.warnings, []);
});

test('spill.ptxas.txt: warnings before the report, stack frames and real spills', () => {
  const r = parsePtxas(fixture('spill.ptxas.txt'));
  assert.equal(r.warnings.length, 3);
  const live = findEntry(r, 'many_live_values')!;
  assert.equal(live.registers, 32);
  assert.equal(live.stackFrameBytes, 1336);
  assert.equal(live.spillStoresBytes, 2084);
  assert.equal(live.spillLoadsBytes, 2748);
  assert.equal(live.cumulativeStackBytes, 1336);
  assert.equal(live.warnings.length, 2);
  assert.match(live.warnings.join('\n'), /Registers are spilled/);
  const local = findEntry(r, 'dynamic_index_local')!;
  assert.equal(local.registers, 20);
  assert.equal(local.stackFrameBytes, 1024);
  assert.equal(local.spillStoresBytes, 0);
  assert.equal(local.spillLoadsBytes, 0);
  assert.equal(local.warnings.length, 1);
  assert.ok(usesLocalMemory(live) && usesLocalMemory(local));
});

test('extras.ptxas.txt: gmem, non-entry device functions, a cluster kernel', () => {
  const r = parsePtxas(fixture('extras.ptxas.txt'));
  assert.equal(r.globalBytes, 1024);
  const entries = r.functions.filter((f) => f.entry).map((f) => f.name);
  assert.deepEqual(entries, ['clustered_static_smem', 'uses_constant_table']);
  const helpers = r.functions
    .filter((f) => !f.entry)
    .map((f) => f.name)
    .sort();
  assert.deepEqual(helpers, ['_Z5depthi', '_Z6lookupi']);
  assert.equal(findEntry(r, 'clustered_static_smem')!.sharedBytes, 8192);
  assert.equal(findEntry(r, 'uses_constant_table')!.registers, 10);
  // a report with two entries has no single default entry
  assert.equal(findEntry(r), undefined);
});

test('the CUDA 12 form of the Used line (cmem banks) is read too', () => {
  // Lines in the shape CUDA 12's ptxas printed them (as seen in public build logs for sm_89/sm_90).
  const text = [
    "ptxas info    : Compiling entry function 'mma_tc_ldmatrix' for 'sm_89'",
    'ptxas info    : Function properties for mma_tc_ldmatrix',
    '    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads',
    'ptxas info    : Used 40 registers, used 1 barriers, 8 bytes cumulative stack size, 768 bytes smem, 388 bytes cmem[0], 8 bytes cmem[2]',
  ].join('\r\n');
  const k = findEntry(parsePtxas(text))!;
  assert.equal(k.name, 'mma_tc_ldmatrix');
  assert.equal(k.arch, 'sm_89');
  assert.equal(k.registers, 40);
  assert.equal(k.barriers, 1);
  assert.deepEqual(k.constantBytes, { 0: 388, 2: 8 });
  assert.equal(k.sharedBytes, 768);
  assert.equal(k.cumulativeStackBytes, 8);
  assert.equal(k.spillStoresBytes, 4);
});

test('ptxas errors are collected and empty input gives an empty report', () => {
  const r = parsePtxas("ptxas error   : Entry function 'k' uses too much shared data (0x40000 bytes, 0xe3000 max)\n");
  assert.equal(r.errors.length, 1);
  assert.deepEqual(parsePtxas('').functions, []);
});

test('gemm_64x112.ptxas.txt: the real FP8 GEMM entry, found by its generated name', () => {
  const r = parsePtxas(fixture('gemm_64x112.ptxas.txt'));
  const name = 'fp8lab_sm90_fp8_gemm_1d2d_normal_bm64_bn112_bk128_st9_wg1_cm1_cn1_sa128_sb128_sd32_sms132';
  const k = findEntry(r, name)!;
  assert.equal(findEntry(r), k);
  assert.equal(k.arch, 'sm_90a');
  assert.equal(k.registers, 248);
  assert.equal(k.barriers, 2);
  assert.equal(k.sharedBytes, 0); // all of it is dynamic
  assert.equal(usesLocalMemory(k), false);
});
