// `fp8lab bench --kernel bf16` on real argv: the standard list, shapes, --output, and refusals with
// what would work; the case's kernel problem, label and FLOP/byte counts; the DeepGEMM peer problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroupedArgs, parseGroupedShape } from '../../../../extension/src/core/grouped/cliArgs';
import { caseLabel, drawCase, kernelProblem, standardCases } from '../../../../extension/src/core/grouped/cases';
import { groupedConfig } from '../../../../extension/src/core/grouped/config';
import { groupedWork } from '../../../../extension/src/core/grouped/metrics';
import { checkCase } from '../../../../extension/src/core/grouped/validate';
import { H100_SXM } from '../../../../extension/src/core/heuristics/device';
import { peerProblem } from '../../../../extension/src/worker/grouped/caseBench';
import { bf16CaseBytes } from '../../../../extension/src/worker/grouped/bf16Case';

test('the standard bf16 list is the 18 DeepSeek shapes and 8192³', () => {
  const cases = standardCases('bf16');
  assert.equal(cases.length, 19);
  assert.deepEqual(cases.at(-1), { kind: 'bf16', numGroups: 1, m: 8192, n: 8192, k: 8192 });
  assert.ok(cases.every((c) => checkCase(c) === undefined));
  const parsed = parseGroupedArgs(['--kernel', 'bf16']);
  assert.equal(parsed.ok, true);
  if (parsed.ok === true) assert.equal(parsed.value.cases.length, 19);
});

test('bf16 shapes are M,N,K with K % 8 and N % 8; --output applies to every case and only to bf16', () => {
  const p = parseGroupedArgs([
    '--kernel',
    'bf16',
    '--output',
    'fp32-accumulate',
    '1000,1000,1000',
    '7x2112x7176',
    '--check-only',
  ]);
  assert.equal(p.ok, true);
  if (p.ok !== true) return;
  assert.deepEqual(
    p.value.cases.map((c) => [c.m, c.n, c.k, c.output]),
    [
      [1000, 1000, 1000, 'fp32-accumulate'],
      [7, 2112, 7176, 'fp32-accumulate'],
    ],
  );
  assert.equal(p.value.options.timing, false);
  assert.match(
    String(parseGroupedShape('bf16', '128,256,100')),
    /K must be a positive multiple of 8.*nearest valid 104/,
  );
  assert.match(String(parseGroupedShape('bf16', '128,252,64')), /N must be a positive multiple of 8/);
  assert.match(String(parseGroupedShape('bf16', '4,128,256,64')), /a bf16 shape is M,N,K/);
  const bad = parseGroupedArgs(['--kernel', 'masked', '--output', 'fp32']);
  assert.equal(bad.ok, false);
  if (bad.ok === false) assert.match(bad.message, /--output applies to --kernel bf16 only/);
  const badValue = parseGroupedArgs(['--kernel', 'bf16', '--output', 'fp16']);
  if (badValue.ok === false) assert.match(badValue.message, /one of bf16, fp32, fp32-accumulate/);
  else assert.fail('fp16 output accepted');
});

test('a bf16 case becomes the kernel problem, its config, its label, its FLOPs and bytes and its DeepGEMM problem', () => {
  const c = { kind: 'bf16' as const, numGroups: 1, m: 4096, n: 7168, k: 2048, output: 'fp32-accumulate' as const };
  const draw = drawCase(c, 1);
  assert.deepEqual(kernelProblem(c, draw), {
    kind: 'bf16',
    m: 4096,
    n: 7168,
    k: 2048,
    numGroups: 1,
    output: 'fp32-accumulate',
  });
  assert.equal(caseLabel(c), 'bf16 M=4096 N=7168 K=2048 (fp32-accumulate)');
  const work = groupedWork(c, draw);
  assert.equal(work.flops, 2 * 4096 * 7168 * 2048);
  assert.equal(work.bytes, (4096 + 7168) * 2048 * 2 + 4096 * 7168 * 8);
  assert.deepEqual(bf16CaseBytes(c, draw), {
    a: 4096 * 2048 * 2,
    b: 7168 * 2048 * 2,
    d: 4096 * 7168 * 4,
    c: 4096 * 7168 * 4,
    layout: 0,
    total: (4096 + 7168) * 2048 * 2 + 2 * 4096 * 7168 * 4,
  });
  assert.deepEqual(peerProblem(c, draw), { kind: 'bf16', m: 4096, n: 7168, k: 2048, output: 'fp32-accumulate' });
  const { config, why } = groupedConfig(kernelProblem(c, draw), H100_SXM);
  assert.equal(config.blockK, 64);
  assert.match(why, /predicted/);
});

test('the run table gains cuBLASLt columns only when a case has cuBLASLt beside it', async () => {
  const { groupedTable, peerCells } = await import('../../../../extension/src/core/grouped/table');
  const c = { kind: 'bf16' as const, numGroups: 1, m: 4096, n: 4096, k: 4096 };
  const timing = {
    medianUs: 200,
    minUs: 199,
    maxUs: 203,
    spread: 0.01,
    samples: 5,
    tflops: 687,
    tbps: 1,
    flops: 1,
    bytes: 1,
    flopsOver: 'all' as const,
  };
  const peer = (id: 'cublaslt' | 'deepgemm', us: number) => ({
    id,
    name: id,
    timing: { ...timing, medianUs: us, ratio: us / 200, roundsUs: [us] },
  });
  const r = {
    case: c,
    draw: { seed: 0 },
    problem: { kind: 'bf16' as const, m: 4096, n: 4096, k: 4096 },
    timing,
    peers: [peer('cublaslt', 210), peer('deepgemm', 205)],
  };
  assert.deepEqual(peerCells(r, 'cublaslt'), ['210.0', '1.05']);
  const run = {
    id: 'x',
    startedAt: '',
    mode: 'gpu' as const,
    options: { timing: true, rounds: 5, seed: 0 },
    results: [r],
  };
  const table = groupedTable(run);
  assert.match(table.split('\n')[0], /cuBLASLt µs\s+ratio\s+DeepGEMM µs\s+ratio/);
  assert.match(table, /210\.0\s+1\.05\s+205\.0\s+1\.02/);
  assert.doesNotMatch(groupedTable({ ...run, results: [{ ...r, peers: [peer('deepgemm', 205)] }] }), /cuBLASLt/);
});

test('configs / compile take --kernel bf16 and --output; the FP8 default and the refusals say what works', async () => {
  const { parseShapeVerbArgs } = await import('../../../../extension/src/cli/verbArgs');
  const p = parseShapeVerbArgs('configs', ['--kernel', 'bf16', '4096', '7168', '2056']);
  assert.equal(p.ok, true);
  if (p.ok === true) assert.deepEqual(p.value.problem, { kind: 'bf16', m: 4096, n: 7168, k: 2056 });
  const out = parseShapeVerbArgs('compile', [
    '--kernel',
    'bf16',
    '--output',
    'fp32',
    '100,252,200',
    '--config',
    'block_m=256,cluster_m=2',
  ]);
  assert.equal(out.ok, true);
  if (out.ok === true) {
    assert.deepEqual(out.value.problem, { kind: 'bf16', m: 100, n: 252, k: 200, output: 'fp32' });
    assert.deepEqual(out.value.config, { blockM: 256, clusterM: 2 });
  }
  const fp8 = parseShapeVerbArgs('configs', ['4096', '7168', '2048']);
  if (fp8.ok === true) assert.equal(fp8.value.problem.kind, 'normal');
  else assert.fail('the FP8 default');
  const kBad = parseShapeVerbArgs('configs', ['--kernel', 'bf16', '4096', '7168', '2050']);
  if (kBad.ok === false) assert.match(kBad.message, /K must be a positive multiple of 8/);
  else assert.fail('K = 2050 accepted');
  // The FP8 GEMM still needs whole 128-wide scaling blocks.
  if (parseShapeVerbArgs('configs', ['4096', '7168', '2056']).ok !== false) assert.fail('FP8 K = 2056 accepted');
  // The FP8 masked kind takes its bench's case (one G,EXPECTED_M,N,K word), not M N K.
  const masked = parseShapeVerbArgs('configs', ['--kernel', 'masked', '4096', '7168', '2048']);
  if (masked.ok === false)
    assert.match(masked.message, /needs one shape, as the grouped bench takes it \(e\.g\. 6,1024/);
  else assert.fail('masked M N K accepted');
  const kind = parseShapeVerbArgs('configs', ['--kernel', 'sparse', '4096', '7168', '2048']);
  if (kind.ok === false) assert.match(kind.message, /normal \(the FP8 GEMM, default\), wgrad or bf16/);
  else assert.fail('sparse accepted');
  // compile builds the 1D1D kinds with their bench's pick, or with the fields --config forces.
  const compileKGrouped = parseShapeVerbArgs('compile', ['--kernel', 'kgrouped', '4,4096,7168,8192']);
  if (compileKGrouped.ok === true) assert.equal(compileKGrouped.value.problem.kind, 'kgrouped');
  else assert.fail(`compile --kernel kgrouped refused: ${compileKGrouped.ok === false ? compileKGrouped.message : ''}`);
  const forced1d1d = parseShapeVerbArgs('compile', ['--kernel', 'wgrad', '4096,7168,2048', '--config', 'block_n=152']);
  if (forced1d1d.ok === true) assert.deepEqual(forced1d1d.value.config, { blockN: 152 });
  else assert.fail(`compile --kernel wgrad --config refused: ${forced1d1d.ok === false ? forced1d1d.message : ''}`);
  const output = parseShapeVerbArgs('configs', ['--output', 'fp32', '4096', '7168', '2048']);
  if (output.ok === false) assert.match(output.message, /--output applies to --kernel bf16 only/);
  else assert.fail('--output without bf16 accepted');
});

test('the M-grouped BF16 kinds: the FP8 lists with BF16 operands, their draws, problems, rules, kernel names and DeepGEMM problems', async () => {
  const { kernelSourceBf16 } = await import('../../../../extension/src/core/bf16/kernelSourceBf16');
  const { completeConfigBf16, configViolationsBf16 } =
    await import('../../../../extension/src/core/bf16/kernelRulesBf16');
  const contiguous = standardCases('bf16-contiguous');
  assert.deepEqual(
    contiguous.map((c) => [c.kind, c.numGroups, c.m, c.n, c.k]),
    standardCases('contiguous').map((c) => ['bf16-contiguous', c.numGroups, c.m, c.n, c.k]),
  );
  assert.equal(standardCases('bf16-masked').length, standardCases('masked').length);
  const c = { kind: 'bf16-contiguous' as const, numGroups: 4, m: 1000, n: 4096, k: 1000 };
  assert.equal(checkCase(c), undefined, 'K % 8 is enough for BF16');
  assert.match(checkCase({ ...c, k: 1004 })!.message, /multiple of 8/);
  assert.match(checkCase({ ...c, output: 'fp32' })!.message, /output applies to the bf16 kind only/);
  const draw = drawCase(c, 7);
  assert.equal(draw.groupRows!.length, 4);
  const problem = kernelProblem(c, draw);
  assert.deepEqual([problem.kind, problem.m % 128, problem.numGroups], ['bf16-contiguous', 0, 4]);
  assert.equal(caseLabel(c), 'bf16 contiguous 4x~1000 N=4096 K=1000');
  assert.deepEqual(peerProblem(c, draw), {
    kind: 'bf16-contiguous',
    m: draw.totalRows,
    n: 4096,
    k: 1000,
    groupRows: draw.groupRows,
  });
  const { config } = groupedConfig(problem, H100_SXM);
  assert.ok(config.blockM <= 128, 'a contiguous tile never holds two experts');
  const wide = completeConfigBf16({ blockM: 256, blockN: 64, numSms: 132 });
  assert.equal(configViolationsBf16(wide, problem)[0].rule, 'contiguous-block-m');
  assert.equal(configViolationsBf16(config, { ...problem, output: 'fp32' })[0].rule, 'grouped-output');
  const src = kernelSourceBf16('bf16-masked', config);
  assert.match(src.kernelName, /^fp8lab_sm90_bf16_gemm_masked_obf16_/);
  assert.match(src.source, /fp8lab::GemmType::MGroupedMasked/);
  const parsed = parseGroupedArgs(['--kernel', 'bf16-masked', '6,200,4096,1000,1024']);
  if (parsed.ok === true)
    assert.deepEqual(parsed.value.cases[0], {
      kind: 'bf16-masked',
      numGroups: 6,
      m: 1024,
      n: 4096,
      k: 1000,
      expectedM: 200,
    });
  else assert.fail(parsed.ok === false ? parsed.message : 'help');
});

test('timeline takes --kernel bf16 (the BF16 kernel carries the trace points); accuracy (an FP8 study) does not', async () => {
  const { parseTimelineArgs, parseAccuracyArgs } = await import('../../../../extension/src/cli/studyArgs');
  const t = parseTimelineArgs(['--kernel', 'bf16', '4096', '7168', '2056', '--trace', 't.json']);
  if (t.ok === true) assert.deepEqual(t.value.problem, { kind: 'bf16', m: 4096, n: 7168, k: 2056 });
  else assert.fail('timeline --kernel bf16 refused');
  const fp8 = parseTimelineArgs(['4096', '7168', '2048', '--trace', 't.json']);
  if (fp8.ok === true) assert.equal(fp8.value.problem!.kind, 'normal');
  else assert.fail('the FP8 timeline refused');
  const bad = parseTimelineArgs(['--kernel', 'masked', '4096', '7168', '2048', '--trace', 't.json']);
  if (bad.ok === false) assert.match(bad.message, /normal \(the FP8 GEMM, default\) or bf16/);
  else assert.fail('timeline --kernel masked accepted');
  const acc = parseAccuracyArgs(['--kernel', 'bf16', '4096', '7168', '2048', '--json', 'a.json']);
  if (acc.ok === false) assert.match(acc.message, /unknown option --kernel/);
  else assert.fail('accuracy --kernel accepted');
});
