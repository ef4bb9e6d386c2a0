// Facts the client publishes: derived from a run / compile report, merged, validated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  BenchRun,
  CompileReport,
  GemmProblem,
  RegisterReport,
  ShapeResult,
} from '../../../../extension/protocol/worker';
import {
  configCost,
  factsFromCompile,
  factsFromRun,
  mergeCompiles,
  validateFacts,
} from '../../../../extension/src/core/facts/derive';
import { completeConfig, sharedMemoryLayout } from '../../../../extension/src/core/kernelRules';
import { gemmKernelSource } from '../../../../extension/src/core/kernelSource';

const namer = (p: GemmProblem, c: Parameters<typeof gemmKernelSource>[1]) => gemmKernelSource(p.kind, c);
const regs = (registers: number): RegisterReport => ({
  registers,
  spillStoresBytes: 0,
  spillLoadsBytes: 0,
  stackFrameBytes: 0,
  staticSharedBytes: 0,
  producerRegisters: 40,
  mathRegisters: 232,
  dynamicSharedBytes: 0,
  occupancyCtasPerSm: 1,
});

function result(problem: GemmProblem, blockM: number, blockN: number, registers: number, timed = false): ShapeResult {
  const config = completeConfig({ blockM, blockN, clusterM: 1, clusterN: 1, numSms: 132 }, problem);
  return {
    problem,
    config,
    registers: regs(registers),
    compile: { cacheHit: false, ms: 1000, cacheKey: 'k' },
    ...(timed
      ? {
          timing: {
            medianUs: 100,
            minUs: 99,
            maxUs: 101,
            spread: 0.01,
            samples: 10,
            tflops: 1000,
            gbps: 100,
            flops: 1,
            bytes: 1,
          },
        }
      : {}),
  };
}

test('configCost: per stage and total from the kernel layout; tiles and waves of the persistent grid', () => {
  const problem: GemmProblem = { kind: 'normal', m: 64, n: 2112, k: 7168 };
  const config = completeConfig({ blockM: 64, blockN: 64, clusterM: 1, clusterN: 1, numSms: 132 }, problem);
  const cost = configCost(problem, config);
  assert.equal(cost.sharedBytesPerStage, 64 * 128 + 64 * 128 + 256);
  assert.equal(cost.sharedBytesTotal, sharedMemoryLayout(config, problem.k).totalBytes);
  assert.equal(cost.tiles, 1 * 33);
  assert.equal(cost.waves, 1);
  assert.equal(cost.lastWaveUtilisation, 33 / 132);
});

test("configCost: each kernel's own stage layout (BF16 without scales, FP8 1D1D with both scale slices)", () => {
  const config = completeConfig({ blockM: 128, blockN: 128, clusterM: 1, clusterN: 1, numSms: 132 }, { k: 4096 });
  const shape = { m: 4096, n: 4096, k: 4096 };
  // BF16: 128 rows x 64 bf16 (128 bytes) of A and of B, nothing else; an fp32 D doubles the staging tile.
  const bf16 = configCost({ kind: 'bf16', ...shape }, { ...config, blockK: 64, sharedBytes: 0 });
  assert.equal(bf16.sharedBytesPerStage, 128 * 128 + 128 * 128);
  assert.equal(bf16.sharedBytesTotal, 128 * 128 * 2 + config.numStages * (2 * 128 * 128 + 16));
  // K-grouped BF16: M x N tiles in each of the groups.
  const kg = configCost({ kind: 'bf16-kgrouped', ...shape, numGroups: 4 }, { ...config, blockK: 64, sharedBytes: 0 });
  assert.equal(kg.tiles, 4 * 32 * 32);
  const fp32 = configCost({ kind: 'bf16', output: 'fp32', ...shape }, { ...config, blockK: 64, sharedBytes: 0 });
  assert.equal(fp32.sharedBytesTotal - bf16.sharedBytesTotal, 128 * 128 * 2);
  // FP8 1D1D (wgrad): A, B and one fp32 scale per row of each, per stage.
  const wgrad = configCost({ kind: 'wgrad', ...shape }, { ...config, sharedBytes: 0 });
  assert.equal(wgrad.sharedBytesPerStage, 128 * 128 + 128 * 128 + 512 + 512);
  // FP8 1D2D: A, B and the A scales.
  assert.equal(configCost({ kind: 'normal', ...shape }, config).sharedBytesPerStage, 128 * 128 * 2 + 512);
});

test('factsFromRun: one config per problem, compiles named by the generated entry, run label', () => {
  const a: GemmProblem = { kind: 'normal', m: 64, n: 7168, k: 2048 };
  const b: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 7168 };
  const run: BenchRun = {
    id: 'r1',
    startedAt: '2026-11-21T05:00:00Z',
    finishedAt: '2026-11-21T05:01:00Z',
    mode: 'gpu',
    device: {
      ordinal: 0,
      name: 'NVIDIA H100 80GB HBM3',
      computeCapability: [9, 0],
      smCount: 132,
      totalMemoryBytes: 0,
      l2CacheBytes: 0,
      maxSharedMemoryPerBlockOptin: 232448,
      clockRateKHz: 0,
      isHopper: true,
    },
    results: [result(a, 64, 128, 154, true), result(b, 128, 128, 168, true)],
  };
  const facts = factsFromRun(run, undefined, namer, new Date('2026-11-21T05:02:00Z'));
  assert.equal(facts.configs.length, 2);
  assert.equal(facts.configs[0].medianUs, 100);
  assert.equal(facts.configs[1].cost.tiles, 32 * 56);
  assert.match(facts.runLabel!, /^run 2026-11-21T05:00:00Z on NVIDIA H100 80GB HBM3$/);
  assert.deepEqual(
    facts.compiles.map((c) => c.registers),
    [154, 168],
  );
  assert.equal(facts.compiles[0].kernelName, gemmKernelSource('normal', run.results[0].config).kernelName);
  assert.ok(facts.compiles[0].functions.includes('sm90_fp8_gemm_1d2d_impl'));
  assert.ok(validateFacts(JSON.parse(JSON.stringify(facts))));

  // a later run replaces the configs but keeps other entries' compiles
  const later = factsFromRun({ ...run, id: 'r2', results: [result(a, 64, 64, 120)] }, facts, namer);
  assert.equal(later.configs.length, 1);
  assert.equal(later.compiles.length, 3);
  assert.match(later.runLabel!, /^run /);
});

test('factsFromCompile replaces the record of the same entry; mergeCompiles keeps newest last', () => {
  const p: GemmProblem = { kind: 'normal', m: 128, n: 4096, k: 7168 };
  const config = completeConfig({ blockM: 128, blockN: 112, clusterM: 2, clusterN: 1, numSms: 132 }, p);
  const { kernelName } = gemmKernelSource('normal', config);
  const report = (r: number): CompileReport => ({
    problem: p,
    config,
    kernelName,
    cacheKey: 'x',
    cacheHit: false,
    compileMs: 1,
    cubinPath: '/c',
    ptxasLog: '',
    registers: regs(r),
    command: [],
  });
  const f1 = factsFromCompile(report(170), undefined, namer);
  const f2 = factsFromCompile(report(166), f1, namer);
  assert.equal(f2.compiles.length, 1);
  assert.equal(f2.compiles[0].registers, 166);
  assert.equal(f2.compiles[0].dynamicSharedBytes, config.sharedBytes);
  assert.deepEqual(
    mergeCompiles([{ ...f2.compiles[0], kernelName: 'x' }], f2.compiles).map((c) => c.kernelName),
    ['x', kernelName],
  );
});

test('validateFacts rejects what is not facts', () => {
  assert.equal(validateFacts(null), null);
  assert.equal(validateFacts({ version: 2, updatedAt: '', configs: [], compiles: [] }), null);
  assert.equal(validateFacts({ version: 1, updatedAt: 'x', configs: [{ problem: {} }], compiles: [] }), null);
  assert.equal(validateFacts({ version: 1, updatedAt: 'x', configs: [], compiles: [{ kernelName: 'k' }] }), null);
  assert.ok(validateFacts({ version: 1, updatedAt: 'x', configs: [], compiles: [] }));
});

test("the hover over a template parameter says where each shape's config came from", async () => {
  const { templateParamMarkdown } = await import('../../../../extension/server/hover/factsHover');
  const { templateParams } = await import('../../../../extension/server/knowledge/templateParams');
  const a: GemmProblem = { kind: 'normal', m: 64, n: 7168, k: 2048 };
  const b: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
  const tuned = {
    ...result(a, 64, 128, 154, true),
    configOrigin: {
      kind: 'tuned' as const,
      text: 'tuned on this GPU on 2026-12-06',
      measuredAt: '2026-12-06T01:00:00Z',
    },
  };
  const run: BenchRun = {
    id: 'r3',
    startedAt: '2026-12-06T02:00:00Z',
    mode: 'gpu',
    options: { timing: true, peer: false, rounds: 5, seed: 0 },
    results: [
      tuned,
      {
        ...result(b, 128, 128, 168, true),
        configOrigin: { kind: 'calibrated', text: 'model calibrated on this GPU on 2026-12-05' },
      },
    ],
  };
  const facts = factsFromRun(run, undefined);
  assert.equal(facts.configs[0].origin, 'tuned on this GPU on 2026-12-06');
  const entry = templateParams.find((e) => e.field === 'numStages')!;
  const md = templateParamMarkdown('kNumStages', entry, facts);
  assert.match(md, /\| 64×7168×2048 normal \| \*\*\d+\*\* \| [^|]* \(tuned on this GPU on 2026-12-06\) \|/);
  assert.match(md, /\(model calibrated on this GPU on 2026-12-05\) \|/);
});
