// The GPU pipeline of one shape (worker/bench/shapeBench.ts) against a fake addon that records
// every call: the order of the phases, what is launched with which sizes, that a wrong result is
// never timed, that the peer's failures cost only its column, that cancellation stops between
// phases, and that every buffer and handle allocated is freed. The numbers the fake returns are
// inputs of the test, not results: the GPU figures come from test/gpu on the H100.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchOptions, CompileReport, GemmConfig, RuntimeSettings } from '../../../../extension/protocol/worker';
import { UtilKernel } from '../../../../extension/src/core/utilsSource';
import type { AddonModule } from '../../../../extension/src/worker/addon';
import { benchShape, POISON, type ShapeContext } from '../../../../extension/src/worker/bench/shapeBench';
import { peerOf } from '../../../../extension/src/core/peers/runPeers';
import { SELECTION_ROUNDS } from '../../../../extension/src/worker/peers/cublasltBest';
import { UtilKernels } from '../../../../extension/src/worker/bench/utilKernels';
import { device, FakeAddon, type Scenario } from '../fakeAddon';

const settings = {
  cacheDir: '/fake',
  compiler: 'nvcc',
  cudaHome: '/usr/local/cuda',
  nvccPath: '/usr/local/cuda/bin/nvcc',
  kernelsDir: '/fake/kernels',
} as RuntimeSettings;
const config: GemmConfig = {
  blockM: 64,
  blockN: 16,
  blockK: 128,
  numStages: 16,
  numMathWarpgroups: 1,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 32,
  numSms: 132,
  sharedBytes: 170464,
  numThreads: 256,
};
const compiled = (m: number, n: number, k: number): CompileReport => ({
  problem: { kind: 'normal', m, n, k },
  config,
  kernelName: 'gemm',
  cacheKey: 'key',
  cacheHit: true,
  compileMs: 2,
  cubinPath: '/fake/gemm.cubin',
  ptxasLog: '',
  command: [],
  registers: {
    registers: 248,
    spillStoresBytes: 0,
    spillLoadsBytes: 0,
    stackFrameBytes: 0,
    staticSharedBytes: 0,
    producerRegisters: 40,
    mathRegisters: 248,
    dynamicSharedBytes: 170464,
    occupancyCtasPerSm: 1,
  },
});

async function runShape(
  scenario: Scenario,
  options: Partial<BenchOptions> = {},
  extra: Partial<ShapeContext> = {},
  shape: [number, number, number] = [64, 2112, 7168],
) {
  const fake = new FakeAddon(scenario);
  const addon = fake as unknown as AddonModule;
  const utils = await UtilKernels.load(addon, settings);
  const phases: string[] = [];
  const out = await benchShape(
    {
      addon,
      settings,
      utils,
      device,
      index: 0,
      total: 1,
      options: { timing: true, peer: true, rounds: 9, seed: 5, ...options },
      progress: (phase) => phases.push(phase),
      cancelled: () => false,
      peers: { cublaslt: { ok: true, name: 'cuBLASLt 13.1.0' } },
      measureHostOverhead: false,
      ...extra,
    },
    compiled(...shape),
  );
  return { fake, out, phases };
}

test('a correct shape is checked, then timed over a rotation > 3x L2 interleaved with the peer; everything is freed', async () => {
  const { fake, out, phases } = await runShape({});
  const r = out.result;
  assert.equal(r.error, undefined);
  assert.equal(r.accuracy?.passed, true);
  const lt = peerOf(r, 'cublaslt')!;
  assert.equal(lt.accuracy?.passed, true);
  assert.ok(r.timing && lt.timing);
  assert.equal(r.timing.medianUs, 10.1);
  assert.equal(r.timing.samples, 9);
  assert.equal(lt.timing.ratio, 20.1 / 10.1);
  assert.equal(lt.name, 'cuBLASLt 13.1.0');
  assert.equal(lt.details?.algorithmsOffered, 1);
  assert.deepEqual(phases, ['checking', 'peer', 'timing']);
  // 10 sets of 64x2112x7168 exceed 150 MB; both entries cycle through all of them.
  assert.deepEqual(fake.timeCalls[0].entries, [10, 10]);
  assert.equal(fake.timeCalls[0].options.callsPerGraph % 10, 0);
  assert.equal(fake.timeCalls[0].options.rounds, 9);
  // Inputs: two fills and two casts per set, one reference; the check runs ours then the peer once each before timing.
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.fillRandom).length, 20);
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.castPerToken).length, 10);
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.castPerBlock).length, 10);
  assert.deepEqual(fake.launches.find((l) => l.name === UtilKernel.referenceGemm)!.grid, [17, 1, 1]);
  assert.deepEqual(fake.runs, { ours: 1, peer: 1 });
  const poison = fake.fills.filter((f) => f.pattern === POISON);
  assert.deepEqual(
    poison.map((f) => f.bytes),
    [64 * 2112 * 2, 64 * 2112 * 2],
  );
  const calc = fake.launches.find((l) => l.name === UtilKernel.calcDiff)!;
  assert.deepEqual(calc.args[2], { u64: BigInt(64 * 2112) });
  assert.equal(fake.timeCalls[0].pdl.every(Boolean), true, 'PDL by default');
  assert.equal(fake.live.size, 0, 'every buffer and launch handle was disposed');
  assert.ok(fake.allocated > 10 * 5);
  // Correctness before any timing.
  assert.ok(fake.calls.indexOf('run ours') < fake.calls.indexOf('time 2'));
});

test('a wrong or partly unwritten result is reported and never timed', async () => {
  for (const ours of ['wrong', 'unwritten'] as const) {
    const { fake, out } = await runShape({ ours });
    assert.equal(out.result.error?.code, 'E_WRONG_RESULT');
    assert.equal(out.result.accuracy?.passed, false);
    assert.equal(out.result.timing, undefined);
    assert.equal(fake.timeCalls.length, 0);
    assert.equal(fake.runs.peer, 0);
    assert.equal(fake.live.size, 0);
  }
  const { out } = await runShape({ ours: 'unwritten' });
  assert.match(out.result.error!.message, /never written/);
});

test('peer failures cost only the peer column', async () => {
  const wrong = await runShape({ peer: 'wrong' });
  assert.match(
    peerOf(wrong.out.result, 'cublaslt')!.skipped!,
    /none of cuBLASLt's 1 algorithm\(s\) gave a correct result/,
  );
  assert.deepEqual(wrong.fake.timeCalls[0].entries, [10]);
  assert.ok(wrong.out.result.timing);

  const create = await runShape({ peer: 'create-fails' });
  assert.match(peerOf(create.out.result, 'cublaslt')!.skipped!, /\[E_CUDA\] CUBLAS_STATUS_NOT_SUPPORTED/);
  assert.ok(create.out.result.timing);
  assert.equal(create.fake.live.size, 0);

  const graph = await runShape({ peer: 'graph-fails' });
  assert.match(peerOf(graph.out.result, 'cublaslt')!.skipped!, /could not be timed in a CUDA graph/);
  assert.deepEqual(
    graph.fake.timeCalls.map((t) => t.entries),
    [[10, 10], [10]],
  );
  assert.ok(graph.out.result.timing);

  const off = await runShape({}, { peer: false }, { peers: {} });
  assert.deepEqual(off.out.result.peers, []);
  assert.equal(off.fake.runs.peer, 0);

  const missing = await runShape(
    {},
    {},
    { peers: { cublaslt: { ok: false, reason: 'cuBLASLt is not available: not found' } } },
  );
  assert.equal(peerOf(missing.out.result, 'cublaslt')!.skipped, 'cuBLASLt is not available: not found');
});

test("every algorithm cuBLASLt's heuristic offers is checked, the correct ones raced, and the fastest is the column", async () => {
  const { fake, out } = await runShape({ algorithms: 4, wrongAlgorithms: [3] });
  const lt = peerOf(out.result, 'cublaslt')!;
  // The race: three correct algorithms (#4 was wrong), SELECTION_ROUNDS rounds; then ours against the winner.
  assert.deepEqual(fake.timeCalls[0].entries, [10, 10, 10]);
  assert.equal(fake.timeCalls[0].options.rounds, SELECTION_ROUNDS);
  assert.deepEqual(fake.timeCalls[1].entries, [10, 10]);
  assert.equal(lt.details?.algoId, 101, 'algorithm #2 (19 µs) beat #1 (20) and #3 (22)');
  assert.equal(lt.details?.algorithmsOffered, 4);
  assert.equal(lt.details?.algorithmsCorrect, 3);
  assert.equal(lt.timing!.medianUs, 19.1);
  assert.match(
    lt.config!,
    /algo 101, tile 21, stages 16x5, cluster 1x1x1 \(cuBLASLt's enumeration, #2 of the list; fastest of 3 correct of 4 listed\)/,
  );
  assert.equal(fake.runs.peer, 4, 'each algorithm checked once on set 0');
  assert.equal(fake.live.size, 0);
});

test("check-only checks only the heuristic's favourite cuBLASLt algorithm", async () => {
  const { fake, out } = await runShape({ algorithms: 4 }, { timing: false });
  assert.equal(fake.timeCalls.length, 0);
  assert.equal(fake.runs.peer, 1);
  assert.equal(peerOf(out.result, 'cublaslt')!.accuracy?.passed, true);
});

test('a graph capture that refuses PDL is retried with plain launches, and the result says so', async () => {
  const { fake, out } = await runShape({ pdlCaptureFails: true }, { peer: false }, { peers: {} });
  assert.deepEqual(
    fake.timeCalls.map((t) => t.pdl[0]),
    [true, false],
  );
  assert.ok(out.result.timing);
  assert.match(out.result.timingNote!, /without programmatic dependent launch/);
  assert.equal(fake.live.size, 0);
});

test('check-only uses one input set and no timing; host overhead is measured when asked', async () => {
  const check = await runShape({}, { timing: false, peer: false }, { peers: {} });
  assert.equal(check.fake.timeCalls.length, 0);
  assert.equal(check.fake.launches.filter((l) => l.name === UtilKernel.castPerToken).length, 1);
  assert.equal(check.out.result.timing, undefined);
  assert.equal(check.out.result.accuracy?.passed, true);

  const host = await runShape({}, { peer: false }, { peers: {}, measureHostOverhead: true });
  assert.ok(host.out.hostOverhead && host.out.hostOverhead.usPerLaunch > 0);
  assert.equal(host.out.hostOverhead.launches, 200);
  assert.equal(host.fake.runs.ours, 1 + 1 + 200);
});

test('cancellation between phases rejects E_CANCELLED and still frees everything', async () => {
  const fake = new FakeAddon({});
  const addon = fake as unknown as AddonModule;
  const utils = await UtilKernels.load(addon, settings);
  let polls = 0;
  await assert.rejects(
    benchShape(
      {
        addon,
        settings,
        utils,
        device,
        index: 0,
        total: 1,
        options: { timing: true, peer: true, rounds: 3, seed: 1 },
        progress: () => {},
        cancelled: () => ++polls > 2,
        peers: { cublaslt: { ok: true, name: 'cuBLASLt' } },
        measureHostOverhead: false,
      },
      compiled(128, 2112, 7168),
    ),
    (e: { code?: string }) => e.code === 'E_CANCELLED',
  );
  assert.equal(fake.timeCalls.length, 0);
  assert.equal(fake.live.size, 0);
});

test('odd shapes: SFA padded to 4 rows, reference grid covers partial tiles', async () => {
  const { fake, out } = await runShape({}, { timing: false, peer: false }, { peers: {} }, [7, 576, 7168]);
  assert.equal(out.result.accuracy?.passed, true);
  const cast = fake.launches.find((l) => l.name === UtilKernel.castPerToken)!;
  assert.deepEqual(cast.args.slice(3), [{ u32: 7 }, { u32: 7168 }, { u32: 8 }]);
  assert.deepEqual(cast.grid, [Math.ceil((8 * 56 * 32) / 256), 1, 1]);
  assert.deepEqual(fake.launches.find((l) => l.name === UtilKernel.castPerBlock)!.grid, [56, 5, 1]);
  assert.deepEqual(fake.launches.find((l) => l.name === UtilKernel.referenceGemm)!.grid, [5, 1, 1]);
});
