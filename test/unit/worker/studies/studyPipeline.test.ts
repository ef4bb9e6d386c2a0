// The two studies' GPU pipelines (worker/studies/*) against the bench tests' fake addon, which
// records every call: what is compiled (normal, instrumented, no-promotion builds), what is launched
// with which sizes, that the design's wrong result stops the accuracy study, that the trace buffer
// is sized, zeroed, downloaded and compacted, that both kernels are timed on one path, that no GPU
// gives E_NO_DEVICE before anything is compiled, and that every buffer and handle is freed. The
// numbers the fake returns are the test's inputs, never measurements (test/gpu/studies.ts has those).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnvironmentReport, GemmProblem, RuntimeSettings } from '../../../../extension/protocol/worker';
import { traceSizing } from '../../../../extension/src/core/studies/traceSizing';
import { decodeCapture } from '../../../../extension/src/core/trace';
import { DIFF_WORDS, UtilKernel } from '../../../../extension/src/core/utilsSource';
import type { AddonModule } from '../../../../extension/src/worker/addon';
import { accuracyStudy } from '../../../../extension/src/worker/studies/accuracyStudy';
import { CAPTURE_REPLAYS, timeline } from '../../../../extension/src/worker/studies/timeline';
import type * as Native from '../../../../native/index';
import { device, FakeAddon, type Scenario } from '../fakeAddon';
import { buildTrace, simulateKernel } from '../../core/trace/traceBuilder';

const settings: RuntimeSettings = {
  cacheDir: '/fake',
  compiler: 'nvcc',
  cudaHome: '/usr/local/cuda',
  nvccPath: '/usr/local/cuda/bin/nvcc',
  libcudaPath: '',
  cublasLtPath: '',
  kernelsDir: '/fake/kernels',
  jitDebug: false,
  printConfigs: false,
  printCompilerCommand: false,
  ptxasVerbose: false,
  ptxasCheck: false,
  dumpPtx: false,
  dumpSass: false,
  withLineinfo: false,
};

function environment(gpu: boolean): EnvironmentReport {
  return {
    driver: gpu
      ? { ok: true, libcudaPath: '/lib/libcuda.so.1', version: 13000, versionText: '13.0' }
      : { ok: false, code: 'E_NO_DRIVER', message: 'no driver' },
    devices: gpu ? [{ ...device, isHopper: true }] : [],
    toolkit: { nvccPath: '/usr/local/cuda/bin/nvcc', cudaHome: '/usr/local/cuda', version: '13.0', usable: true },
    nvrtc: { available: false },
    cublasLt: { available: false },
    cache: { dir: '/fake', entries: 0, bytes: 0, writable: true },
    addon: { path: '/fake/fp8lab.node', napiVersion: 8 },
    canRunKernels: gpu,
    canCompileKernels: true,
    summary: gpu ? 'H100' : 'study mode: no CUDA driver',
  };
}

/** The fake, plus downloads of whole tensors (zeros) and of the trace buffer (a simulated kernel's records). */
class StudyFake extends FakeAddon {
  traceSpec?: Native.GemmLaunchSpec;
  constructor(
    scenario: Scenario,
    private readonly problem: GemmProblem,
  ) {
    super(scenario);
    const create = this.createGemmLaunch,
      download = this.download,
      fill32 = this.fill32;
    this.fill32 = (dst, pattern, bytes) => {
      this.calls.push(`fill ${pattern} ${bytes}`);
      fill32(dst, pattern, bytes);
    };
    this.createGemmLaunch = (spec) => {
      if (spec.trace) this.traceSpec = spec;
      return create(spec);
    };
    this.download = (src, bytes) => {
      if (bytes === DIFF_WORDS * 8) return download(src, bytes); // the calc_diff words: the base fake's scenario
      const t = this.traceSpec;
      if (t && src === t.trace) {
        this.calls.push('download trace');
        const tiles = Math.ceil(this.problem.m / t.blockM) * Math.ceil(this.problem.n / t.blockN);
        const sim = simulateKernel({
          numCtas: t.numSms,
          numTiles: tiles,
          kBlocks: this.problem.k / 128,
          stages: t.numStages,
          mathWarpgroups: t.numMathWarpgroups as 1 | 2,
          loadNs: 500,
          wgmmaNs: 300,
          promoteNs: 40,
          epilogueNs: 400,
          tileGapNs: 30,
          tilesN: Math.ceil(this.problem.n / t.blockN),
        });
        const out = buildTrace(sim, {
          numCtas: t.numSms,
          capacity: t.traceCapacity!,
          cyclesPerNs: 1.98,
          timerTickNs: 32,
        });
        assert.equal(out.length, bytes, 'the download covers the whole trace buffer');
        return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
      }
      return new ArrayBuffer(bytes ?? 0);
    };
  }
}

const deps = (fake: FakeAddon, gpu = true) => ({
  addon: () => fake as unknown as AddonModule,
  probe: async () => environment(gpu),
});
const problem: GemmProblem = { kind: 'normal', m: 512, n: 1024, k: 1024 };

test('timeline: two builds, a sized and zeroed trace buffer, both kernels timed interleaved, a decodable compact capture', async () => {
  const fake = new StudyFake({}, problem);
  const phases: string[] = [];
  const r = await timeline(
    settings,
    problem,
    { rounds: 5, seed: 9 },
    { progress: (p) => phases.push(p.phase) },
    deps(fake),
  );
  assert.equal(fake.compiled.filter((n) => n.endsWith('_trace')).length, 1);
  assert.equal(fake.compiled.filter((n) => n.startsWith('fp8lab_sm90') && !n.endsWith('_trace')).length, 1);
  const spec = fake.traceSpec!;
  const sizing = traceSizing(problem, r.capture.config);
  assert.equal(spec.traceCapacity, sizing.capacity);
  assert.equal(spec.trace!.bytes, sizing.bytes);
  // The capture: the trace buffer zeroed once, then the instrumented graph replayed back to back
  // (as in the timing), then the buffer downloaded, with nothing launched in between.
  const tail = fake.calls.slice(fake.calls.lastIndexOf(`fill 0 ${sizing.bytes}`));
  assert.deepEqual(
    tail.filter((c) => !c.startsWith('sync')),
    [`fill 0 ${sizing.bytes}`, 'time 1', 'download trace'],
  );
  assert.equal(fake.timeCalls.length, 2);
  assert.deepEqual(
    fake.timeCalls[1].entries,
    [fake.timeCalls[0].entries[1]],
    'the capture replays the timed instrumented rotation',
  );
  assert.deepEqual(fake.timeCalls[1].options, {
    callsPerGraph: fake.timeCalls[0].options.callsPerGraph,
    warmupReplays: 1,
    rounds: CAPTURE_REPLAYS,
  });
  assert.deepEqual(fake.timeCalls[1].pdl.filter(Boolean), []);
  // The timing call: [normal, instrumented], same rotation, same options, no PDL.
  assert.equal(fake.timeCalls[0].entries.length, 2);
  assert.equal(fake.timeCalls[0].entries[0], fake.timeCalls[0].entries[1]);
  assert.deepEqual(fake.timeCalls[0].pdl.filter(Boolean), []);
  assert.equal(fake.timeCalls[0].options.rounds, 5);
  assert.equal(r.timing.plain.medianUs, 10.1);
  assert.equal(r.timing.instrumented.medianUs, 20.1);
  assert.ok(Math.abs(r.timing.overhead - (20.1 / 10.1 - 1)) < 1e-12);
  assert.deepEqual(r.capture.timing, { plainUs: 10.1, instrumentedUs: 20.1, samples: 5 });
  // The capture was compacted to the records written and still decodes to the same events.
  assert.ok(r.capture.capacity <= sizing.capacity);
  const data = decodeCapture(r.capture);
  assert.equal(data.eventsDropped, 0);
  assert.equal(r.summary.eventsRecorded, data.eventsRecorded);
  // The check compares the span with the replays the recording came from (the fake answers 10.1
  // for a first entry), not with the interleaved timing of the instrumented kernel (20.1).
  assert.equal(r.vsMeasured.measuredUs, 10.1);
  assert.equal(r.vsMeasured.captureUs, 10.1);
  assert.equal(r.vsMeasured.plainUs, 10.1, "the normal kernel's time stands beside the check");
  assert.match(r.vsMeasured.compares!, /trace span \/ instrumented per-call time/);
  assert.match(r.vsMeasured.compares!, /in the interleaved timing before them the instrumented kernel took 20\.10 µs/);
  assert.ok(r.accuracy.passed && r.plainAccuracy.passed);
  assert.deepEqual([...new Set(phases)], ['compiling', 'checking', 'timing']);
  assert.equal(fake.live.size, 0, 'every buffer and handle is freed');
});

test('accuracy: per-tensor casts into the SFA/SFB layouts, FP32 and dequantised references, three variants, all freed', async () => {
  const fake = new StudyFake({}, problem);
  const r = await accuracyStudy(settings, problem, { input: 'outliers', seed: 77 }, {}, deps(fake));
  assert.deepEqual(
    r.variants.map((v) => v.variant),
    ['fine', 'perTensor', 'noPromotion'],
  );
  assert.match(r.variants[2].kernelName!, /_nopromote$/);
  assert.equal(r.variants[0].kernelName, r.variants[1].kernelName, 'per-tensor runs the same kernel as the design');
  assert.deepEqual([r.input, r.seed], ['outliers', 77]);
  const fills = fake.launches.filter((l) => l.name === UtilKernel.fillRandom);
  assert.equal(fills.length, 2);
  assert.ok(
    fills.every((l) => (l.args[4] as { u32: number }).u32 === 1),
    'the outliers distribution',
  );
  assert.equal((fills[0].args[3] as { u64: bigint }).u64, (77n << 32n) | 0n);
  const casts = fake.launches.filter((l) => l.name === UtilKernel.castPerTensor);
  assert.equal(casts.length, 2);
  const kBlocks = problem.k / 128;
  assert.equal(
    (casts[0].args[6] as { u32: number }).u32,
    kBlocks * problem.m,
    'the whole SFA layout gets the one scale',
  );
  assert.equal(
    (casts[1].args[6] as { u32: number }).u32,
    (problem.n / 128) * kBlocks,
    'the whole SFB layout gets the one scale',
  );
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.amaxPartials).length, 2);
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.referenceGemmF32).length, 1);
  assert.equal(fake.launches.filter((l) => l.name === UtilKernel.referenceGemm).length, 2);
  for (const v of r.variants) {
    assert.equal(
      v.tiles.tilesM * v.tiles.tilesN,
      Math.ceil(problem.m / r.config.blockM) * Math.ceil(problem.n / r.config.blockN),
    );
    assert.ok(v.vsDequantised && Number.isFinite(v.vsDequantised.calcDiff));
  }
  assert.equal(fake.live.size, 0);
});

test('accuracy: a wrong design result stops the study (E_WRONG_RESULT); bad options and no GPU are refused before compiling', async () => {
  const wrong = new StudyFake({ ours: 'wrong' }, problem);
  await assert.rejects(
    accuracyStudy(settings, problem, { input: 'normal', seed: 1 }, {}, deps(wrong)),
    (e: { code?: string }) => e.code === 'E_WRONG_RESULT',
  );
  assert.equal(wrong.live.size, 0);
  const none = new StudyFake({}, problem);
  await assert.rejects(
    accuracyStudy(settings, problem, { input: 'normal', seed: 1 }, {}, deps(none, false)),
    (e: { code?: string; message?: string }) => e.code === 'E_NO_DEVICE' && /Hopper GPU/.test(e.message ?? ''),
  );
  await assert.rejects(
    timeline(settings, problem, {}, {}, deps(none, false)),
    (e: { code?: string }) => e.code === 'E_NO_DEVICE',
  );
  await assert.rejects(
    accuracyStudy(settings, problem, { input: 'huge' as 'normal', seed: 1 }, {}, deps(none)),
    (e: { code?: string }) => e.code === 'E_BAD_ARGUMENT',
  );
  await assert.rejects(
    timeline(settings, problem, { rounds: 0 }, {}, deps(none)),
    (e: { code?: string }) => e.code === 'E_BAD_ARGUMENT',
  );
  assert.equal(none.compiled.length, 0);
});
