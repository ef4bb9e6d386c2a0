// Pure parts of the grouped GEMMs: case lists, draws like DeepGEMM's generators, layout math,
// validators (each bad input gets its code and rule), FLOPs conventions and the config choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  caseSeed,
  drawCase,
  edgeCases,
  standardCases,
  kernelProblem,
} from '../../../../extension/src/core/grouped/cases';
import { groupedConfig } from '../../../../extension/src/core/grouped/config';
import {
  contiguousStarts,
  expertIndex,
  kOffsets,
  psumLayout,
  tmaAlignedSize,
  toMnMajorScales,
} from '../../../../extension/src/core/grouped/layout';
import { groupedWork } from '../../../../extension/src/core/grouped/metrics';
import {
  checkCase,
  checkExpertIndex,
  checkGroupK,
  checkMaskedM,
  checkMkAlignment,
  checkPsum,
  checkTensor,
} from '../../../../extension/src/core/grouped/validate';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { configViolations1d1d } from '../../../../extension/src/core/kernelRules1d1d';

test('issue lists: 8 contiguous, 16 masked, 6 k-grouped, 6 wgrad cases, all valid', () => {
  assert.equal(standardCases('contiguous').length, 8);
  assert.equal(standardCases('masked').length, 16);
  assert.equal(standardCases('kgrouped').length, 6);
  assert.equal(standardCases('wgrad').length, 6);
  for (const c of [
    ...standardCases('contiguous'),
    ...standardCases('masked'),
    ...standardCases('kgrouped'),
    ...standardCases('wgrad'),
    ...edgeCases(),
  ]) {
    assert.equal(checkCase(c), undefined, JSON.stringify(c));
  }
});

test('contiguous draws: M_g = floor(expected x U(0.7, 1.3)), starts aligned to 128, reproducible, empty group', () => {
  const c = { kind: 'contiguous' as const, numGroups: 8, m: 4096, n: 7168, k: 3072 };
  const d = drawCase(c, 1234);
  assert.deepEqual(drawCase(c, 1234), d);
  assert.notDeepEqual(drawCase(c, 1235).groupRows, d.groupRows);
  for (const rows of d.groupRows!)
    assert.ok(rows >= Math.floor(4096 * 0.7) && rows <= Math.floor(4096 * 1.3), `${rows}`);
  d.groupStart!.forEach((s, g) => {
    assert.equal(s % 128, 0);
    if (g > 0) assert.equal(s, d.groupStart![g - 1] + Math.ceil(d.groupRows![g - 1] / 128) * 128);
  });
  assert.equal(d.totalRows! % 128, 0);
  const e = drawCase({ ...c, emptyGroup: 3 }, 1234);
  assert.equal(e.groupRows![3], 0);
  assert.equal(e.groupStart![4], e.groupStart![3]);
  assert.equal(kernelProblem(c, d).m, d.totalRows);
});

test('masked and k-grouped draws', () => {
  const m = drawCase({ kind: 'masked', numGroups: 32, m: 4096, n: 4096, k: 2048, expectedM: 20, emptyGroup: 5 }, 7);
  assert.equal(m.maskedM!.length, 32);
  assert.equal(m.maskedM![5], 0);
  for (const [g, v] of m.maskedM!.entries()) if (g !== 5) assert.ok(v >= 14 && v <= 26, `${v}`);
  const k = drawCase({ kind: 'kgrouped', numGroups: 4, m: 4096, n: 7168, k: 8192, emptyGroup: 0 }, 7);
  assert.equal(k.groupK![0], 0);
  for (const v of k.groupK!.slice(1)) {
    assert.equal(v % 128, 0);
    assert.ok(v >= 5734 && v <= 10752, `${v}`);
  }
  assert.deepEqual(kOffsets([256, 0, 128]), [0, 256, 256]);
  assert.equal(
    kernelProblem({ kind: 'kgrouped', numGroups: 4, m: 4096, n: 7168, k: 8192 }, k).k,
    k.groupK!.reduce((a, b) => a + b, 0),
  );
  assert.notEqual(caseSeed(0, 1), caseSeed(0, 2));
});

test('layouts: expert index, psum, TMA-aligned size, MN-major scales', () => {
  assert.deepEqual(contiguousStarts([100, 0, 129]), { starts: [0, 128, 128], totalRows: 384 });
  const idx = expertIndex([100, 0, 129]);
  assert.equal(idx.length, 384);
  assert.equal(idx[99], 0);
  assert.equal(idx[100], -1);
  assert.equal(idx[128], 2);
  assert.equal(idx[256], 2);
  assert.equal(idx[257], -1);
  assert.deepEqual(Array.from(psumLayout([100, 0, 129])), [100, 128, 257]);
  assert.equal(tmaAlignedSize(5, 4), 8);
  assert.equal(tmaAlignedSize(8, 4), 8);
  assert.equal(tmaAlignedSize(17, 1), 32);
  assert.equal(tmaAlignedSize(3, 2), 8);
  assert.throws(() => tmaAlignedSize(3, 3), RangeError);
  const { data, alignedRows } = toMnMajorScales(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2);
  assert.equal(alignedRows, 4);
  assert.deepEqual(Array.from(data), [1, 3, 5, 0, 2, 4, 6, 0]);
});

test('validators accept the generated layouts', () => {
  const rows = [100, 0, 129, 256];
  assert.equal(checkExpertIndex(expertIndex(rows), 4), undefined);
  assert.equal(checkPsum(psumLayout(rows), 4, contiguousStarts(rows).totalRows), undefined);
  assert.equal(checkMaskedM([0, 4096, 17], 3, 4096), undefined);
  assert.equal(checkGroupK([0, 128, 4096], 3, 4224), undefined);
  assert.equal(
    checkTensor('A', { dtype: 'e4m3', shape: [256, 512], strides: [512, 1] }, 'e4m3', [256, 512]),
    undefined,
  );
  assert.equal(checkMkAlignment(256), undefined);
});

test('validators reject bad input with the expected code and rule', () => {
  const idx = expertIndex([100, 200]);
  const shifted = Int32Array.from(idx);
  shifted.copyWithin(100, 128);
  shifted.fill(-1, 356 - 28);
  assert.equal(checkExpertIndex(shifted, 2)?.rule, 'group-alignment');
  assert.equal(checkExpertIndex(shifted, 2)?.code, 'E_SHAPE_ALIGNMENT');
  const outOfRange = Int32Array.from(idx);
  outOfRange[5] = 2;
  assert.equal(checkExpertIndex(outOfRange, 2)?.rule, 'expert-range');
  const tooLow = Int32Array.from(idx);
  tooLow[0] = -2;
  assert.equal(checkExpertIndex(tooLow, 2)?.rule, 'expert-range');
  assert.equal(checkExpertIndex(idx.subarray(0, 200), 2)?.rule, 'group-alignment');
  const split = expertIndex([128, 128, 128]);
  split.fill(0, 256, 384);
  assert.equal(checkExpertIndex(split, 3)?.rule, 'expert-order');
  assert.equal(checkPsum([100, 50], 2, 256)?.rule, 'group-alignment');
  assert.equal(checkPsum([100], 2, 256)?.rule, 'group-count');
  assert.equal(checkPsum([100, 300], 2, 256)?.rule, 'shape');
  assert.equal(checkMaskedM([10, 4097], 2, 4096)?.rule, 'masked-m');
  assert.equal(checkMaskedM([10, -1], 2, 4096)?.rule, 'masked-m');
  assert.equal(checkMaskedM([10], 2, 4096)?.rule, 'group-count');
  assert.equal(checkGroupK([128, 100], 2)?.rule, 'group-k');
  assert.equal(checkGroupK([128, 100], 2)?.code, 'E_SHAPE_ALIGNMENT');
  assert.match(checkGroupK([128, 100], 2)!.message, /pad it to 128/);
  assert.equal(checkGroupK([128], 2)?.rule, 'group-count');
  assert.equal(checkGroupK([128, 128], 2, 512)?.rule, 'shape');
  assert.equal(checkTensor('A', { dtype: 'bf16', shape: [2, 128] }, 'e4m3', [2, 128])?.rule, 'dtype');
  assert.equal(
    checkTensor('A', { dtype: 'e4m3', shape: [2, 128], strides: [1, 2] }, 'e4m3', [2, 128])?.rule,
    'contiguity',
  );
  assert.equal(checkTensor('A', { dtype: 'e4m3', shape: [2, 256] }, 'e4m3', [2, 128])?.rule, 'shape');
  assert.equal(checkMkAlignment(64)?.rule, 'alignment-setting');
  assert.equal(checkMkAlignment(256, true)?.rule, 'alignment-setting');
  assert.equal(checkCase({ kind: 'masked', numGroups: 2, m: 4096, n: 4096, k: 2048 })?.code, 'E_INVALID_SHAPE');
  assert.equal(checkCase({ kind: 'wgrad', numGroups: 1, m: 4096, n: 4096, k: 2000 })?.rule, 'shape');
});

test('FLOPs: padded rows for contiguous, valid rows for masked, ΣK for k-grouped', () => {
  const c = { kind: 'contiguous' as const, numGroups: 2, m: 100, n: 256, k: 512 };
  assert.equal(groupedWork(c, { seed: 0, totalRows: 256 }).flops, 2 * 256 * 256 * 512);
  const m = { kind: 'masked' as const, numGroups: 2, m: 4096, n: 256, k: 512, expectedM: 10 };
  assert.equal(groupedWork(m, { seed: 0, maskedM: [3, 7] }).flops, 2 * 10 * 256 * 512);
  assert.equal(groupedWork(m, { seed: 0, maskedM: [3, 7] }).flopsOver, 'valid');
  const k = { kind: 'kgrouped' as const, numGroups: 2, m: 64, n: 32, k: 128 };
  assert.equal(groupedWork(k, { seed: 0, groupK: [128, 256] }).flops, 2 * 64 * 32 * 384);
});

test('configs for every issue case of the 1D1D kinds are legal for the 1D1D kernel', () => {
  for (const c of [...standardCases('wgrad'), ...standardCases('kgrouped')]) {
    const draw = drawCase(c, 0);
    const problem = kernelProblem(c, draw);
    const { config } = groupedConfig(problem, H100_SXM, draw.groupK);
    assert.deepEqual(
      configViolations1d1d(problem.kind, config, problem, {
        checkSharedBytesField: true,
        ...(draw.groupK ? { groupK: draw.groupK } : {}),
      }),
      [],
    );
  }
});

test("the 1D1D reason names the kernel's tail split on wgrad, not on kgrouped", () => {
  // 4096x4096: 704 tiles of 128x192 on 132 SMs, 44 in the last wave, 56 K-blocks: 3 pieces each.
  const wgrad = groupedConfig({ kind: 'wgrad', m: 4096, n: 4096, k: 7168 }, H100_SXM);
  assert.match(
    wgrad.why,
    /^128x192, 3 stages: 704 tiles in 6 wave\(s\), the last wave's 44 tiles split in 3 along K, model/,
  );
  // 4096x7168 at 128x160: 1440 tiles, 120 in the last wave: 132 / 120 < 2, no split.
  assert.doesNotMatch(groupedConfig({ kind: 'wgrad', m: 4096, n: 7168, k: 2048 }, H100_SXM).why, /split/);
  const kgrouped = groupedConfig(
    { kind: 'kgrouped', m: 4096, n: 4096, k: 14336, numGroups: 2 },
    H100_SXM,
    [7168, 7168],
  );
  assert.doesNotMatch(kgrouped.why, /split/);
});

test('bench --kernel arguments: default issue list, custom shapes, bad input explained', async () => {
  const { parseGroupedArgs } = await import('../../../../extension/src/core/grouped/cliArgs');
  const d = parseGroupedArgs(['--kernel', 'masked']);
  assert.equal(d.ok, true);
  if (d.ok === true) {
    assert.equal(d.value.cases.length, 16);
    assert.equal(d.value.options.timing, true);
  }
  const s = parseGroupedArgs([
    '--kernel',
    'contiguous',
    '--shapes',
    '4,1024,4096,2048',
    '8,512,4096,2048',
    '--check-only',
    '--seed',
    '5',
    '--edge-cases',
  ]);
  assert.equal(s.ok, true);
  if (s.ok === true) {
    assert.equal(s.value.cases.length, 4);
    assert.deepEqual(s.value.cases[0], { kind: 'contiguous', numGroups: 4, m: 1024, n: 4096, k: 2048 });
    assert.equal(s.value.options.timing, false);
    assert.equal(s.value.options.seed, 5);
  }
  const w = parseGroupedArgs(['--kernel', 'wgrad', '4096,7168,2048']);
  assert.equal(w.ok === true && w.value.cases[0].n, 7168);
  const bad = parseGroupedArgs(['--kernel', 'kgrouped', '4,4096,7168,100']);
  assert.equal(bad.ok, false);
  if (bad.ok === false) assert.match(bad.message, /multiple of 128/);
  assert.equal(parseGroupedArgs(['--kernel', 'dense']).ok, false);
  assert.equal(parseGroupedArgs(['--kernel', 'masked', '32,20,4096,2048', '--rounds', '0']).ok, false);
});

test('grouped table: DeepGEMM measured beside ours with its ratio, a skip said once, errors listed', async () => {
  const { groupedTable, deepGemmCells } = await import('../../../../extension/src/core/grouped/table');
  const c = { kind: 'masked' as const, numGroups: 32, m: 4096, n: 4096, k: 2048, expectedM: 20 };
  const stats = (us: number) => ({ medianUs: us, minUs: us - 1, maxUs: us + 1, spread: 0.01, samples: 10 });
  const r = {
    case: c,
    draw: { seed: 0, maskedM: [20] },
    problem: { kind: 'masked' as const, m: 4096, n: 4096, k: 2048 },
    timing: { ...stats(100), tflops: 50, tbps: 2.5, flops: 1, bytes: 1, flopsOver: 'valid' as const },
    peers: [{ id: 'deepgemm' as const, name: 'DeepGEMM 2.6.1', timing: { ...stats(102), tflops: 49, ratio: 1.02 } }],
  };
  assert.deepEqual(deepGemmCells(r), ['102.0', '1.02']);
  assert.deepEqual(deepGemmCells({ ...r, peers: [{ id: 'deepgemm', name: 'DeepGEMM', skipped: 'psum' }] }), [
    'skipped',
    '-',
  ]);
  assert.deepEqual(deepGemmCells({ ...r, peers: undefined }), ['-', '-']);
  const text = groupedTable({
    id: 'x',
    startedAt: '',
    mode: 'gpu',
    options: { timing: true, rounds: 1, seed: 0 },
    results: [r, { ...r, timing: undefined, peers: undefined, error: { code: 'E_WRONG_RESULT', message: 'bad' } }],
  });
  assert.match(text.split('\n')[0], /µs\s+TFLOPS\s+TB\/s\s+DeepGEMM µs\s+ratio\s+status/);
  assert.match(text, /2\.50\s+102\.0\s+1\.02\s+ok/);
  assert.match(text, /ratio = DeepGEMM µs \/ our µs \(above 1: ours is faster\), measured in this run on this GPU/);
  assert.match(text, /errors:\n.*\[E_WRONG_RESULT\] bad/);
  const missing = groupedTable({
    id: 'y',
    startedAt: '',
    mode: 'gpu',
    options: { timing: true, rounds: 1, seed: 0 },
    results: [{ ...r, peers: undefined }],
    peers: [
      {
        id: 'deepgemm',
        name: 'DeepGEMM',
        available: false,
        reason: 'python3 cannot import deep_gemm: install DeepGEMM',
      },
    ],
  });
  assert.match(missing, /DeepGEMM column skipped: python3 cannot import deep_gemm: install DeepGEMM/);
});

test('grouped helper kernels: the generated unit names every entry once', async () => {
  const { groupedUtilsSource, GroupedKernel } =
    await import('../../../../extension/src/core/grouped/groupedUtilsSource');
  const { source, kernelNames } = groupedUtilsSource();
  assert.deepEqual(new Set(kernelNames), new Set(Object.values(GroupedKernel)));
  for (const name of kernelNames) assert.equal(source.split(`${name}(`).length, 2, name);
  assert.equal(groupedUtilsSource().source, source);
});

test('fp8lab layout: TMA-aligned size and settings validation without a GPU', async () => {
  const { run } = await import('../../../../extension/src/cli/layout');
  let out = '';
  let err = '';
  const io = {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
  };
  assert.equal(await run(['tma-aligned-size', '4097', '4'], io), 0);
  assert.equal(out, '4100\n');
  out = '';
  assert.equal(await run(['settings', '--alignment', '100'], io), 1);
  assert.match(err, /E_BAD_ARGUMENT.*multiple of 128/);
  assert.equal(await run(['tma-aligned-size', 'x'], io), 1);
});

test('grouped settings: get and set, numSms 0 returns to the default', async () => {
  const { getGroupedSettings, setGroupedSettings, withGroupedSettings } =
    await import('../../../../extension/src/worker/grouped/groupedSettings');
  assert.deepEqual(setGroupedSettings({ numSms: 66, mkAlignment: 256 }, 132), { numSms: 66, mkAlignment: 256 });
  assert.equal(withGroupedSettings({ numSms: 100 } as never).numSms, 66);
  assert.throws(() => setGroupedSettings({ numSms: 133 }, 132), /1\.\.132/);
  assert.deepEqual(setGroupedSettings({ numSms: 0, mkAlignment: 128 }), { mkAlignment: 128 });
  assert.equal(getGroupedSettings({ numSms: 100 } as never).numSms, 100);
});

test('1D1D tile model: waves from tiles of non-empty groups; larger tiles win at equal waves', async () => {
  const { estimate1d1d } = await import('../../../../extension/src/core/grouped/config');
  const { completeConfig1d1d } = await import('../../../../extension/src/core/kernelRules1d1d');
  const small = completeConfig1d1d({ blockM: 128, blockN: 64, numSms: 132 });
  const large = completeConfig1d1d({ blockM: 128, blockN: 128, numSms: 132 });
  const p = { kind: 'kgrouped' as const, m: 1024, n: 1024, k: 1024, numGroups: 3 };
  const e = estimate1d1d(small, p, [512, 0, 512]);
  assert.equal(e.tiles, 8 * 16 * 2);
  assert.equal(e.waves, 2);
  const f = estimate1d1d(large, p, [512, 0, 512]);
  assert.equal(f.waves, 1);
  assert.ok(f.us < e.us);
  const w = { kind: 'wgrad' as const, m: 128 * 132, n: 128, k: 4096 };
  assert.ok(estimate1d1d(large, w).us < estimate1d1d(small, w).us * 2, 'one wave of 128x128 beats two of 128x64');
});
