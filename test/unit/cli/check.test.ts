// `fp8lab check` as a user runs it: the real CLI bundle (extension/dist/cli.js) in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ADDON_RELATIVE_PATH, findExtensionRoot } from '../../../extension/src/worker/addon';
import { hasCudaDriver } from '../cudaDriver';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension', 'dist', 'cli.js');

function fp8lab(args: string[], env: NodeJS.ProcessEnv = {}) {
  assert.ok(existsSync(cli), `${cli} is missing: run \`node extension/build.mjs\` first`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'fp8lab-cli-cache-'));
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FP8LAB_ROOT: '', FP8LAB_JIT_CACHE_DIR: cacheDir, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test(
  'check --json on this machine: the coded status and the matching exit code',
  { skip: hasCudaDriver && 'this machine has a CUDA driver' },
  () => {
    assert.ok(existsSync(join(root, ADDON_RELATIVE_PATH)), 'the native addon is not built: run `npm run build:native`');
    const { code, stdout, stderr } = fp8lab(['check', '--json']);
    const out = JSON.parse(stdout);
    assert.equal(code, 2, stderr);
    assert.deepEqual(
      { exitCode: out.check.exitCode, status: out.check.status, code: out.check.code },
      { exitCode: 2, status: 'no-gpu', code: 'E_NO_DRIVER' },
    );
    assert.equal(out.driver.ok, false);
    assert.equal(out.driver.code, 'E_NO_DRIVER');
    assert.equal(out.canRunKernels, false);
    assert.equal(typeof out.summary, 'string');
    assert.equal(out.addon.path, join(root, ADDON_RELATIVE_PATH));
  },
);

test(
  'check (text) prints the report and says why it exits non-zero',
  { skip: hasCudaDriver && 'this machine has a CUDA driver' },
  () => {
    const { code, stdout, stderr } = fp8lab(['check']);
    assert.equal(code, 2, stderr);
    assert.match(stdout, /^FP8 GEMM Lab environment\n/);
    assert.match(stdout, /Driver +not available \[E_NO_DRIVER\]/);
    assert.match(stderr, /fp8lab check: exit 2 \(no-gpu\)/);
    // Each library path the loaders tried is listed once, and dlerror's copy of the path is not repeated.
    const tried = stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\S*lib(cuda|cublasLt)\.so[.\d]*: /.test(l));
    assert.ok(tried.length >= 2, stdout);
    assert.equal(new Set(tried).size, tried.length, `a tried path listed twice:\n${tried.join('\n')}`);
    for (const l of tried) assert.doesNotMatch(l, /^(\S+): \1: /, l);
  },
);

test('check with a missing addon exits 5 with E_ADDON_LOAD naming the file', () => {
  const bare = mkdtempSync(join(tmpdir(), 'fp8lab-cli-bare-'));
  writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'fp8-gemm-lab' }));
  const json = fp8lab(['check', '--json'], { FP8LAB_ROOT: bare });
  assert.equal(json.code, 5, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.check.code, 'E_ADDON_LOAD');
  assert.ok(out.check.message.includes(join(bare, ADDON_RELATIVE_PATH)));
  const text = fp8lab(['check'], { FP8LAB_ROOT: bare });
  assert.equal(text.code, 5);
  assert.match(text.stderr, /\[E_ADDON_LOAD\] .*npm run build:native/);
});

test('--help documents the verbs and the exit codes; bad command lines exit 1', () => {
  const help = fp8lab(['--help']);
  assert.equal(help.code, 0);
  for (const verb of ['check', 'bench', 'configs', 'compile'])
    assert.match(help.stdout, new RegExp(`^  ${verb} `, 'm'));
  assert.match(help.stdout, /2 no CUDA driver\/GPU, 3 GPU is not Hopper, 4 no usable toolkit, 5 native addon/);
  const checkHelp = fp8lab(['check', '--help']);
  assert.equal(checkHelp.code, 0);
  assert.match(checkHelp.stdout, /Exit codes:/);
  const unknownVerb = fp8lab(['frobnicate']);
  assert.equal(unknownVerb.code, 1);
  assert.match(unknownVerb.stderr, /unknown command "frobnicate"; use one of check, bench, configs, compile/);
  const badFlag = fp8lab(['check', '--jsn']);
  assert.equal(badFlag.code, 1);
  assert.match(badFlag.stderr, /unknown argument "--jsn"/);
  assert.equal(fp8lab([]).code, 1, 'no verb: usage, exit 1');
});
