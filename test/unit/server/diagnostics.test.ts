// nvcc diagnostics: the parser on real captured output, and a live compile of a deliberately broken
// kernel with the real nvcc, checking the reported file and line (in a header, with the
// instantiation that triggered it).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectDiagnostics } from '../../../extension/server/diagnostics/collect';
import {
  compileUnit,
  includeClosure,
  nvccArgs,
  planUnits,
  representativeConfig,
} from '../../../extension/server/diagnostics/compileUnits';
import { DebouncedRunner } from '../../../extension/server/diagnostics/debounce';
import { parseNvccOutput } from '../../../extension/server/diagnostics/nvccOutput';
import { configCost } from '../../../extension/src/core/facts/derive';

const root = join(__dirname, '..', '..', '..', '..');
const brokenDir = join(root, 'test/fixtures/server/broken');
const header = join(brokenDir, 'include/fixture/broken_body.cuh');
const NVCC = process.env.FP8LAB_NVCC ?? '/usr/local/cuda/bin/nvcc';

test('parser: real nvcc output with errors, a warning, a caret column and an instantiation context', () => {
  const text = readFileSync(join(brokenDir, 'nvcc.stderr.txt'), 'utf8');
  const { diagnostics, unplaced } = parseNvccOutput(text, brokenDir);
  assert.deepEqual(unplaced, []);
  assert.equal(diagnostics.length, 3);
  const [undef, warn, assertion] = diagnostics;
  assert.deepEqual(
    { file: undef.file, line: undef.line, column: undef.column, severity: undef.severity },
    { file: header, line: 9, column: 22, severity: 'error' },
  );
  assert.equal(undef.message, 'identifier "undeclared_scale" is undefined');
  assert.deepEqual(
    { line: warn.line, column: warn.column, severity: warn.severity, code: warn.code },
    { line: 8, column: 7, severity: 'warning', code: '177-D' },
  );
  assert.equal(assertion.line, 11);
  assert.match(assertion.message, /static assertion failed with "rule block-n/);
  assert.deepEqual(assertion.related, [
    {
      file: join(brokenDir, 'instantiation.cu'),
      line: 5,
      message: 'instantiation of "void broken_body<BLOCK_N>(float *) [with BLOCK_N=48U]"',
    },
  ]);
  // the column points at the identifier in the real file
  const line9 = readFileSync(header, 'utf8').split('\n')[8];
  assert.equal(line9.slice(undef.column! - 1).startsWith('undeclared_scale'), true);
});

test('parser: host compiler, ptxas and nvcc driver lines', () => {
  const text = [
    'kernels/x.cu:12:5: error: expected ‘;’ before ‘}’ token',
    'kernels/x.cu:3:1: note: in definition of macro ‘X’',
    "ptxas /tmp/tmpxft_0001.ptx, line 88; error   : Instruction 'wgmma.mma_async' requires .target 'sm_90a'",
    "ptxas warning : Registers are spilled to local memory in function 'k', 8 bytes spill stores, 8 bytes spill loads",
    'ptxas info    : Used 168 registers, used 1 barriers',
    "nvcc fatal   : Unsupported gpu architecture 'compute_99'",
  ].join('\n');
  const { diagnostics, unplaced } = parseNvccOutput(text, '/w');
  assert.equal(diagnostics.length, 1);
  assert.deepEqual(
    {
      file: diagnostics[0].file,
      line: diagnostics[0].line,
      column: diagnostics[0].column,
      origin: diagnostics[0].origin,
    },
    { file: '/w/kernels/x.cu', line: 12, column: 5, origin: 'host' },
  );
  assert.deepEqual(diagnostics[0].related, [
    { file: '/w/kernels/x.cu', line: 3, message: 'in definition of macro ‘X’' },
  ]);
  assert.deepEqual(
    unplaced.map((u) => [u.origin, u.severity]),
    [
      ['ptxas', 'error'],
      ['ptxas', 'warning'],
      ['nvcc', 'error'],
    ],
  );
  assert.match(unplaced[0].message, /requires \.target 'sm_90a' \(\/tmp\/tmpxft_0001\.ptx, line 88\)/);
});

test('collect: merged per file, 0-based, instantiation counts, generated-source errors moved to the saved file', () => {
  const text = readFileSync(join(brokenDir, 'nvcc.stderr.txt'), 'utf8');
  const gen = join(brokenDir, 'instantiation.cu');
  const outputs = [
    { name: 'k48', sourcePath: gen, generated: true, cwd: brokenDir, output: text },
    {
      name: 'k64',
      sourcePath: '/tmp/k64.cu',
      generated: true,
      cwd: brokenDir,
      output: text.split('\n').slice(0, 9).join('\n'),
    },
  ];
  const map = collectDiagnostics(outputs, header);
  const ds = map.get(header)!;
  const undef = ds.find((d) => d.message.startsWith('identifier'))!;
  assert.deepEqual(
    { line: undef.line, column: undef.column, units: undef.units },
    { line: 8, column: 21, units: ['k48', 'k64'] },
  );
  const sa = ds.find((d) => d.message.startsWith('static assertion'))!;
  assert.deepEqual(sa.units, ['k48']);
  assert.match(sa.message, /\(in 1 of 2 instantiations: k48\)/);
});

test('debounce: a second save cancels the first, only the last job runs', async () => {
  const runner = new DebouncedRunner(30);
  const ran: string[] = [];
  let firstAborted = false;
  runner.schedule('a', async (signal) => {
    signal.addEventListener('abort', () => {
      firstAborted = true;
    });
    ran.push('first');
  });
  runner.schedule('a', async () => {
    ran.push('second');
  });
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(ran, ['second']);
  assert.equal(firstAborted, false, 'the first never started, so it had no signal listener to abort');
  // a running job is aborted by the next schedule
  let aborted = false;
  runner.schedule(
    'b',
    (signal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        });
      }),
  );
  await new Promise((r) => setTimeout(r, 50));
  runner.schedule('b', async () => {});
  assert.equal(aborted, true);
  runner.cancelAll();
});

test("plan: a header compiles the last run's configs, else one representative config; argv has no shell", () => {
  const kernelsRoot = join(root, 'kernels');
  const hdr = join(kernelsRoot, 'include/fp8lab/ptx/wgmma.cuh');
  const none = planUnits(hdr, kernelsRoot, undefined);
  assert.equal(none.length, 1);
  assert.match(none[0].source!, /#include "fp8lab\/impls\/sm90_fp8_gemm_1d2d\.cuh"/);
  assert.equal(none[0].config!.blockM, representativeConfig().blockM);
  const problem = { kind: 'normal' as const, m: 64, n: 2112, k: 7168 };
  const a = { ...representativeConfig(), blockM: 64, blockN: 64, numMathWarpgroups: 1, numThreads: 256 };
  const facts = {
    version: 1 as const,
    updatedAt: '',
    compiles: [],
    configs: [
      { problem, config: a, cost: configCost(problem, a) },
      { problem: { ...problem, m: 128 }, config: a, cost: configCost(problem, a) },
    ],
  };
  const planned = planUnits(hdr, kernelsRoot, facts);
  assert.equal(planned.length, 1, 'two shapes with the same config are one instantiation');
  assert.match(planned[0].name, /_bm64_bn64_/);
  // a utility-kernel header is compiled through the utilities' unit, not the GEMM instantiations
  const utilsHeader = join(kernelsRoot, 'include/fp8lab/utils/cast.cuh');
  assert.deepEqual(
    planUnits(utilsHeader, kernelsRoot, undefined).map((u) => u.name),
    ['fp8lab_utils'],
  );
  // the GEMM header is not in the utilities' closure, and gemm_args.h is in the GEMM's
  assert.ok(
    includeClosure(none[0].source!, join(kernelsRoot, 'include')).has(join(kernelsRoot, 'include/fp8lab/gemm_args.h')),
  );
  // a header nothing includes is compiled alone
  const lonely = planUnits(join(brokenDir, 'include/fixture/broken_body.cuh'), brokenDir, undefined);
  assert.equal(lonely.length, 1);
  assert.match(lonely[0].source!, /#include "fixture\/broken_body\.cuh"/);
  assert.deepEqual(nvccArgs('/k/x.cu', '/k/include', '/t/x.cubin'), [
    '-std=c++17',
    '-gencode=arch=compute_90a,code=sm_90a',
    '--cubin',
    '-Xptxas',
    '-v',
    '-I',
    '/k/include',
    '-o',
    '/t/x.cubin',
    '/k/x.cu',
  ]);
});

test(
  'live nvcc: the broken kernel reports the header file and line, and the instantiation line',
  { skip: existsSync(NVCC) ? false : `nvcc not found at ${NVCC} (set FP8LAB_NVCC)`, timeout: 300_000 },
  async () => {
    const work = mkdtempSync(join(tmpdir(), 'fp8lab-lsp-test-'));
    try {
      const source = readFileSync(join(brokenDir, 'instantiation.cu'), 'utf8');
      const unit = { name: 'broken_kernel_48', source };
      const result = await compileUnit(unit, {
        nvccPath: NVCC,
        includeDir: join(brokenDir, 'include'),
        workDir: work,
        signal: new AbortController().signal,
      });
      assert.notEqual(result.exitCode, 0);
      assert.equal(result.command[0], NVCC);
      const map = collectDiagnostics(
        [{ name: unit.name, sourcePath: result.sourcePath, generated: true, cwd: work, output: result.output }],
        header,
      );
      const ds = map.get(header);
      assert.ok(ds, `no diagnostics for ${header}; got files ${[...map.keys()].join(', ')}\n${result.output}`);
      const undef = ds!.find((d) => d.severity === 'error' && d.message.includes('undeclared_scale'));
      assert.equal(undef?.line, 8, 'line 9 (0-based 8) of the header');
      assert.equal(undef?.column, 21);
      const sa = ds!.find((d) => d.message.includes('static assertion failed'));
      assert.equal(sa?.line, 10, 'the static_assert on line 11 (0-based 10)');
      assert.deepEqual(
        sa?.related.map((r) => [r.file, r.line]),
        [[result.sourcePath, 5]],
      );
      const warn = ds!.find((d) => d.severity === 'warning');
      assert.equal(warn?.line, 7);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);

test(
  'live nvcc: abort kills the compile',
  { skip: existsSync(NVCC) ? false : `nvcc not found at ${NVCC}`, timeout: 120_000 },
  async () => {
    const work = mkdtempSync(join(tmpdir(), 'fp8lab-lsp-test-'));
    try {
      const controller = new AbortController();
      const pending = compileUnit(
        {
          name: 'rep',
          source: planUnits(join(root, 'kernels/include/fp8lab/ptx/wgmma.cuh'), join(root, 'kernels'), undefined)[0]
            .source,
        },
        { nvccPath: NVCC, includeDir: join(root, 'kernels/include'), workDir: work, signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 300);
      const result = await pending;
      assert.equal(result.cancelled, true);
      assert.ok(result.elapsedMs < 20_000, `took ${result.elapsedMs} ms after abort`);
      // nvcc's children (cicc, ptxas) were in its process group and are gone too: nothing writes the cubin later
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(existsSync(join(work, 'rep.cubin')), false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
