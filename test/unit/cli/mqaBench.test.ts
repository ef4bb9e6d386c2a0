// `fp8lab bench --kernel mqa-logits|paged-mqa-logits`: the argument parsing and the table (pure, on
// real runs' shapes), and the real CLI bundle in a child process on this machine (no GPU: study mode,
// the kernels compiled by the real nvcc and their registers shown; bad shapes refused with the rule).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MqaBenchRun } from '../../../extension/protocol/mqa';
import { parseMqaArgs, wantsMqaKernel } from '../../../extension/src/core/mqa/mqaCliArgs';
import { mqaKernelConfig } from '../../../extension/src/core/mqa/mqaRules';
import { mqaTable } from '../../../extension/src/core/mqa/mqaTable';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import { skip as noNvcc } from '../nvccHarness';
import { hasCudaDriver } from '../cudaDriver';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'fp8lab-mqa-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the bench verb routes --kernel mqa-logits / paged-mqa-logits here, and only those', () => {
  assert.equal(wantsMqaKernel(['--kernel', 'mqa-logits']), true);
  assert.equal(wantsMqaKernel(['64,2,64,128,4096', '--kernel', 'paged-mqa-logits', '--no-peer']), true);
  assert.equal(wantsMqaKernel(['--kernel', 'masked']), false);
  assert.equal(wantsMqaKernel(['--shapes', 'deepseek']), false);
});

test("arguments: DeepGEMM's shapes by default, shapes and options, and what is wrong with bad ones", () => {
  const d = parseMqaArgs(['--kernel', 'mqa-logits']);
  assert.ok(d.ok === true);
  assert.equal(d.value.cases.length, 32);
  assert.equal(d.value.shapesLabel, "DeepGEMM's mqa-logits test shapes");
  assert.deepEqual(d.value.options, { timing: true, rounds: 10, seed: 0, pdl: true });
  const p = parseMqaArgs([
    '--kernel',
    'paged-mqa-logits',
    '--shapes',
    '64,2,64,128,4096',
    '8,1,32,64,100',
    '--rounds',
    '3',
    '--seed',
    '9',
    '--check-only',
    '--no-peer',
    '--no-pdl',
    '--json',
    'out.json',
  ]);
  assert.ok(p.ok === true);
  assert.deepEqual(
    p.value.cases.map((c) => c.kind === 'paged-mqa-logits' && [c.batch, c.nextN, c.heads, c.dim, c.avgKv]),
    [
      [64, 2, 64, 128, 4096],
      [8, 1, 32, 64, 100],
    ],
  );
  assert.deepEqual(p.value.options, { timing: false, rounds: 3, seed: 9, pdl: false, peer: false });
  assert.equal(p.value.jsonFile, 'out.json');
  const bad = (args: string[]) => {
    const r = parseMqaArgs(args);
    return r.ok === false ? r.message : '';
  };
  assert.match(bad(['--kernel', 'mqa-logits', '128,1024,16,128']), /heads must be 32 or 64/);
  assert.match(bad(['--kernel', 'mqa-logits', '--rounds', '0']), /--rounds must be in 1\.\.10000/);
  assert.match(bad(['--kernel', 'mqa-logits', '--peers', 'torch']), /unknown option --peers/);
  const wide = parseMqaArgs(['--kernel', 'mqa-logits', '--logits-stride', 'deepgemm']);
  assert.ok(wide.ok === true && wide.value.options.logitsStride === 'deepgemm');
  assert.match(
    bad(['--kernel', 'mqa-logits', '--logits-stride', 'wide']),
    /--logits-stride must be tight or deepgemm; got wide/,
  );
  assert.match(bad(['128,1024,64,128']), /--kernel mqa-logits or --kernel paged-mqa-logits is required/);
  assert.equal(parseMqaArgs(['--kernel', 'mqa-logits', '--help']).ok, 'help');
});

test('the table: registers, calc_diff, time, DeepGEMM beside ours with the ratio, and errors spelled out', () => {
  const plain = { kind: 'mqa-logits' as const, seqQ: 2048, seqKv: 8192, heads: 64, dim: 128, windows: 'cp' as const };
  const run: MqaBenchRun = {
    id: 'x',
    kind: 'mqa-logits',
    startedAt: '',
    mode: 'gpu',
    options: { timing: true, rounds: 10, seed: 0 },
    results: [
      {
        case: plain,
        draw: { seed: 0, validPairs: 1 },
        config: mqaKernelConfig(plain),
        registers: { registers: 96, spillStoresBytes: 0, spillLoadsBytes: 0, stackFrameBytes: 0 },
        accuracy: { calcDiff: 2.5e-8, maxAbsError: 1e-4, classMismatches: 0, values: 10, passed: true },
        timing: { medianUs: 120.4, minUs: 119, maxUs: 125, samples: 10, tflops: 512.3, tbps: 1.1, flops: 1, bytes: 1 },
        peers: [
          {
            id: 'deepgemm',
            name: 'DeepGEMM 2.6',
            timing: {
              medianUs: 130.0,
              minUs: 1,
              maxUs: 1,
              samples: 10,
              tflops: 1,
              tbps: 1,
              flops: 1,
              bytes: 1,
              ratio: 1.08,
            },
          },
        ],
      },
      {
        case: { ...plain, windows: 'causal' },
        draw: { seed: 1, validPairs: 1 },
        error: { code: 'E_WRONG_RESULT', message: 'SQ=2048 ...: wrong result, not timed: 3 elements differ' },
      },
    ],
  };
  const text = mqaTable(run);
  assert.match(text, /SQ=2048 SK=8192 H=64 D=128 cp\s+96\s+2\.5e-8\s+120\.4\s+512\s+1\.10\s+130\.0\s+1\.08\s+ok/);
  assert.match(text, /causal\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+\[E_WRONG_RESULT\]/);
  assert.match(text, /ratio = DeepGEMM µs \/ our µs/);
  assert.match(text, /errors:\n  SQ=2048 SK=8192 H=64 D=128 causal: \[E_WRONG_RESULT\] .*3 elements differ/);
});

function fp8lab(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FP8LAB_ROOT: '', FP8LAB_JIT_CACHE_DIR: join(work, 'cache') },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test(
  'the real CLI without a GPU: both kernels compiled (96 registers, no spills), the run as JSON; bad shapes exit 1',
  {
    skip:
      noNvcc ||
      (hasCudaDriver && 'this machine has a CUDA driver') ||
      (!existsSync(cli) && `${cli} is missing: run node extension/build.mjs`),
  },
  () => {
    const json = join(work, 'plain.json');
    const plain = fp8lab(['bench', '--kernel', 'mqa-logits', '37,509,32,64,ragged', '--json', json]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /SQ=37 SK=509 H=32 D=64 ragged\s+96\s+-.*compiled/);
    assert.match(plain.stdout, /study mode: compiled only/);
    const run = JSON.parse(readFileSync(json, 'utf8')) as MqaBenchRun;
    assert.equal(run.mode, 'study');
    assert.equal(run.results[0].kernelName, 'fp8lab_sm90_fp8_mqa_logits_h32_d64_qs3_kvs3_wg4');
    assert.deepEqual(run.results[0].registers, {
      registers: 96,
      spillStoresBytes: 0,
      spillLoadsBytes: 0,
      stackFrameBytes: 0,
    });
    const paged = fp8lab(['bench', '--kernel', 'paged-mqa-logits', '8,2,64,128,300']);
    assert.equal(paged.code, 0, paged.stderr);
    assert.match(paged.stdout, /B=8 next_n=2 H=64 D=128 avg_kv=300\s+96\s+.*compiled/);
    const bad = fp8lab(['bench', '--kernel', 'paged-mqa-logits', '8,3,64,128,300']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /next_n x heads must be at most 128 .*With 64 heads next_n may be 1 or 2/);
  },
);
