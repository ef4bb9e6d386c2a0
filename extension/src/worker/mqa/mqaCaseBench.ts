// One MQA-logits case on the GPU: inputs by DeepGEMM's recipe (drawn on the device from the seed,
// windows / context lengths / page table from the host draw) -> the FP32 reference -> one launch on
// NaN-poisoned logits -> every element's class and calc_diff -> CUDA-graph timing over rotated
// input sets, interleaved round by round with DeepGEMM on the same case when the run has it.
// Every buffer is freed on the way out.
import type { DeviceBuffer, DeviceInfo, MqaLaunch, MqaLaunchSpec } from '../../../../native/index';
import type { MqaBenchOptions, MqaCase, MqaKernelConfig, MqaPeerResult, MqaResult } from '../../../protocol/mqa';
import type { JobProgress } from '../../../protocol/worker';
import type { MqaHelperProblem } from '../../core/peers/helperProtocol';
import { drawPaged, drawPlain, mqaWork, type PagedDraw, type PlainDraw } from '../../core/mqa/mqaDraws';
import { MQA_PAGE_KEYS, pagedLogitsStride, plainLogitsStride } from '../../core/mqa/mqaRules';
import { mqaCaseLabel } from '../../core/mqa/mqaShapes';
import { MQA_COMPARE_BYTES } from '../../core/mqa/mqaUtilsSource';
import { summarize, tflops } from '../../core/stats';
import type { AddonModule } from '../addon';
import { DeviceScope } from '../bench/buffers';
import { cancelledError, coded, codedData, losesContext } from '../bench/errors';
import { callsPerGraph, estimateUs, rotationPlan } from '../bench/plan';
import { POISON, SYNC_TIMEOUT_MS, WARMUP_REPLAYS } from '../bench/shapeBench';
import { preparePythonPeers, releasePythonPeers, timeRounds, type PythonPeers } from '../peers/pythonPeers';
import type { MqaUtilKernels } from './mqaKernels';

/** calc_diff bound against the FP32 reference of the same FP8 inputs (DeepGEMM's own: 5e-6 via BF16). */
export const MQA_CALC_DIFF_LIMIT = 1e-5;
const ROTATION_MEMORY_FRACTION = 0.3;

export interface MqaCaseContext {
  addon: AddonModule;
  utils: MqaUtilKernels;
  device: DeviceInfo;
  options: MqaBenchOptions;
  progress(phase: JobProgress['phase'], message: string): void;
  cancelled(): boolean;
  python?: PythonPeers;
  numSms: number;
}

export interface CompiledMqa {
  cubinPath: string;
  kernelName: string;
  helperName: string;
}

/**
 * The same case as DeepGEMM's functions take it: the draws we made, so both score the same pairs.
 * Windows are clipped to 0 <= ks <= ke <= seq_kv first (DeepGEMM reads them as unsigned); the pairs
 * they select, and so the -inf pattern, are the same.
 */
export function mqaPeerProblem(c: MqaCase, draw: PlainDraw | PagedDraw): MqaHelperProblem {
  if (c.kind === 'mqa-logits') {
    const d = draw as PlainDraw;
    const ks = [...d.ks].map((x) => Math.min(Math.max(x, 0), c.seqKv));
    const ke = [...d.ke].map((x, i) => Math.min(Math.max(x, ks[i]), c.seqKv));
    return { kind: c.kind, seqQ: c.seqQ, seqKv: c.seqKv, heads: c.heads, dim: c.dim, ks, ke };
  }
  return {
    kind: c.kind,
    batch: c.batch,
    nextN: c.nextN,
    heads: c.heads,
    dim: c.dim,
    contextLens: [...(draw as PagedDraw).contextLens],
  };
}

interface InputSet {
  q: DeviceBuffer;
  weights: DeviceBuffer;
  kv: DeviceBuffer;
  scales?: DeviceBuffer;
}

/** Seed of input set s: set 0 is the case's seed (what the reference checks). */
const setSeed = (seed: number, s: number): bigint => (BigInt(seed) << 16n) ^ BigInt(s);

export async function benchMqaCase(
  ctx: MqaCaseContext,
  c: MqaCase,
  seed: number,
  config: MqaKernelConfig,
  compiled: CompiledMqa,
  result: MqaResult,
): Promise<MqaResult> {
  const { addon, utils, device, options } = ctx;
  const label = mqaCaseLabel(c);
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };
  const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const helper = addon.loadKernel(compiled.cubinPath, compiled.helperName);
  const paged = c.kind === 'paged-mqa-logits';
  const draw = paged ? drawPaged(c, seed) : drawPlain(c, seed);
  result.draw = draw.summary;
  const rows = paged ? c.batch * c.nextN : c.seqQ;
  if (rows > 65535)
    throw coded(
      'E_INVALID_SHAPE',
      `${label}: the FP32 reference runs one CTA row per logits row, at most 65535; got ${rows} rows. Split the queries`,
    );
  const stride = paged
    ? pagedLogitsStride((draw as PagedDraw).tableStride)
    : plainLogitsStride(c.seqKv, options.logitsStride);
  const qBytes = rows * c.heads * c.dim,
    wBytes = rows * c.heads * 4;
  const kvBytes = paged ? (draw as PagedDraw).numBlocks * MQA_PAGE_KEYS * (c.dim + 4) : c.seqKv * c.dim;
  const setBytes = qBytes + wBytes + kvBytes + (paged ? 0 : c.seqKv * 4);

  const scope = new DeviceScope(addon);
  try {
    ctx.progress('checking', `${label}: preparing inputs and the FP32 reference`);
    const plan = options.timing
      ? rotationPlan(setBytes, device.l2CacheBytes, device.totalMemoryBytes * ROTATION_MEMORY_FRACTION)
      : rotationPlan(setBytes, 0, setBytes);
    const sets: InputSet[] = [];
    for (let s = 0; s < plan.sets; s++) {
      const set: InputSet = { q: scope.alloc(qBytes), weights: scope.alloc(wBytes), kv: scope.alloc(kvBytes) };
      utils.queriesAndWeights(set.q, qBytes, set.weights, rows * c.heads, setSeed(options.seed, s) ^ BigInt(seed));
      if (paged) {
        utils.pagedKeys(set.kv, (draw as PagedDraw).numBlocks, c.dim, setSeed(options.seed, s) ^ BigInt(seed));
      } else {
        set.scales = scope.alloc(c.seqKv * 4);
        utils.plainKeys(set.kv, set.scales, c.seqKv, c.dim, setSeed(options.seed, s) ^ BigInt(seed));
      }
      sets.push(set);
    }
    // Shared by every set: the windows or the context lengths and page table, the logits, the schedule.
    const logits = scope.alloc(rows * stride * 4);
    const ref = scope.alloc(rows * stride * 4);
    const scratch = scope.alloc(MQA_COMPARE_BYTES);
    const schedule = scope.alloc((ctx.numSms + 1) * 8);
    let ks: DeviceBuffer | undefined,
      ke: DeviceBuffer | undefined,
      contextLens: DeviceBuffer | undefined,
      blockTable: DeviceBuffer | undefined;
    if (paged) {
      const d = draw as PagedDraw;
      contextLens = scope.alloc(d.contextLens.byteLength);
      blockTable = scope.alloc(d.blockTable.byteLength);
      addon.upload(contextLens, d.contextLens);
      addon.upload(blockTable, d.blockTable);
    } else {
      const d = draw as PlainDraw;
      ks = scope.alloc(d.ks.byteLength);
      ke = scope.alloc(d.ke.byteLength);
      addon.upload(ks, d.ks);
      addon.upload(ke, d.ke);
    }

    // The reference of set 0, on a poisoned buffer: it writes exactly the contract (value / -inf), the rest stays NaN.
    addon.fill32(ref, POISON, rows * stride * 4);
    const s0 = sets[0];
    if (paged) {
      const d = draw as PagedDraw;
      utils.pagedReference(
        { q: s0.q, cache: s0.kv, weights: s0.weights, contextLens: contextLens!, blockTable: blockTable!, out: ref },
        rows,
        d.summary.maxPages ?? 0,
        c.nextN,
        c.heads,
        c.dim,
        d.tableStride,
        stride,
      );
    } else {
      utils.reference(
        { q: s0.q, kv: s0.kv, scales: s0.scales!, weights: s0.weights, ks: ks!, ke: ke!, out: ref },
        c.seqQ,
        c.seqKv,
        c.heads,
        c.dim,
        stride,
      );
    }
    await addon.synchronize(SYNC_TIMEOUT_MS);
    checkpoint();

    const makeLaunches = (pdl: boolean): MqaLaunch[] =>
      sets.map((set) => {
        const spec: MqaLaunchSpec = {
          kernel,
          helper,
          kind: c.kind,
          heads: c.heads,
          dim: c.dim,
          numMathWarpgroups: config.numMathWarpgroups,
          numSms: ctx.numSms,
          sharedBytes: config.sharedBytes,
          strideLogits: stride,
          pdl,
          q: set.q,
          weights: set.weights,
          logits,
          ...(paged
            ? {
                nextN: c.nextN,
                batch: c.batch,
                kvCache: set.kv,
                numKvBlocks: (draw as PagedDraw).numBlocks,
                contextLens,
                blockTable,
                blockTableStride: (draw as PagedDraw).tableStride,
                schedule,
              }
            : { seqQ: c.seqQ, seqKv: (c as { seqKv: number }).seqKv, kv: set.kv, kvScales: set.scales, ks, ke }),
        };
        return scope.adopt(addon.createMqaLaunch(spec));
      });
    let pdl = options.pdl ?? true;

    // Correctness: logits poisoned, one call, every element compared.
    addon.fill32(logits, POISON, rows * stride * 4);
    makeLaunches(pdl)[0].run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const cmp = await utils.compare(logits, ref, rows * stride, scratch, SYNC_TIMEOUT_MS);
    const passed = cmp.classMismatches === 0 && Number.isFinite(cmp.calcDiff) && cmp.calcDiff < MQA_CALC_DIFF_LIMIT;
    result.accuracy = { ...cmp, passed };
    if (!passed) {
      const why = [
        ...(cmp.classMismatches > 0
          ? [`${cmp.classMismatches} elements differ in kind from the reference (value, -inf, or left untouched)`]
          : []),
        ...(!(cmp.calcDiff < MQA_CALC_DIFF_LIMIT)
          ? [`calc_diff ${cmp.calcDiff.toExponential(3)} is not below ${MQA_CALC_DIFF_LIMIT}`]
          : []),
      ];
      result.error = { code: 'E_WRONG_RESULT', message: `${label}: wrong result, not timed: ${why.join('; ')}` };
      return result;
    }
    checkpoint();
    if (!options.timing) return result;

    const work = mqaWork(c, draw);
    const calls = callsPerGraph(estimateUs(work.flops, work.bytes), plan.sets);
    const timing = { callsPerGraph: calls, warmupReplays: WARMUP_REPLAYS, rounds: options.rounds };
    const peers: MqaPeerResult[] = [];
    let python:
      { peers: PythonPeers; prepared: Awaited<ReturnType<typeof preparePythonPeers>>['prepared'] } | undefined;
    if (ctx.python) {
      ctx.progress('peer', `${label}: preparing DeepGEMM on the same case`);
      const prep = await preparePythonPeers(
        ctx.python,
        mqaPeerProblem(c, draw),
        options.seed,
        ctx.numSms,
        ctx.cancelled,
      );
      for (const s of prep.skipped)
        if (s.id === 'deepgemm') peers.push({ id: 'deepgemm', name: s.name, skipped: s.skipped ?? 'not run' });
      python = { peers: ctx.python, prepared: prep.prepared.filter((p) => p.id === 'deepgemm') };
    }
    try {
      checkpoint();
      ctx.progress(
        'timing',
        `${label}: timing ${plan.sets} rotated input set(s)${python?.prepared.length ? ' interleaved with DeepGEMM' : ''}`,
      );
      let timed;
      try {
        timed = await timeRounds(addon, [makeLaunches(pdl)], timing, python, ctx.cancelled);
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED' || !pdl) throw err;
        pdl = false; // a capture that refuses programmatic dependent launch gets plain launches
        timed = await timeRounds(addon, [makeLaunches(false)], timing, python, ctx.cancelled);
      }
      const stats = summarize(timed.perCallUs[0]);
      const mqaTiming = (medianUs: number, minUs: number, maxUs: number, samples: number) => ({
        medianUs,
        minUs,
        maxUs,
        samples,
        tflops: tflops(work.flops, medianUs),
        tbps: work.bytes / (medianUs * 1e-6) / 1e12,
        flops: work.flops,
        bytes: work.bytes,
      });
      result.timing = mqaTiming(stats.medianUs, stats.minUs, stats.maxUs, timed.perCallUs[0].length);
      for (const p of python?.prepared ?? []) {
        const samples = timed.pythonUs.get(p.id);
        if (samples?.length) {
          const s = summarize(samples);
          peers.push({
            id: 'deepgemm',
            name: p.prepared.name,
            accuracy: { calcDiff: p.prepared.accuracy.calcDiff, passed: p.prepared.accuracy.passed },
            timing: { ...mqaTiming(s.medianUs, s.minUs, s.maxUs, samples.length), ratio: s.medianUs / stats.medianUs },
          });
        } else {
          peers.push({
            id: 'deepgemm',
            name: p.prepared.name,
            skipped: timed.dropped.get(p.id) ?? 'no timing came back',
          });
        }
      }
      if (ctx.python) result.peers = peers;
      return result;
    } finally {
      if (python) await releasePythonPeers(python.peers, python.prepared);
    }
  } finally {
    scope.dispose();
  }
}
