// One grouped case on the GPU: inputs like DeepGEMM's generators -> FP32 reference per group ->
// one launch on poisoned D -> calc_diff over the valid rows, the rows that must stay untouched, the
// device flags -> CUDA-graph timing over rotated input sets. The compile/check/time machinery is
// the normal bench's (DeviceScope, plan, accuracy verdicts, timeGraphs); what differs per kind is
// the inputs, the reference and the launch. Every buffer is freed on the way out.
import { launchWithPdl } from '../../core/launchPolicy';
import type { DeviceBuffer, DeviceInfo, GemmLaunch, PeerLaunch } from '../../../../native/index';
import type { GroupedBenchOptions, GroupedCase, GroupedDraw, GroupedResult } from '../../../protocol/grouped';
import type {
  Accuracy,
  CompileReport,
  GemmConfig,
  GemmProblem,
  JobProgress,
  PeerResult,
} from '../../../protocol/worker';
import { caseLabel } from '../../core/grouped/cases';
import { kOffsets, tmaAlignedSize } from '../../core/grouped/layout';
import { groupedWork } from '../../core/grouped/metrics';
import type { HelperProblem } from '../../core/peers/helperProtocol';
import { summarize, tflops } from '../../core/stats';
import { DIFF_WORDS, type DistributionName } from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyProblem } from '../bench/accuracy';
import { DeviceScope } from '../bench/buffers';
import { cancelledError, codedData, losesContext } from '../bench/errors';
import { callsPerGraph, estimateUs, rotationPlan } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS, WARMUP_REPLAYS } from '../bench/shapeBench';
import type { UtilKernels } from '../bench/utilKernels';
import { at, type GroupedKernels, type Segment } from './groupedKernels';
import {
  preparePythonPeers,
  releasePythonPeers,
  timeRounds,
  type PreparedPeer,
  type PythonPeers,
} from '../peers/pythonPeers';
import { caseLaunches, loadCaseKernel } from './caseResult';

const ROTATION_MEMORY_FRACTION = 0.4;

export interface CaseContext {
  addon: AddonModule;
  utils: UtilKernels;
  grouped: GroupedKernels;
  device: DeviceInfo;
  options: GroupedBenchOptions & { distribution?: DistributionName };
  progress(phase: JobProgress['phase'], message: string): void;
  cancelled(): boolean;
  /** DeepGEMM through the Python helper, when the run has it. */
  python?: PythonPeers;
  /** cuBLASLt inside the addon, when the run has it (the BF16 GEMM's peer; the grouped kinds have none). */
  cublasLt?: { name: string; libOptions: { path?: string; cudaHome?: string } };
  numSms?: number;
}

/**
 * The same case as DeepGEMM takes it (same group sizes; its own inputs by the same recipe). The
 * weight-gradient GEMM is its 1D1D GEMM (fp8_gemm_nt with per-1x128 scales on both operands, FP32 D
 * accumulated in place); a psum or caller-given layout has no peer.
 */
export function peerProblem(c: GroupedCase, draw: GroupedDraw): HelperProblem | string {
  if (c.psum) return 'DeepGEMM is run on the expert-index layout only, not on psum layouts';
  if (c.layout) return 'DeepGEMM is run on drawn layouts only, not on a caller-given one';
  switch (c.kind) {
    case 'contiguous':
      return { kind: 'contiguous', m: draw.totalRows ?? c.m, n: c.n, k: c.k, groupRows: draw.groupRows ?? [] };
    case 'masked':
      return {
        kind: 'masked',
        m: c.m,
        n: c.n,
        k: c.k,
        maskedM: draw.maskedM ?? [],
        ...(c.expectedM ? { expectedM: c.expectedM } : {}),
      };
    case 'kgrouped': {
      const groupK = draw.groupK ?? [];
      return { kind: 'kgrouped', m: c.m, n: c.n, k: groupK.reduce((a, b) => a + b, 0), groupK };
    }
    case 'wgrad':
      return { kind: 'wgrad', m: c.m, n: c.n, k: c.k };
    case 'bf16-contiguous':
      return { kind: 'bf16-contiguous', m: draw.totalRows ?? c.m, n: c.n, k: c.k, groupRows: draw.groupRows ?? [] };
    case 'bf16-masked':
      return {
        kind: 'bf16-masked',
        m: c.m,
        n: c.n,
        k: c.k,
        maskedM: draw.maskedM ?? [],
        ...(c.expectedM ? { expectedM: c.expectedM } : {}),
      };
    case 'bf16-kgrouped': {
      // DeepGEMM's sm90 form (k_grouped_bf16_gemm_tn_contiguous) takes K_g in multiples of its K alignment, 128.
      const groupK = draw.groupK ?? [];
      const odd = groupK.findIndex((k) => k % DEEPGEMM_SM90_K_ALIGNMENT !== 0);
      if (odd >= 0)
        return `DeepGEMM's sm90 K-grouped BF16 GEMM needs every K_g to be a multiple of ${DEEPGEMM_SM90_K_ALIGNMENT}; group ${odd} has ${groupK[odd]}`;
      return { kind: 'bf16-kgrouped', m: c.m, n: c.n, k: groupK.reduce((a, b) => a + b, 0), groupK };
    }
    case 'bf16':
      return { kind: 'bf16', m: c.m, n: c.n, k: c.k, ...(c.output && c.output !== 'bf16' ? { output: c.output } : {}) };
  }
}

/** DeepGEMM's K alignment of its K-grouped GEMMs on sm90 (get_mk_alignment_for_contiguous_layout). */
export const DEEPGEMM_SM90_K_ALIGNMENT = 128;

/** Geometry of one drawn case: rows of each operand, scale strides, byte sizes of one input set. */
export interface CaseGeometry {
  fp32Out: boolean;
  rowsA: number; // contiguous ΣM, masked G·Mmax, kgrouped/wgrad M
  rowsB: number; // M-grouped G·N, else N
  kTotal: number; // kgrouped ΣK_g, else K
  kBlocks: number;
  sfaStride: number;
  sfbStride: number; // 1D1D: TMA-aligned N (MN-major); 1D2D: K blocks of one block row
  dPlanes: number; // kgrouped G, else 1
  bytes: { a: number; b: number; sfa: number; sfb: number; d: number; c: number; layout: number; total: number };
}

export function caseGeometry(c: GroupedCase, draw: GroupedDraw, layoutLength: number): CaseGeometry {
  const fp32Out = c.kind === 'wgrad' || c.kind === 'kgrouped';
  const g = c.numGroups;
  const rowsA = c.kind === 'contiguous' ? (draw.totalRows ?? 0) : c.kind === 'masked' ? g * c.m : c.m;
  const rowsB = c.kind === 'contiguous' || c.kind === 'masked' ? g * c.n : c.n;
  const kTotal = c.kind === 'kgrouped' ? (draw.groupK ?? []).reduce((a, b) => a + b, 0) : c.k;
  const kBlocks = kTotal / 128;
  const sfaStride = tmaAlignedSize(rowsA, 4);
  const sfbStride = fp32Out ? tmaAlignedSize(c.n, 4) : kBlocks;
  const dPlanes = c.kind === 'kgrouped' ? g : 1;
  const a = rowsA * kTotal,
    b = rowsB * kTotal,
    sfa = kBlocks * sfaStride * 4;
  const sfb = fp32Out ? kBlocks * sfbStride * 4 : g * Math.ceil(c.n / 128) * kBlocks * 4;
  const d = dPlanes * rowsA * c.n * (fp32Out ? 4 : 2);
  const cBytes = fp32Out ? d : 0;
  const layout = layoutLength * 4;
  return {
    fp32Out,
    rowsA,
    rowsB,
    kTotal,
    kBlocks,
    sfaStride,
    sfbStride,
    dPlanes,
    bytes: { a, b, sfa, sfb, d, c: cBytes, layout, total: a + b + sfa + sfb + d + cBytes + layout },
  };
}

interface InputSet {
  a: DeviceBuffer;
  b: DeviceBuffer;
  sfa: DeviceBuffer;
  sfb: DeviceBuffer;
  d: DeviceBuffer;
  c?: DeviceBuffer;
  layout?: DeviceBuffer;
  flags?: DeviceBuffer;
}

/** The valid rows of D per group (segments compared with the reference) and the rows that must stay poisoned. */
export function rowRuns(
  c: GroupedCase,
  draw: GroupedDraw,
  geo: Pick<CaseGeometry, 'rowsA' | 'dPlanes'>,
): { valid: Array<[row: number, rows: number, group: number]>; untouched: Array<[row: number, rows: number]> } {
  const valid: Array<[number, number, number]> = [];
  const untouched: Array<[number, number]> = [];
  if (c.kind === 'contiguous') {
    const starts = draw.groupStart ?? [];
    const rows = draw.groupRows ?? [];
    let covered = 0; // rows before `covered` are accounted for
    const order = rows.map((_, g) => g).sort((x, y) => starts[x] - starts[y]);
    for (const g of order) {
      if (starts[g] > covered) untouched.push([covered, starts[g] - covered]);
      valid.push([starts[g], rows[g], g]);
      covered = Math.max(covered, starts[g] + rows[g]);
    }
    if (geo.rowsA > covered) untouched.push([covered, geo.rowsA - covered]);
  } else if (c.kind === 'masked') {
    (draw.maskedM ?? []).forEach((mm, g) => {
      const rows = Math.max(0, Math.min(mm, c.m));
      valid.push([g * c.m, rows, g]);
      untouched.push([g * c.m + rows, c.m - rows]);
    });
  } else {
    valid.push([0, geo.dPlanes * geo.rowsA, 0]);
  }
  return { valid, untouched };
}

export async function benchCase(
  ctx: CaseContext,
  c: GroupedCase,
  draw: GroupedDraw,
  layout: Int32Array | undefined,
  problem: GemmProblem,
  config: GemmConfig,
  compiled: CompileReport,
): Promise<GroupedResult> {
  const { addon, utils, grouped, device, options } = ctx;
  const label = caseLabel(c);
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };
  const { kernel, result } = loadCaseKernel(addon, c, draw, problem, config, compiled);

  const geo = caseGeometry(c, draw, layout?.length ?? 0);
  const { n } = c;
  const g = c.numGroups;
  const scope = new DeviceScope(addon);
  try {
    ctx.progress('checking', `${label}: preparing inputs and the FP32 reference`);
    const plan = options.timing
      ? rotationPlan(geo.bytes.total, device.l2CacheBytes, device.totalMemoryBytes * ROTATION_MEMORY_FRACTION)
      : rotationPlan(geo.bytes.total, 0, geo.bytes.total);
    const scratch = scope.alloc(
      Math.max(geo.rowsA * geo.kTotal, geo.rowsB * geo.kTotal, geo.fp32Out ? geo.dPlanes * geo.rowsA * n : 0) * 4,
    );
    const dist = options.distribution ?? 'normal';
    const sets: InputSet[] = [];
    for (let s = 0; s < plan.sets; s++) {
      const set: InputSet = {
        a: scope.alloc(geo.bytes.a),
        b: scope.alloc(geo.bytes.b),
        sfa: scope.alloc(geo.bytes.sfa),
        sfb: scope.alloc(geo.bytes.sfb),
        d: scope.alloc(geo.bytes.d),
      };
      // A: per token (1x128) in every kind.
      utils.fillRandom(scratch, geo.rowsA, geo.kTotal, operandSeed(options.seed, s, 0), dist);
      grouped.castPerToken(at(scratch), at(set.a), at(set.sfa), geo.rowsA, geo.kTotal, geo.sfaStride);
      utils.fillRandom(scratch, geo.rowsB, geo.kTotal, operandSeed(options.seed, s, 1), dist);
      if (geo.fp32Out) {
        // 1D1D: B per 1x128 too, MN-major like SFA (what the 1D1D kernel's tma_sfb reads).
        grouped.castPerToken(at(scratch), at(set.b), at(set.sfb), geo.rowsB, geo.kTotal, geo.sfbStride);
      } else {
        // 1D2D: B per 128x128 block, one expert at a time so no block straddles two experts.
        const sfbPerGroup = Math.ceil(n / 128) * geo.kBlocks * 4;
        for (let e = 0; e < g; e++) {
          grouped.castPerBlock(
            at(scratch, e * n * geo.kTotal * 4),
            at(set.b, e * n * geo.kTotal),
            at(set.sfb, e * sfbPerGroup),
            n,
            geo.kTotal,
          );
        }
      }
      if (geo.fp32Out) {
        set.c = scope.alloc(geo.bytes.c);
        // C: random FP32 (a distinct operand stream per set).
        utils.fillRandom(set.c, geo.dPlanes * geo.rowsA, n, operandSeed(options.seed, s, 1) ^ 0x5a5a5a5an, 'normal');
      }
      if (layout) {
        set.layout = scope.alloc(layout.byteLength);
        addon.upload(set.layout, layout);
      }
      if (c.kind === 'contiguous' || c.kind === 'masked') {
        set.flags = scope.alloc(16);
        addon.fill32(set.flags, 0, 16);
      }
      sets.push(set);
    }

    // The FP32 reference of set 0, one group at a time, over the valid rows only.
    const refElems = geo.dPlanes * geo.rowsA * n;
    const ref = scope.alloc(refElems * 4);
    addon.fill32(ref, 0, refElems * 4);
    const s0 = sets[0];
    const runs = rowRuns(c, draw, geo);
    if (c.kind === 'contiguous' || c.kind === 'masked') {
      const sfbPerGroup = Math.ceil(n / 128) * geo.kBlocks * 4;
      runs.valid.forEach(([row, rows, e]) => {
        grouped.reference(
          { data: at(s0.a, row * c.k), ld: c.k, sf: at(s0.sfa, row * 4), sfStride: geo.sfaStride },
          { data: at(s0.b, e * n * c.k), ld: c.k, sf: at(s0.sfb, e * sfbPerGroup), sfStride: geo.kBlocks },
          false,
          0,
          undefined,
          at(ref, row * n * 4),
          rows,
          n,
          c.k,
        );
      });
    } else {
      const groupK = c.kind === 'kgrouped' ? (draw.groupK ?? []) : [c.k];
      const offsets = kOffsets(groupK);
      groupK.forEach((kg, e) => {
        const plane = e * geo.rowsA * n * 4;
        // K_g = 0: the reference is C_g itself (the kernel leaves D_g = C_g).
        grouped.reference(
          { data: at(s0.a, offsets[e]), ld: geo.kTotal, sf: at(s0.sfa), sfStride: geo.sfaStride },
          { data: at(s0.b, offsets[e]), ld: geo.kTotal, sf: at(s0.sfb), sfStride: geo.sfbStride },
          true,
          offsets[e] / 128,
          at(s0.c!, plane),
          at(ref, plane),
          geo.rowsA,
          n,
          kg,
        );
      });
    }
    const diff = scope.alloc(DIFF_WORDS * 8);
    await addon.synchronize(SYNC_TIMEOUT_MS);
    checkpoint();

    // Accumulating kinds: checked with C apart from D, timed in place (caseLaunches).
    const dims = { kind: problem.kind, m: c.kind === 'masked' ? c.m : geo.rowsA, n, k: geo.kTotal, numGroups: g };
    const makeLaunches = (pdl: boolean, inPlace: boolean): GemmLaunch[] =>
      caseLaunches(addon, scope, kernel, dims, config, sets, { pdl, psumLayout: c.psum }, inPlace);
    const pdl = launchWithPdl(options.pdl ?? true, config.numSms, device.smCount);
    const check0 = makeLaunches(pdl, false)[0];

    // Correctness: D poisoned (the 1D1D launch first copies C into D), one launch, then the checks.
    addon.fill32(s0.d, POISON, geo.bytes.d);
    check0.run();
    await addon.synchronize(SYNC_TIMEOUT_MS);
    const elem = geo.fp32Out ? 4 : 2;
    const segments: Segment[] = runs.valid.map(([row, rows]) => ({
      d: at(s0.d, row * n * elem),
      ref: at(ref, row * n * 4),
      count: rows * n,
    }));
    const check = await grouped.accuracy(segments, geo.fp32Out, diff, SYNC_TIMEOUT_MS);
    result.accuracy = {
      calcDiff: check.calcDiff,
      maxAbsError: check.maxAbsError,
      maxRelError: check.maxRelError,
      unwritten: check.unwritten,
      passed: check.passed,
    };
    const untouchedRuns = runs.untouched.map(([row, rows]) => ({
      at: at(s0.d, row * n * elem),
      words: (rows * n * elem) / 4,
    }));
    const words = untouchedRuns.reduce((a, r) => a + r.words, 0);
    if (words > 0 || c.kind === 'contiguous' || c.kind === 'masked') {
      result.untouched = { words, changed: await grouped.countChanged(untouchedRuns, POISON, diff, SYNC_TIMEOUT_MS) };
    }
    if (s0.flags) result.deviceFlags = new DataView(addon.download(s0.flags, 4)).getUint32(0, true);

    const problems: string[] = [];
    const accText = accuracyProblem(result.accuracy, check.nonFiniteRef);
    if (accText) problems.push(accText);
    if (result.untouched && result.untouched.changed > 0) {
      problems.push(
        `${result.untouched.changed} of ${result.untouched.words} words of rows the kernel must not write (${c.kind === 'masked' ? 'rows ≥ masked_m' : 'padding rows'}) were written`,
      );
    }
    if (problems.length > 0) {
      result.error = { code: 'E_WRONG_RESULT', message: `${label}: wrong result, not timed: ${problems.join('; ')}` };
      return result;
    }
    checkpoint();
    if (!options.timing) return result;

    return await timeWithPeers(ctx, c, draw, result, plan.sets, makeLaunches, pdl);
  } finally {
    scope.dispose();
  }
}

/** A peer that runs inside the addon (cuBLASLt) beside ours: its rotation of launches, or why it has none. */
export interface NativePeer {
  name: string;
  launches?: PeerLaunch[];
  accuracy?: Accuracy;
  config?: string;
  skipped?: PeerResult;
}

/**
 * The timing half of a case, shared by every kind: CUDA-graph replays of our launches over the
 * rotated sets (in place: `makeLaunches(pdl, true)`), interleaved round by round with DeepGEMM on the
 * same case when the run has it; a capture that refuses programmatic dependent launch is retried
 * with plain launches. Fills result.timing and result.peers.
 */
export async function timeWithPeers(
  ctx: CaseContext,
  c: GroupedCase,
  draw: GroupedDraw,
  result: GroupedResult,
  sets: number,
  makeLaunches: (pdl: boolean, inPlace: boolean) => GemmLaunch[],
  pdlWanted: boolean,
  native?: NativePeer,
): Promise<GroupedResult> {
  const { addon, options } = ctx;
  const label = caseLabel(c);
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };
  let pdl = pdlWanted;
  const work = groupedWork(c, draw);
  const calls = callsPerGraph(estimateUs(work.flops, work.bytes), sets);
  const timing = { callsPerGraph: calls, warmupReplays: WARMUP_REPLAYS, rounds: options.rounds };
  const peerResults: PeerResult[] = [...(native?.skipped ? [native.skipped] : [])];
  let cublas = native?.launches ? native : undefined;
  let python: { peers: PythonPeers; prepared: PreparedPeer[] } | undefined;
  if (ctx.python) {
    const spec = peerProblem(c, draw);
    if (typeof spec === 'string') {
      peerResults.push({ id: 'deepgemm', name: 'DeepGEMM', skipped: spec });
    } else {
      ctx.progress('peer', `${label}: preparing DeepGEMM on the same case`);
      const prep = await preparePythonPeers(ctx.python, spec, options.seed, ctx.numSms, ctx.cancelled);
      peerResults.push(...prep.skipped);
      python = { peers: ctx.python, prepared: prep.prepared };
    }
  }
  try {
    checkpoint();
    ctx.progress(
      'timing',
      `${label}: timing ${sets} rotated input set(s)${python?.prepared.length ? ' interleaved with DeepGEMM' : ''}`,
    );
    let ours = makeLaunches(pdl, true);
    let timed: Awaited<ReturnType<typeof timeRounds>> | undefined;
    // Fallbacks: a native peer that cannot be captured into a graph loses its column, not our
    // figure; a capture that refuses programmatic dependent launch gets plain launches.
    for (let attempt = 0; attempt < 3 && !timed; attempt++) {
      try {
        timed = await timeRounds(
          addon,
          cublas?.launches ? [ours, cublas.launches] : [ours],
          timing,
          python,
          ctx.cancelled,
        );
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED') throw err;
        if (cublas) {
          peerResults.push({
            id: 'cublaslt',
            name: cublas.name,
            skipped: `${cublas.name} could not be timed in a CUDA graph: [${data.code}] ${data.message}`,
          });
          cublas = undefined;
        } else if (pdl) {
          pdl = false;
          ours = makeLaunches(false, true);
        } else {
          throw err;
        }
      }
    }
    if (!timed) throw new Error('timing did not complete');
    const stats = summarize(timed.perCallUs[0]);
    result.timing = {
      ...stats,
      tflops: tflops(work.flops, stats.medianUs),
      tbps: work.bytes / (stats.medianUs * 1e-6) / 1e12,
      flops: work.flops,
      bytes: work.bytes,
      flopsOver: work.flopsOver,
      roundsUs: timed.perCallUs[0],
    };
    if (cublas?.launches) {
      const samples = timed.perCallUs[1];
      const s = summarize(samples);
      peerResults.unshift({
        id: 'cublaslt',
        name: cublas.name,
        accuracy: cublas.accuracy!,
        config: cublas.config!,
        timing: { ...s, tflops: tflops(work.flops, s.medianUs), ratio: s.medianUs / stats.medianUs, roundsUs: samples },
      });
    }
    for (const p of python?.prepared ?? []) {
      const samples = timed.pythonUs.get(p.id);
      if (samples?.length) {
        const s = summarize(samples);
        peerResults.push({
          id: p.id,
          name: p.prepared.name,
          accuracy: p.prepared.accuracy,
          timing: {
            ...s,
            tflops: tflops(work.flops, s.medianUs),
            ratio: s.medianUs / stats.medianUs,
            roundsUs: samples,
          },
          ...(p.prepared.config ? { config: p.prepared.config } : {}),
        });
      } else {
        peerResults.push({
          id: p.id,
          name: p.prepared.name,
          accuracy: p.prepared.accuracy,
          skipped: timed.dropped.get(p.id) ?? 'no timing came back',
        });
      }
    }
    if (ctx.python || native) result.peers = peerResults;
    return result;
  } finally {
    if (python) await releasePythonPeers(python.peers, python.prepared);
  }
}
