// One BF16 GEMM case on the GPU (kind 'bf16', the M-grouped 'bf16-contiguous' / 'bf16-masked', or the
// K-grouped 'bf16-kgrouped'): random FP32 inputs rounded to BF16 -> the FP32 reference of those BF16
// inputs (plus C when accumulating; per group over its valid rows, or per group over its K columns) ->
// one launch on NaN-poisoned D (M-grouped: the rows it must not write checked untouched, the device
// flags read; K-grouped: D_g of an empty group checked bit-identical to C_g) ->
// calc_diff over every element against DeepGEMM's BF16 tolerance (1e-5) -> cuBLASLt's BF16 algorithms
// checked the same way and raced (the fastest kept) -> CUDA-graph timing over rotated input sets,
// interleaved with cuBLASLt's best and DeepGEMM's bf16_gemm_nt when the run has them (caseBench's
// timeWithPeers). Every buffer is freed on the way out.
import { launchWithPdl } from '../../core/launchPolicy';
import type { DeviceBuffer, GemmLaunch } from '../../../../native/index';
import type { GroupedCase, GroupedDraw, GroupedResult } from '../../../protocol/grouped';
import type { CompileReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { defaultOutputBf16, layoutKindOf, outputBytes } from '../../core/bf16/kernelRulesBf16';
import { caseLabel } from '../../core/grouped/cases';
import { kOffsets } from '../../core/grouped/layout';
import { DIFF_WORDS } from '../../core/utilsSource';
import { accuracyProblem, BF16_CALC_DIFF_LIMIT } from '../bench/accuracy';
import { DeviceScope } from '../bench/buffers';
import { cancelledError, codedData, losesContext } from '../bench/errors';
import { callsPerGraph, estimateUs, rotationPlan } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS, WARMUP_REPLAYS } from '../bench/shapeBench';
import { rowRuns, timeWithPeers, type CaseContext, type NativePeer } from './caseBench';
import { bestCublasLt, describeAlgorithm } from '../peers/cublasltBest';
import { at } from './groupedKernels';
import { caseLaunches, loadCaseKernel } from './caseResult';

const ROTATION_MEMORY_FRACTION = 0.4;

/**
 * Rows of A (and of each D plane) and of B, the columns of A and B, and D's planes: contiguous ΣM and
 * G·N; masked G·Mmax and G·N; K-grouped M and N over ΣK_g with G planes of D; one GEMM M, N, K.
 */
export function bf16Rows(
  c: GroupedCase,
  draw: GroupedDraw,
): { rowsA: number; rowsB: number; kTotal: number; dPlanes: number } {
  if (c.kind === 'bf16-contiguous')
    return { rowsA: draw.totalRows ?? 0, rowsB: c.numGroups * c.n, kTotal: c.k, dPlanes: 1 };
  if (c.kind === 'bf16-masked') return { rowsA: c.numGroups * c.m, rowsB: c.numGroups * c.n, kTotal: c.k, dPlanes: 1 };
  if (c.kind === 'bf16-kgrouped') {
    const kTotal = (draw.groupK ?? []).reduce((a, b) => a + b, 0);
    return { rowsA: c.m, rowsB: c.n, kTotal, dPlanes: c.numGroups };
  }
  return { rowsA: c.m, rowsB: c.n, kTotal: c.k, dPlanes: 1 };
}

/** Bytes of one input set: A and B bf16, D (bf16 or fp32; K-grouped one plane per group), C (fp32) when accumulating, the group layout. */
export function bf16CaseBytes(
  c: GroupedCase,
  draw: GroupedDraw = { seed: 0 },
  layoutLength = 0,
): { a: number; b: number; d: number; c: number; layout: number; total: number } {
  const out = c.output ?? defaultOutputBf16(c.kind);
  const { rowsA, rowsB, kTotal, dPlanes } = bf16Rows(c, draw);
  const a = rowsA * kTotal * 2,
    b = rowsB * kTotal * 2,
    d = dPlanes * rowsA * c.n * outputBytes(out);
  const cBytes = out === 'fp32-accumulate' ? d : 0;
  const layout = layoutLength * 4;
  return { a, b, d, c: cBytes, layout, total: a + b + d + cBytes + layout };
}

export async function benchBf16Case(
  ctx: CaseContext,
  c: GroupedCase,
  draw: GroupedDraw,
  layout: Int32Array | undefined,
  problem: GemmProblem,
  config: GemmConfig,
  compiled: CompileReport,
): Promise<GroupedResult> {
  const { addon, device, options } = ctx;
  // The utility kernels (random fill) and the grouped helpers (cast, reference, accuracy, untouched rows).
  const kernels = {
    fillRandom: ctx.utils.fillRandom.bind(ctx.utils),
    castBf16: ctx.grouped.castBf16.bind(ctx.grouped),
    referenceBf16: ctx.grouped.referenceBf16.bind(ctx.grouped),
    accuracy: ctx.grouped.accuracy.bind(ctx.grouped),
    countChanged: ctx.grouped.countChanged.bind(ctx.grouped),
  };
  const label = caseLabel(c);
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };
  const { kernel, result } = loadCaseKernel(addon, c, draw, problem, config, compiled);
  const { m, n } = c;
  const g = c.numGroups;
  const grouped = c.kind !== 'bf16';
  const kGrouped = c.kind === 'bf16-kgrouped';
  const mGrouped = grouped && !kGrouped;
  // k: the columns of A and B (K-grouped: ΣK_g, the groups back to back).
  const { rowsA, rowsB, kTotal: k, dPlanes } = bf16Rows(c, draw);
  const output = c.output ?? defaultOutputBf16(c.kind);
  const fp32 = output !== 'bf16';
  const accumulate = output === 'fp32-accumulate';
  const bytes = bf16CaseBytes(c, draw, layout?.length ?? 0);
  const scope = new DeviceScope(addon);
  try {
    ctx.progress('checking', `${label}: preparing BF16 inputs and the FP32 reference`);
    const plan = options.timing
      ? rotationPlan(bytes.total, device.l2CacheBytes, device.totalMemoryBytes * ROTATION_MEMORY_FRACTION)
      : rotationPlan(bytes.total, 0, bytes.total);
    const scratch = scope.alloc(Math.max(rowsA * k, rowsB * k, 1) * 4);
    const dist = options.distribution ?? 'normal';
    const sets: Array<{
      a: DeviceBuffer;
      b: DeviceBuffer;
      d: DeviceBuffer;
      c?: DeviceBuffer;
      layout?: DeviceBuffer;
      flags?: DeviceBuffer;
    }> = [];
    for (let s = 0; s < plan.sets; s++) {
      const set = {
        a: scope.alloc(bytes.a),
        b: scope.alloc(bytes.b),
        d: scope.alloc(bytes.d),
        ...(accumulate ? { c: scope.alloc(bytes.c) } : {}),
        ...(layout ? { layout: scope.alloc(layout.byteLength) } : {}),
        ...(layout && mGrouped ? { flags: scope.alloc(16) } : {}),
      };
      // Random FP32 (DeepGEMM's generators draw torch.randn), rounded to BF16: the kernel's inputs.
      kernels.fillRandom(scratch, rowsA, k, operandSeed(options.seed, s, 0), dist);
      kernels.castBf16(at(scratch), at(set.a), rowsA * k);
      kernels.fillRandom(scratch, rowsB, k, operandSeed(options.seed, s, 1), dist);
      kernels.castBf16(at(scratch), at(set.b), rowsB * k);
      if (set.c) kernels.fillRandom(set.c, dPlanes * rowsA, n, operandSeed(options.seed, s, 1) ^ 0x5a5a5a5an, 'normal');
      if (set.layout && layout) addon.upload(set.layout, layout);
      if (set.flags) addon.fill32(set.flags, 0, 16);
      sets.push(set);
    }
    // The FP32 reference of set 0: each group's valid rows against its expert's B (one GEMM: all of it;
    // K-grouped: plane g = C_g + A_g·B_gᵀ over group g's K columns, C_g itself for an empty group).
    const ref = scope.alloc(dPlanes * rowsA * n * 4);
    addon.fill32(ref, 0, dPlanes * rowsA * n * 4);
    const s0 = sets[0];
    const runs = grouped
      ? rowRuns({ ...c, kind: layoutKindOf(c.kind) }, draw, { rowsA, dPlanes })
      : { valid: [[0, rowsA, 0] as [number, number, number]], untouched: [] };
    const groupK = draw.groupK ?? [];
    if (kGrouped) {
      const offsets = kOffsets(groupK);
      groupK.forEach((kg, e) => {
        const plane = e * rowsA * n * 4;
        kernels.referenceBf16(
          at(s0.a, offsets[e] * 2),
          at(s0.b, offsets[e] * 2),
          at(s0.c!, plane),
          at(ref, plane),
          rowsA,
          n,
          kg,
          k,
        );
      });
    } else {
      for (const [row, rows, e] of runs.valid) {
        kernels.referenceBf16(
          at(s0.a, row * k * 2),
          at(s0.b, e * n * k * 2),
          s0.c ? at(s0.c, row * n * 4) : undefined,
          at(ref, row * n * 4),
          rows,
          n,
          k,
        );
      }
    }
    const diff = scope.alloc(DIFF_WORDS * 8);
    await addon.synchronize(SYNC_TIMEOUT_MS);
    checkpoint();

    // Accumulating kinds: checked with C apart from D, timed in place (caseLaunches).
    const dims = { kind: c.kind, m: c.kind === 'bf16-masked' ? m : rowsA, n, k, numGroups: g };
    const countDiffering = ctx.grouped.countDiffering.bind(ctx.grouped);
    const makeLaunches = (pdl: boolean, inPlace: boolean): GemmLaunch[] =>
      caseLaunches(
        addon,
        scope,
        kernel,
        dims,
        config,
        sets,
        { pdl, psumLayout: c.psum, ...(fp32 ? { dType: 'fp32' as const } : {}) },
        inPlace,
      );
    const pdl = launchWithPdl(options.pdl ?? true, config.numSms, device.smCount);
    const check0 = makeLaunches(pdl, false)[0];
    addon.fill32(s0.d, POISON, bytes.d);
    check0.run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const elem = outputBytes(output);
    const segments = runs.valid.map(([row, rows]) => ({
      d: at(s0.d, row * n * elem),
      ref: at(ref, row * n * 4),
      count: rows * n,
    }));
    const check = await kernels.accuracy(segments, fp32, diff, SYNC_TIMEOUT_MS, BF16_CALC_DIFF_LIMIT);
    result.accuracy = {
      calcDiff: check.calcDiff,
      maxAbsError: check.maxAbsError,
      maxRelError: check.maxRelError,
      unwritten: check.unwritten,
      passed: check.passed,
    };
    const problems: string[] = [];
    const accText = accuracyProblem(result.accuracy, check.nonFiniteRef, BF16_CALC_DIFF_LIMIT);
    if (accText) problems.push(accText);
    if (kGrouped) {
      // An empty group (K_g = 0) has no tiles: its D plane must still be C_g, bit for bit (the launch
      // copied C into the poisoned D; the kernel must not have touched that plane).
      const planeWords = rowsA * n;
      const emptyRuns = groupK
        .map((kg, e) => ({ kg, e }))
        .filter(({ kg }) => kg === 0)
        .map(({ e }) => ({
          at: at(s0.d, e * planeWords * 4),
          expected: at(s0.c!, e * planeWords * 4),
          words: planeWords,
        }));
      result.untouched = {
        words: emptyRuns.reduce((a, r) => a + r.words, 0),
        changed: await countDiffering(emptyRuns, diff, SYNC_TIMEOUT_MS),
      };
      if (result.untouched.changed > 0)
        problems.push(
          `${result.untouched.changed} of ${result.untouched.words} words of the empty groups' D planes differ from C (they must stay C_g)`,
        );
    } else if (grouped) {
      // Rows the kernel must not write (padding, rows ≥ masked_m) still hold the poison; flags unraised.
      const untouchedRuns = runs.untouched.map(([row, rows]) => ({
        at: at(s0.d, row * n * elem),
        words: (rows * n * elem) / 4,
      }));
      result.untouched = {
        words: untouchedRuns.reduce((a, r) => a + r.words, 0),
        changed: await kernels.countChanged(untouchedRuns, POISON, diff, SYNC_TIMEOUT_MS),
      };
      if (result.untouched.changed > 0)
        problems.push(
          `${result.untouched.changed} of ${result.untouched.words} words of rows the kernel must not write were written`,
        );
      if (s0.flags) result.deviceFlags = new DataView(addon.download(s0.flags, 4)).getUint32(0, true);
    }
    if (problems.length > 0) {
      result.error = { code: 'E_WRONG_RESULT', message: `${label}: wrong result, not timed: ${problems.join('; ')}` };
      return result;
    }
    checkpoint();
    // cuBLASLt's BF16 matmul on the same inputs: every algorithm it lists checked like ours (the
    // favourite only when not timing), the correct ones raced, the fastest timed beside ours.
    let native: NativePeer | undefined;
    if (ctx.cublasLt && !grouped) {
      const name = ctx.cublasLt.name;
      ctx.progress(
        'peer',
        `${label}: checking ${options.timing ? 'and racing ' : ''}${name}'s BF16 algorithms on the same inputs`,
      );
      try {
        const best = await bestCublasLt({
          addon,
          scope,
          sets: options.timing ? sets : sets.slice(0, 1),
          libOptions: ctx.cublasLt.libOptions,
          problem: { m, n, k, dataType: 'bf16', ...(fp32 ? { dType: 'fp32' as const } : {}) },
          check: async (launch) => {
            addon.fill32(s0.d, POISON, bytes.d);
            launch.run();
            await addon.synchronize(SYNC_TIMEOUT_MS);
            const acc = await kernels.accuracy(
              [{ d: at(s0.d), ref: at(ref), count: m * n }],
              fp32,
              diff,
              SYNC_TIMEOUT_MS,
              BF16_CALC_DIFF_LIMIT,
            );
            return { accuracy: acc, problem: accuracyProblem(acc, acc.nonFiniteRef, BF16_CALC_DIFF_LIMIT) };
          },
          timing: {
            callsPerGraph: callsPerGraph(estimateUs(2 * m * n * k, bytes.total), plan.sets),
            warmupReplays: WARMUP_REPLAYS,
          },
          onlyFirst: !options.timing,
        });
        native = {
          name,
          launches: best.launches,
          accuracy: best.accuracy,
          config: describeAlgorithm(best.algorithm, best.correct),
        };
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        native = {
          name,
          skipped: {
            id: 'cublaslt',
            name,
            skipped: `${name} could not run this shape: [${data.code}] ${data.message}`,
          },
        };
      }
    }
    if (!options.timing) {
      if (native)
        result.peers = [
          native.skipped ?? { id: 'cublaslt', name: native.name, accuracy: native.accuracy!, config: native.config! },
        ];
      return result;
    }
    return await timeWithPeers(ctx, c, draw, result, plan.sets, makeLaunches, pdl, native);
  } finally {
    scope.dispose();
  }
}
