// Standing fuzz test, seeded and bounded (FP8LAB_FUZZ_SEED replays a failure). The invariant:
// every input ends in success or a documented coded error, within a time limit, with no stack
// trace, and no cache entry or saved run is lost or corrupted.
//   1. a few thousand command lines through the CLI's parsing and the policy, in this process;
//   2. a few of them through the real CLI bundle, as processes;
//   3. a few hundred messages (fuzzed requests and malformed envelopes) through a real worker.
// Compiles go to a stand-in compiler that fails at once, so nothing here waits on nvcc.
import { upgradeRun } from '../../../extension/src/core/peers/runPeers';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DeviceReport, EnvironmentReport, GemmProblem, RuntimeSettings } from '../../../extension/protocol/worker';
import { parseBenchArgs, parseConfigText, parseShapeVerbArgs, CONFIG_KEYS } from '../../../extension/src/cli/verbArgs';
import { RunArchive } from '../../../extension/src/storage/runArchive';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import {
  applyOverrides,
  chooseFor,
  kernelSourceFor,
  policyDevice,
  validateBench,
} from '../../../extension/src/worker/bench/policy';
import { resolveSettings } from '../../../extension/src/core/settings';
import { REQUEST_FIELDS } from '../../../extension/src/worker/workerParams';
import { loadAddon } from '../native/loadAddon';
import { RawWorker } from '../rawWorker';
import { writeStandInCompiler } from '../standInCompiler';
import { makeRun } from '../webview/runData';

const SEED = Number(process.env.FP8LAB_FUZZ_SEED ?? 20261206);
const root = findExtensionRoot(__dirname, {});
const work = mkdtempSync(join(tmpdir(), 'fp8lab-fuzz-'));
const failing = writeStandInCompiler(join(work, 'stand-in'), 'fail');
const cacheDir = join(work, 'cache');
const settings: RuntimeSettings = {
  ...resolveSettings(
    { 'jit.cacheDir': cacheDir },
    {},
    { kernelsDir: join(root, 'kernels'), homeDir: homedir(), cwd: work },
  ).settings,
  nvccPath: failing,
};

/** Every code the protocol documents (the worker's union, which includes the addon's). */
function documentedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of ['extension/protocol/domain.ts', 'native/index.d.ts']) {
    const text = readFileSync(join(root, file), 'utf8').replace(/\/\/.*$/gm, '');
    const union = /export type ErrorCode =([\s\S]*?);/.exec(text);
    assert.ok(union, `ErrorCode in ${file}`);
    for (const m of union[1].matchAll(/'(E_[A-Z0-9_]+)'/g)) codes.add(m[1]);
  }
  return codes;
}
const DOCUMENTED = documentedCodes();
const STACK = /\n\s+at |\bat (?:async )?\S+ \(|node:internal|TypeError|ReferenceError/;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Mostly plausible sizes, sometimes edge and absurd ones. */
  size(): string {
    return this.pick([
      () => String(this.pick([64, 128, 256, 512, 1024, 2048, 4096, 7168, 16384, 24576, 1536, 576])),
      () => String(this.int(1, 70000)),
      () =>
        this.pick([
          '0',
          '-128',
          '1e4',
          '0x1000',
          '4096.5',
          '99999999999999999999',
          'NaN',
          '',
          '４０９６',
          '128k',
          '2**12',
        ]),
      () => String(this.int(1, 64) * 128),
    ])();
  }
  shapeWord(): string {
    const sep = this.pick([',', 'x', 'X', ' , ', '×', ';', ',,']);
    const n = this.pick([3, 3, 3, 2, 4]);
    return Array.from({ length: n }, () => this.size()).join(sep);
  }
  configText(): string {
    const keys = [
      ...Object.keys(CONFIG_KEYS),
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'BLOCK_M',
      'block-m',
      'nope',
      '',
    ];
    const value = () =>
      this.pick([
        () => String(this.pick([1, 2, 3, 4, 5, 6, 8, 16, 32, 64, 96, 112, 128, 132, 144, 160, 192, 256])),
        () => String(this.int(0, 300)),
        () => this.pick(['4294967296', '99999999999999999999999', '-1', '1.5', 'x', '', '0']),
      ])();
    return Array.from({ length: this.int(0, 4) }, () => `${this.pick(keys)}=${value()}`).join(
      this.pick([',', ' ', ',,', ', ']),
    );
  }
  /** A size a kernel engineer would type (multiples of 128 up to 16K), sometimes just off. */
  plausible(): number {
    const n = this.int(1, 128) * 128;
    return this.chance(0.04) ? n + this.pick([-1, 8, 64]) : n;
  }
  /** A config a user might force: our keys, values near the legal ones. */
  plausibleConfig(): string {
    const pairs = [
      ['block_m', [64, 128, 256, 96]],
      ['block_n', [64, 96, 112, 128, 144, 160, 192, 256, 100]],
      ['stages', [2, 3, 4, 5, 6, 8, 12, 40]],
      ['cluster_m', [1, 2, 4]],
      ['cluster_n', [1, 2, 3]],
      ['math_wgs', [1, 2, 3]],
      ['num_sms', [1, 64, 78, 120, 132, 133, 144, 145, 1000]],
      ['split_k', [1, 2, 3, 4]],
      ['swizzle_d', [0, 32, 64, 128, 256]],
      ['block_k', [64, 128]],
    ] as const;
    return Array.from({ length: this.int(1, 3) }, () => {
      const [k, vs] = this.pick(pairs);
      return `${k}=${this.pick(vs)}`;
    }).join(',');
  }
  argv(): { verb: 'configs' | 'compile' | 'bench'; args: string[] } {
    const verb = this.pick(['configs', 'compile', 'bench'] as const);
    if (this.chance(0.6)) {
      // Well-formed command lines, so the policy (not only the parser) sees thousands of specs.
      const shape = [this.plausible(), this.plausible(), this.plausible()];
      const args = verb !== 'bench' && this.chance(0.5) ? shape.map(String) : [shape.join(this.pick([',', 'x']))];
      if (verb !== 'configs' && this.chance(0.7)) args.push('--config', this.plausibleConfig());
      if (this.chance(0.3)) args.push('--json');
      return { verb, args };
    }
    const args: string[] = [];
    const n = this.int(0, 6);
    for (let i = 0; i < n; i++) {
      args.push(
        ...this.pick([
          () => [this.size()],
          () => [this.size()],
          () => [this.shapeWord()],
          () => ['--json'],
          () => ['--config', this.configText()],
          () => [`--config=${this.configText()}`],
          () => ['--shapes', this.pick(['deepseek', 'decode', 'prefill', 'gpu-test', 'nope', this.shapeWord()])],
          () => ['--rounds', this.size()],
          () => ['--seed', this.size()],
          () => ['--calls-per-graph', this.size()],
          () => ['--distribution', this.pick(['normal', 'outliers', 'tiny', 'uniform'])],
          () => [this.pick(['--no-peer', '--check-only', '--no-pdl', '--help', '-x', '--', '--json=1'])],
        ])(),
      );
    }
    return { verb, args };
  }
}

const h100: DeviceReport = {
  ordinal: 0,
  name: 'NVIDIA H100 80GB HBM3',
  computeCapability: [9, 0],
  smCount: 132,
  totalMemoryBytes: 85e9,
  l2CacheBytes: 52e6,
  maxSharedMemoryPerBlockOptin: 232448,
  clockRateKHz: 1_980_000,
  isHopper: true,
};
const h20: DeviceReport = { ...h100, name: 'NVIDIA H20', smCount: 78, totalMemoryBytes: 96e9 };
function environment(device: DeviceReport | undefined): EnvironmentReport {
  return {
    driver: device
      ? { ok: true, libcudaPath: '/x', version: 13000, versionText: '13.0' }
      : { ok: false, code: 'E_NO_DRIVER', message: 'none' },
    devices: device ? [device] : [],
    toolkit: { nvccPath: failing, cudaHome: '/usr/local/cuda', version: '13.0', usable: true },
    nvrtc: { available: false },
    cublasLt: { available: false },
    cache: { dir: cacheDir, entries: 0, writable: true },
    addon: { path: '/x', napiVersion: 8 },
    canRunKernels: !!device,
    canCompileKernels: true,
    summary: 'fuzz',
  };
}

/** Asserts a thrown value is a documented coded error with a plain message. */
function assertCoded(err: unknown, what: string): string {
  const e = err as { code?: unknown; message?: unknown };
  assert.ok(
    typeof e?.code === 'string' && DOCUMENTED.has(e.code),
    `${what}: threw an undocumented error ${String(e?.code)}: ${String(e?.message ?? err)}\n${(err as Error)?.stack ?? ''}`,
  );
  assert.notEqual(e.code, 'E_INTERNAL', `${what}: E_INTERNAL: ${String(e.message)}`);
  assert.doesNotMatch(String(e.message), STACK, `${what}: a stack trace in the message`);
  return e.code as string;
}

let goodEntry:
  { key: string; cubinSha: string; options: Parameters<ReturnType<typeof loadAddon>['compile']>[0] } | undefined;
const runsDir = join(work, 'runs');
const savedRun = { ...makeRun(), id: 'fuzz-keeper' };
const nvcc = join(process.env.CUDA_HOME ?? '/usr/local/cuda', 'bin', 'nvcc');

before(async () => {
  // A sound cache entry and a saved run that nothing below may lose or corrupt.
  await new RunArchive(runsDir).save(savedRun);
  if (!existsSync(nvcc)) return;
  const addon = loadAddon();
  mkdirSync(join(work, 'include'), { recursive: true });
  const options = {
    source: 'extern "C" __global__ void keep(float* x) { x[threadIdx.x] += 1.0f; }\n',
    kernelNames: ['keep'],
    includeDirs: [join(work, 'include')],
    cacheDir,
    compiler: 'nvcc' as const,
    nvccPath: nvcc,
    cudaHome: '/usr/local/cuda',
  };
  const r = await addon.compile(options);
  goodEntry = { key: r.key, cubinSha: createHash('sha256').update(readFileSync(r.cubinPath)).digest('hex'), options };
});

after(async () => {
  // Nothing lost or corrupted: the entry is still a hit with the same bytes; the run loads whole.
  if (goodEntry) {
    const again = await loadAddon().compile(goodEntry.options);
    assert.equal(again.cacheHit, true, 'the cache entry survived the fuzz');
    assert.equal(createHash('sha256').update(readFileSync(again.cubinPath)).digest('hex'), goodEntry.cubinSha);
    const entries = readdirSync(cacheDir)
      .filter((s) => s !== 'tmp')
      .flatMap((s) => readdirSync(join(cacheDir, s)));
    assert.deepEqual(entries, [goodEntry.key], 'and no other entry was published by a failed compile');
  }
  assert.deepEqual(
    await new RunArchive(runsDir).load(savedRun.id),
    upgradeRun(savedRun),
    'the saved run survived the fuzz (read back as every run is, with per-peer columns)',
  );
  assert.deepEqual(
    readdirSync(runsDir).filter((n) => n.endsWith('.tmp')),
    [],
    'no temp file left',
  );
  rmSync(work, { recursive: true, force: true });
});

test(`3000 command lines through the CLI's parsing and the policy (seed ${SEED})`, (t) => {
  const g = new Gen(rng(SEED));
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const started = Date.now();
  for (let i = 0; i < 3000; i++) {
    const { verb, args } = g.argv();
    const what = `#${i} fp8lab ${verb} ${JSON.stringify(args)}`;
    const t0 = Date.now();
    const parsed = verb === 'bench' ? parseBenchArgs(args) : parseShapeVerbArgs(verb, args);
    if (parsed.ok === 'help') {
      count('help');
      continue;
    }
    if (parsed.ok === false) {
      assert.ok(parsed.message.length > 0 && parsed.message.length < 1000, `${what}: a short message`);
      assert.doesNotMatch(parsed.message, STACK, what);
      count('usage');
      continue;
    }
    const value = parsed.value as { problem?: GemmProblem; problems?: GemmProblem[]; config?: Record<string, number> };
    if (value.config)
      for (const k of Object.keys(value.config))
        assert.ok(Object.values(CONFIG_KEYS).includes(k as never), `${what}: config key ${k}`);
    const device = g.pick([undefined, h100, h20]);
    const env = environment(device);
    const numSms = g.chance(0.2) ? g.pick([1, 8, 66, 78, 132, 133, 200]) : undefined;
    for (const problem of (value.problems ?? [value.problem!]).slice(0, 3)) {
      try {
        const [p] = validateBench([problem], env);
        const policy = policyDevice({ ...settings, ...(numSms ? { numSms } : {}) }, device);
        const config = value.config ? applyOverrides(p, policy, value.config) : chooseFor(p, policy).chosen;
        if (g.chance(0.05)) assert.match(kernelSourceFor(p, config).source, /__global__/);
        count('ok');
      } catch (err) {
        count(assertCoded(err, what));
      }
    }
    assert.ok(Date.now() - t0 < 2000, `${what} took ${Date.now() - t0} ms`);
  }
  t.diagnostic(`outcomes: ${JSON.stringify([...outcomes])}`);
  assert.equal(({} as Record<string, unknown>).blockM, undefined, 'Object.prototype untouched');
  assert.ok(
    (outcomes.get('ok') ?? 0) > 100 && (outcomes.get('usage') ?? 0) > 100,
    `a mix of outcomes: ${JSON.stringify([...outcomes])}`,
  );
  assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms in all`);
});

test('--config text alone: 2000 fuzzed strings parse to our keys or a message', () => {
  const g = new Gen(rng(SEED + 1));
  for (let i = 0; i < 2000; i++) {
    const text = g.chance(0.5)
      ? g.configText()
      : Array.from({ length: g.int(0, 30) }, () => String.fromCharCode(g.int(0, 0x2fff))).join('');
    const r = parseConfigText(text);
    if (r.ok === true) {
      for (const [k, v] of Object.entries(r.value)) {
        assert.ok(Object.values(CONFIG_KEYS).includes(k as never), `${JSON.stringify(text)}: key ${k}`);
        assert.ok(Number.isSafeInteger(v) && v >= 0 && v <= 1 << 20, `${JSON.stringify(text)}: ${k}=${v}`);
      }
    } else {
      assert.ok(r.ok === false && r.message.length < 1000);
    }
  }
});

function runCli(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'extension', 'dist', 'cli.js'), ...args], {
      env: {
        ...process.env,
        FP8LAB_ROOT: '',
        FP8LAB_JIT_CACHE_DIR: cacheDir,
        FP8LAB_JIT_NVCC_COMPILER: failing,
        FP8LAB_JIT_COMPILE_TIMEOUT: '20',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: work,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

test('16 fuzzed command lines through the real CLI: documented exit codes, one-line errors, no stack trace', async () => {
  const g = new Gen(rng(SEED + 2));
  const lines = Array.from({ length: 16 }, () => g.argv()).map(({ verb, args }) => [
    verb === 'bench' ? 'configs' : verb,
    ...args.filter((a) => a !== '--help'),
  ]);
  for (let i = 0; i < lines.length; i += 2) {
    const results = await Promise.all(lines.slice(i, i + 2).map(runCli));
    results.forEach((r, j) => {
      const what = `fp8lab ${JSON.stringify(lines[i + j])}`;
      assert.ok(r.code !== null && [0, 1, 4, 5, 6].includes(r.code), `${what}: exit ${r.code}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK, `${what}: ${r.stderr}`);
      for (const m of r.stderr.matchAll(/\[(E_[A-Z0-9_]+)\]/g)) assert.ok(DOCUMENTED.has(m[1]), `${what}: ${m[1]}`);
      assert.ok(r.ms < 30_000, `${what}: ${r.ms} ms`);
    });
  }
});

test(`300 fuzzed messages through a real worker process (seed ${SEED})`, async (t) => {
  const workerPath = join(root, 'extension', 'dist', 'worker.js');
  assert.ok(existsSync(workerPath), `${workerPath} is missing: run \`node extension/build.mjs\` first`);
  const w = new RawWorker(workerPath, { ...process.env, FP8LAB_TEST_HOOKS: '' });
  try {
    const pid = await w.pid();
    const g = new Gen(rng(SEED + 3));
    const junk = (): unknown =>
      g.pick([
        () => null,
        () => g.int(-5, 5),
        () => 'text',
        () => [],
        () => ({}),
        () => true,
        () => [g.int(0, 9)],
        () => ({ kind: 'normal' }),
        () => ({ __proto__: { m: 1 } }),
        () => 'x'.repeat(g.int(0, 5000)),
      ])();
    const problem = (): unknown =>
      g.chance(0.5)
        ? { kind: 'normal', m: g.plausible(), n: g.plausible(), k: g.plausible() }
        : g.chance(0.6)
          ? {
              kind: g.pick(['normal', 'normal', 'masked', 'contiguous', 'weird']),
              m: Number(g.size()) || g.int(-9, 9),
              n: Number(g.size()) || 0,
              k: Number(g.size()) || 128,
              ...(g.chance(0.2) ? { numGroups: g.int(-1, 40) } : {}),
            }
          : junk();
    const options = (): unknown =>
      g.chance(0.7)
        ? {
            timing: g.chance(0.5),
            peer: false,
            rounds: g.pick([1, 0, 5, 1e9, -1, 2.5]),
            seed: g.pick([0, 1, -1, 2 ** 40]),
            ...(g.chance(0.2) ? { distribution: g.pick(['normal', 'bogus']) } : {}),
          }
        : junk();
    const settingsValue = (): unknown =>
      g.chance(0.9)
        ? settings
        : g.pick([
            () => junk(),
            () => ({ ...settings, compiler: 'clang' }),
            () => ({ ...settings, numSms: g.pick([0, 1, 200, -3, 1.5]) }),
            () => ({ ...settings, jitDefines: ['FP8LAB_X=1', '-Xcompiler=-fplugin=x'] }),
            () => ({ ...settings, dumpPtx: 'yes' }),
          ])();
    const fieldValue: Record<string, () => unknown> = {
      settings: settingsValue,
      job: () =>
        g.chance(0.85)
          ? { problem: problem(), ...(g.chance(0.3) ? { config: g.chance(0.5) ? junk() : { numSms: 4096 } } : {}) }
          : junk(),
      problem,
      problems: () => (g.chance(0.8) ? Array.from({ length: g.int(0, 3) }, problem) : junk()),
      options: () => (g.chance(0.6) ? { timing: false, peer: false, rounds: 1, seed: 0 } : options()),
      configs: () => (g.chance(0.7) ? [junk(), {}] : junk()),
      cases: () => (g.chance(0.7) ? [junk()] : junk()),
      request: () => {
        if (g.chance(0.3)) return junk();
        const rows = g.pick([1, 2, 4, 0, -1, 1.5, 1e9]);
        const cols = g.pick([128, 256, 100, 0]);
        const floats = Number.isInteger(rows) && rows > 0 && rows < 100 ? rows * Math.max(cols, 1) : 4;
        return {
          mode: g.pick(['per-token', 'per-block', 'per-channel', 'x']),
          rows,
          cols,
          kBlocks: g.pick([1, 2, 0, -3]),
          dataBase64: g.pick([Buffer.alloc(floats * 4).toString('base64'), '!!not base64!!', 'AAAA', 5, null, '']),
        };
      },
      change: () => (g.chance(0.5) ? { numSms: g.pick([1, 0, 500, -2]) } : junk()),
      jobId: () => (g.chance(0.8) ? `job-${g.int(0, 5)}` : junk()),
      size: () => (g.chance(0.7) ? g.int(-5, 1e6) : junk()),
      elementBytes: () => (g.chance(0.7) ? g.pick([1, 2, 4, 3, 0, -4]) : junk()),
      kind: () => g.pick(['crash', 'hang', 'illegal-address', 'x']),
    };
    const methods = Object.keys(REQUEST_FIELDS);
    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const started = Date.now();
    let inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < 300; i++) {
      if (g.chance(0.2)) {
        // A malformed envelope: dropped, or (with an id) answered E_BAD_ARGUMENT.
        const id = `raw-${i}`;
        const env = g.pick([
          () => ({ jsonrpc: '2.0', method: '$/cancelRequest', params: junk() }),
          () => ({ jsonrpc: g.pick(['1.0', 2, null]), id, method: 'worker/ping' }),
          () => ({ jsonrpc: '2.0', id, method: g.pick(methods), params: g.pick([null, 5, 'x', [1]]) }),
          () => junk(),
          () => ({ jsonrpc: '2.0', id: g.pick([{}, null, [1]]), method: 'env/probe' }),
          () => ({ jsonrpc: '2.0', id: `resp-${i}`, error: junk() }),
        ])();
        if (
          env &&
          typeof env === 'object' &&
          (env as { id?: unknown }).id === id &&
          typeof (env as { method?: unknown }).method === 'string'
        ) {
          const r = await w.answer(id, () => w.send(env), 20_000);
          assert.equal(
            (r.error as { data?: { code?: string } })?.data?.code,
            'E_BAD_ARGUMENT',
            `#${i} ${JSON.stringify(env).slice(0, 200)}: ${JSON.stringify(r)}`,
          );
          count('malformed-answered');
        } else {
          w.send(env);
          count('malformed-dropped');
        }
        continue;
      }
      const method = g.pick(methods);
      const fields = (REQUEST_FIELDS as Record<string, Record<string, string>>)[method];
      const params = Object.fromEntries(
        Object.keys(fields)
          .filter(() => g.chance(0.95))
          .map((f) => [f, fieldValue[f]()]),
      );
      const what = `#${i} ${method} ${JSON.stringify(params).slice(0, 300)}`;
      const t0 = Date.now();
      inFlight.push(
        w.request(method, params, 30_000).then((r) => {
          assert.ok(Date.now() - t0 < 30_000, what);
          if ('result' in r) {
            count('ok');
            return;
          }
          const error = r.error as { code: number; message: string; data?: { code?: string; message?: string } };
          if (error.code === -32601) {
            count('method-not-found');
            return;
          }
          assertCoded(error.data ?? { message: error.message }, what);
          count(error.data!.code!);
        }),
      );
      if (inFlight.length >= 6) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    t.diagnostic(`outcomes: ${JSON.stringify([...outcomes])}`);
    assert.equal(await w.pid(), pid, 'the same worker answered every message');
    assert.equal(w.exited, undefined);
    assert.doesNotMatch(w.stderr, /uncaught|unhandled rejection|\[error\]/, w.stderr.slice(-2000));
    assert.ok(
      (outcomes.get('E_BAD_ARGUMENT') ?? 0) > 20 && outcomes.size >= 5,
      `a mix of outcomes: ${JSON.stringify([...outcomes])}`,
    );
    assert.ok(Date.now() - started < 45_000, `${Date.now() - started} ms`);
  } finally {
    w.stop();
  }
});

test('saved runs under fuzzed ids and contents: saved inside the folder or refused, the keeper intact', async () => {
  const g = new Gen(rng(SEED + 4));
  const archive = new RunArchive(runsDir);
  for (let i = 0; i < 60; i++) {
    const id = g.pick([
      () => '../../escape',
      () => '__proto__',
      () => '',
      () => '.',
      () => 'a/b\\c',
      () => 'x'.repeat(500),
      () => `run-${g.int(0, 3)}`,
      () => '\u0000\u202e',
    ]);
    try {
      const file = await archive.save({ ...makeRun(), id: id() });
      assert.ok(
        file.startsWith(runsDir + '/') && !file.slice(runsDir.length + 1).includes('/'),
        `saved inside the folder: ${file}`,
      );
    } catch (err) {
      assert.match((err as Error).message, /run id is empty/);
    }
  }
  writeFileSync(join(runsDir, 'run-broken.json'), '{"id": "half');
  const listed = await archive.list();
  assert.ok(listed.some((r) => r.id === savedRun.id));
});
