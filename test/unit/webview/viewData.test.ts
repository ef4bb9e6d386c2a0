import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseShapeList, whyCannotRun } from '../../../extension/src/core/benchChoices';
import { registersFromCandidates, registersFromRun } from '../../../extension/src/core/registerEntries';
import { parseShape } from '../../../extension/src/core/shapes';
import {
  candidateData,
  chosenIndex,
  peerRatioData,
  rooflineData,
  runSeries,
  identicalConfigs,
  tflopsData,
} from '../../../webview/src/charts/data';
import type { ConfigReport, EnvironmentReport } from '../../../extension/protocol/worker';
import { config, makePeersRun, makeRun, registers } from './runData';

describe('chart data from a run', () => {
  it('takes TFLOPS and peer TFLOPS as measured, leaves missing ones missing', () => {
    const run = makeRun();
    const d = tflopsData(run);
    assert.equal(d.length, 3);
    assert.equal(d[0].values.ours, run.results[0].timing!.tflops);
    assert.equal(
      d[0].values.cublaslt,
      (run.results[0].peer as { tflops: number }).tflops,
      "a legacy run's cuBLASLt column is the cuBLASLt series",
    );
    assert.equal(d[1].values.ours, undefined);
    assert.equal(d[1].values.cublaslt, undefined, 'a skipped peer has no bar');
  });
  it('gives every peer of the run a series and a ratio per shape with both spreads', () => {
    const run = makePeersRun();
    assert.deepEqual(
      runSeries(run).map((s) => s.id),
      ['ours', 'cublaslt', 'deepgemm', 'torch'],
    );
    const d = tflopsData(run);
    assert.equal(d[0].values.deepgemm, run.results[0].peers![1].timing!.tflops);
    const r = peerRatioData(run);
    assert.equal(r[0].points.deepgemm?.ratio, 0.9);
    assert.equal(r[0].points.deepgemm?.spread, run.results[0].timing!.spread + run.results[0].peers![1].timing!.spread);
    assert.deepEqual(r[1].points, {}, 'skipped peers have no ratio');
  });
  it('places only timed shapes on the roofline, at flops/bytes', () => {
    const run = makeRun();
    const r = rooflineData(run);
    assert.equal(r.points.length, 1);
    assert.equal(r.points[0].intensity, run.results[0].timing!.flops / run.results[0].timing!.bytes);
    assert.equal(r.ceilings, run.ceilings);
  });
});

const report: ConfigReport = {
  problem: { kind: 'normal', m: 64, n: 2112, k: 7168 },
  chosen: { ...config },
  why: 'test',
  candidates: [
    { config: { ...config, blockN: 64 }, predicted: { cycles: 1, us: 9 }, tiles: 1, waves: 1, lastWaveUtilisation: 1 },
    {
      config: { ...config, blockN: 256 },
      rejected: { rule: 'smem', reason: 'too big' },
      tiles: 1,
      waves: 1,
      lastWaveUtilisation: 1,
    },
    // Same config as chosen but keys in another order: still the chosen one.
    {
      config: Object.fromEntries(Object.entries(config).reverse()) as typeof config,
      predicted: { cycles: 1, us: 7 },
      tiles: 1,
      waves: 1,
      lastWaveUtilisation: 1,
    },
  ],
};

describe('explorer data', () => {
  it('finds the chosen candidate by value, not by key order', () => {
    assert.equal(chosenIndex(report.candidates, report.chosen), 2);
    assert.ok(identicalConfigs(report.candidates[2].config, config));
    assert.ok(!identicalConfigs(report.candidates[0].config, config));
  });
  it('plots legal candidates only, with measured times where timed', () => {
    const run = makeRun();
    const pts = candidateData(report.candidates, 2, [{ index: 0, timing: run.results[0] }]);
    assert.deepEqual(
      pts.map((p) => p.index),
      [0, 2],
    );
    assert.equal(pts[0].measuredUs, 20);
    assert.equal(pts[1].measuredUs, undefined);
    assert.equal(pts[1].chosen, true);
  });
  it('register entries come only from compiled candidates', () => {
    const compile = {
      problem: report.problem,
      config,
      kernelName: 'k',
      cacheKey: 'x',
      cacheHit: false,
      compileMs: 1,
      cubinPath: '/x',
      ptxasLog: '',
      registers,
      command: [],
    };
    const snap = registersFromCandidates(report, [{ index: 2, compile }, { index: 0 }], [0, 2]);
    assert.equal(snap.entries.length, 1);
    assert.equal(snap.entries[0].chosen, true);
    assert.equal(snap.entries[0].registers.registers, 168);
  });
});

describe('register entries from a run', () => {
  it('all rows with a register report, or the picked ones', () => {
    const run = makeRun();
    assert.equal(registersFromRun(run, []).entries.length, 3);
    const one = registersFromRun(run, [1]);
    assert.equal(one.entries.length, 1);
    assert.equal(one.entries[0].registers.spillStoresBytes, 8);
    assert.match(one.title, /128x24576x1536/);
    const noRegs = { ...run, results: [{ ...run.results[0], registers: undefined }] };
    assert.equal(registersFromRun(noRegs, []).entries.length, 0);
  });
});

describe('custom shape input', () => {
  it('accepts one or several shapes', () => {
    const one = parseShapeList('64,2112,7168');
    assert.ok(one.ok && one.problems.length === 1 && one.problems[0].k === 7168);
    const two = parseShapeList('64x2112x7168; 4096 7168 2048');
    assert.ok(two.ok && two.problems.length === 2 && two.problems[1].m === 4096);
  });
  it("gives the runtime parser's own message, numbered when there are several", () => {
    const bad = parseShape('64,2112,7000');
    assert.ok(!bad.ok);
    const one = parseShapeList('64,2112,7000');
    assert.ok(!one.ok && one.message === (bad.ok ? '' : bad.message));
    const two = parseShapeList('64,2112,7168;64,2112,7000');
    assert.ok(!two.ok && two.message === `shape 2: ${bad.ok ? '' : bad.message}`);
    assert.ok(!parseShapeList('').ok);
  });
});

describe('why kernels cannot run', () => {
  const base: EnvironmentReport = {
    driver: { ok: false, code: 'E_NO_DRIVER', message: 'libcuda.so.1 not found' },
    devices: [],
    toolkit: { nvccPath: '/usr/local/cuda/bin/nvcc', cudaHome: '/usr/local/cuda', version: '13.0', usable: true },
    nvrtc: { available: false },
    cublasLt: { available: false },
    cache: { dir: '/c', entries: 0, bytes: 0, writable: true },
    addon: { path: '/a', napiVersion: 8 },
    canRunKernels: false,
    canCompileKernels: true,
    summary: 'No GPU driver: study mode',
  };
  const dev = {
    ordinal: 0,
    name: 'NVIDIA A100',
    computeCapability: [8, 0] as [number, number],
    smCount: 108,
    totalMemoryBytes: 1,
    l2CacheBytes: 1,
    maxSharedMemoryPerBlockOptin: 1,
    clockRateKHz: 1,
    isHopper: false,
  };
  it('names the first missing piece', () => {
    assert.equal(whyCannotRun(base), 'no usable CUDA driver (E_NO_DRIVER: libcuda.so.1 not found)');
    assert.equal(
      whyCannotRun({
        ...base,
        driver: {
          ok: false,
          code: 'E_NO_DRIVER',
          message: 'libcuda.so.1 could not be loaded; tried: /a: no such file\n/b',
        },
      }),
      'no usable CUDA driver (E_NO_DRIVER: libcuda.so.1 could not be loaded)',
    );
    const drv = { ...base, driver: { ok: true as const, libcudaPath: '/l', version: 13000, versionText: '13.0' } };
    assert.match(whyCannotRun(drv), /reports no GPU/);
    assert.match(whyCannotRun({ ...drv, devices: [dev] }), /no Hopper GPU \(found NVIDIA A100 sm_80/);
    assert.match(
      whyCannotRun({
        ...drv,
        devices: [{ ...dev, isHopper: true }],
        toolkit: { ...base.toolkit, usable: false, problem: 'nvcc 12.1 is too old' },
      }),
      /too old/,
    );
  });
});
