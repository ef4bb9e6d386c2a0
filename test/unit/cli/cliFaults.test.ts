// The real CLI bundle (extension/dist/cli.js) under faults a shell produces: a reader that closes
// the pipe early, FP8LAB_ROOT pointing elsewhere, hostile --config keys, numbers past any device.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import { parseConfigText } from '../../../extension/src/cli/verbArgs';
import { writeStandInCompiler } from '../standInCompiler';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'fp8lab-cli-faults-'));
// Compiles fail at once here: these tests are about what happens before and around nvcc.
const failing = writeStandInCompiler(join(work, 'stand-in'), 'fail');
const env = {
  ...process.env,
  FP8LAB_ROOT: '',
  FP8LAB_JIT_CACHE_DIR: join(work, 'cache'),
  FP8LAB_JIT_NVCC_COMPILER: failing,
};
after(() => rmSync(work, { recursive: true, force: true }));

function fp8lab(args: string[], extra: NodeJS.ProcessEnv = {}) {
  assert.ok(existsSync(cli), `${cli} is missing: run \`node extension/build.mjs\` first`);
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...env, ...extra },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK = /\n\s+at |Error: |node:internal/;

/** Runs the CLI with its stdout feeding `reader` (e.g. head -1), as `fp8lab ... | head -1` does. */
async function piped(
  args: string[],
  reader: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: string }> {
  const head = spawn(reader[0], reader.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const headClosed = new Promise<void>((r) => head.on('close', () => r()));
  let read = '';
  head.stdout.setEncoding('utf8').on('data', (s: string) => {
    read += s;
  });
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', head.stdin, 'pipe'] });
  const childExited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('exit', (code, signal) => r([code, signal])),
  );
  head.stdin.destroy(); // the CLI holds the write end now; ours must not keep the pipe open
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const [[code, signal]] = await Promise.all([childExited, headClosed]);
  return { code, signal, stderr, read };
}

test('`fp8lab configs 4096 7168 2048 | head -1` ends quietly with 0', async () => {
  const r = await piped(['configs', '4096', '7168', '2048'], ['head', '-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.read.split('\n').filter(Boolean).length, 1, 'head got its line');
  assert.equal(r.stderr, '', 'nothing on stderr: no EPIPE, no stack trace');
});

// Whether `head -1` closes the pipe before or after the CLI's one write is a race; a reader that
// exits at once makes the closed pipe certain.
test('a reader that closed before the first line: still 0 and silent, for a long report too', async () => {
  for (const args of [['configs', '4096', '7168', '2048', '--json'], ['--help']]) {
    const r = await piped(args, ['true']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, STACK);
  }
});

test('FP8LAB_ROOT pointing elsewhere: one coded line, exit 5, no stack trace', () => {
  const elsewhere = join(work, 'elsewhere');
  for (const dir of [elsewhere, '/']) {
    for (const args of [['--version'], ['configs', '4096', '7168', '2048'], ['check']]) {
      const r = fp8lab(args, { FP8LAB_ROOT: dir });
      assert.equal(r.code, 5, `${args.join(' ')} with FP8LAB_ROOT=${dir}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`\\[E_ADDON_LOAD\\] FP8LAB_ROOT=${dir.replace(/[/]/g, '\\/')} is not the FP8 GEMM Lab folder`),
      );
      assert.doesNotMatch(r.stderr, STACK);
    }
  }
});

test('--config keys are our own names only: __proto__, constructor and friends are rejected', () => {
  for (const key of ['__proto__', 'constructor', '__definegetter__', 'valueof', 'hasOwnProperty', 'toString']) {
    const parsed = parseConfigText(`${key}=5`);
    assert.equal(parsed.ok, false, key);
    // Lower-case names reach the key lookup (and must find nothing); others fail the key=number form first.
    assert.match(
      (parsed as { message: string }).message,
      /[a-z_]/.test(key) && key === key.toLowerCase() ? new RegExp(`unknown key "${key}"`) : /is not key=number/,
    );
  }
  const r = fp8lab(['compile', '4096', '7168', '2048', '--config', '__proto__=5']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /unknown key "__proto__"/);
  assert.equal(({} as Record<string, unknown>)['[object Object]'], undefined, 'nothing leaked onto Object.prototype');
});

test('numSms past any device is refused before nvcc, naming what would work', () => {
  const absurd = fp8lab(['compile', '4096', '7168', '2048', '--config', 'num_sms=4294967296']);
  assert.equal(absurd.code, 1, absurd.stderr);
  assert.match(absurd.stderr, /num_sms=4294967296 is far beyond any legal value/);
  // No GPU here: bounded by the largest Hopper part. (A GPU's own count is tested in the policy test.)
  const big = fp8lab(['compile', '4096', '7168', '2048', '--config', 'num_sms=200']);
  assert.equal(big.code, 1, big.stderr);
  assert.match(
    big.stderr,
    /\[E_INVALID_CONFIG\] .*\[num-sms-device\] numSms 200 exceeds the 144 SMs of the largest Hopper GPU .*use at most 144/,
  );
  assert.doesNotMatch(big.stderr, /stand-in compiler/, 'refused before the compiler ran');
  // A legal count reaches the compiler (which, here, fails as told).
  const fine = fp8lab(['compile', '4096', '7168', '2048', '--config', 'num_sms=128']);
  assert.match(fine.stderr, /\[E_COMPILE\]/);
  assert.match(fine.stderr, /stand-in compiler: this test compiles nothing/);
});

test('a compile past FP8LAB_JIT_COMPILE_TIMEOUT ends with E_COMPILE_TIMEOUT and exit 6', () => {
  const hanging = writeStandInCompiler(join(work, 'hanging'), 'hang');
  const started = Date.now();
  const r = fp8lab(['compile', '4096', '7168', '2048'], {
    FP8LAB_JIT_NVCC_COMPILER: hanging,
    FP8LAB_JIT_COMPILE_TIMEOUT: '1',
  });
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /\[E_COMPILE_TIMEOUT\] nvcc did not finish compiling .* within 1 s/);
  assert.ok(Date.now() - started < 30_000);
});

test('the stand-in is what ran (sanity of the harness)', () => {
  writeFileSync(join(work, 'probe.txt'), 'x');
  const r = fp8lab(['check', '--json']);
  assert.equal(JSON.parse(r.stdout).toolkit.nvccPath, failing);
});
