// The pipeline timeline of one shape: the instrumented build (FP8LAB_TRACE=1) is replayed
// back to back, as when timed, into a trace buffer sized so the whole kernel fits, and the last
// launch's records are kept; its output is checked like any benchmark run, the buffer comes back raw (TraceCapture, decoded by core/trace), and the normal and
// the instrumented kernels are timed on the same path, interleaved, so the instrumentation's own
// cost is shown next to the trace. The FP8 GEMM's inputs are built here, the BF16 GEMM's in
// timelineBf16.ts; recordTimeline does the rest for both.
import type { DeviceBuffer, GemmLaunch } from '../../../../native/index';
import type { TraceCapture } from '../../../protocol/trace';
import { TRACE_FORMAT_VERSION } from '../../../protocol/trace';
import type { Accuracy, GemmProblem, RuntimeSettings, TimelineOptions, TimelineRun } from '../../../protocol/worker';
import { decodeCapture, summarizeTrace, traceVsMeasured } from '../../core/trace';
import { compactTrace } from '../../core/studies/traceCompact';
import { traceSizing } from '../../core/studies/traceSizing';
import { gemmBytes, gemmFlops, summarize } from '../../core/stats';
import { DIFF_WORDS } from '../../core/utilsSource';
import { accuracyProblem } from '../bench/accuracy';
import { DeviceScope } from '../bench/buffers';
import { compileGemm } from '../bench/compileGemm';
import { coded } from '../bench/errors';
import { callsPerGraph, estimateUs, rotationPlan, setSizes } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS, WARMUP_REPLAYS } from '../bench/shapeBench';
import type { AccuracyCheck } from '../bench/utilKernels';
import {
  defaultStudyDeps,
  gemmSpec,
  runStudy,
  type OperandSet,
  type Study,
  type StudyDeps,
  type StudyHooks,
} from './studyDevice';
import { gemmLaunchSpec, normalDims } from '../bench/launchSpec';
import { bf16TimelineInputs } from './timelineBf16';

export const DEFAULT_TIMELINE_ROUNDS = 10;
/** Timed replays of the instrumented graph whose last launch is the one recorded. */
export const CAPTURE_REPLAYS = 3;
/** The rotation may use at most this fraction of device memory (as the benchmark's). */
const ROTATION_MEMORY_FRACTION = 0.4;

export function checkTimelineOptions(o: TimelineOptions | undefined): Required<TimelineOptions> {
  const rounds = o?.rounds ?? DEFAULT_TIMELINE_ROUNDS;
  const seed = o?.seed ?? 0;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000)
    throw coded('E_BAD_ARGUMENT', `timeline rounds must be a whole number from 1 to 1000; got ${rounds}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw coded('E_BAD_ARGUMENT', `seed must be a whole number from 0 to 4294967295; got ${seed}`);
  return { rounds, seed };
}

export async function timeline(
  settings: RuntimeSettings,
  problem: GemmProblem,
  options: TimelineOptions = {},
  hooks: StudyHooks = {},
  deps: StudyDeps = defaultStudyDeps,
): Promise<TimelineRun> {
  const opts = checkTimelineOptions(options);
  return runStudy(
    settings,
    problem,
    'pipeline timeline',
    hooks,
    deps,
    async (s) => {
      const { addon, config, utils } = s;
      const p = s.problem;
      const { m, n, k } = p;
      const label = `${m}x${n}x${k}`;

      s.progress('compiling', `${label}: compiling the normal and the instrumented kernel`);
      const [plain, traced] = await Promise.all([
        compileGemm(addon, settings, p, config, s.log),
        compileGemm(addon, settings, p, config, s.log, { trace: true }),
      ]);
      s.checkpoint();
      const plainKernel = addon.loadKernel(plain.cubinPath, plain.kernelName);
      const tracedKernel = addon.loadKernel(traced.cubinPath, traced.kernelName);

      const sizing = traceSizing(p, config);
      if (sizing.capped)
        s.log(
          'warn',
          `${label}: the trace buffer is capped at ${sizing.bytes} bytes (${sizing.capacity} of ${sizing.needed} records per slice): late events are dropped and counted`,
        );

      const scope = new DeviceScope(addon);
      try {
        s.progress('checking', `${label}: preparing inputs and the FP32 reference`);
        const trace = scope.alloc(sizing.bytes);
        if (p.kind === 'bf16') {
          // The BF16 GEMM: its own inputs (bf16, no scales), FP32 reference and tolerance; the recording as the FP8 one.
          const inputs = await bf16TimelineInputs(
            s,
            settings,
            scope,
            plainKernel,
            tracedKernel,
            trace,
            sizing.capacity,
            opts.seed,
          );
          return await recordTimeline(s, inputs, trace, sizing, traced.kernelName, opts.rounds);
        }
        const sizes = setSizes(m, n, k);
        const plan = rotationPlan(sizes.total, s.info.l2CacheBytes, s.info.totalMemoryBytes * ROTATION_MEMORY_FRACTION);
        const scratch = scope.alloc(Math.max(m, n) * k * 4);
        const sets: OperandSet[] = [];
        for (let i = 0; i < plan.sets; i++) {
          const set = {
            a: scope.alloc(sizes.a),
            b: scope.alloc(sizes.b),
            sfa: scope.alloc(sizes.sfa),
            sfb: scope.alloc(sizes.sfb),
            d: scope.alloc(sizes.d),
          };
          utils.fillRandom(scratch, m, k, operandSeed(opts.seed, i, 0), 'normal');
          utils.castPerToken(scratch, set.a, set.sfa, m, k, sizes.sfaStride);
          utils.fillRandom(scratch, n, k, operandSeed(opts.seed, i, 1), 'normal');
          utils.castPerBlock(scratch, set.b, set.sfb, n, k);
          sets.push(set);
        }
        const ref = scope.alloc(m * n * 4);
        const diff = scope.alloc(DIFF_WORDS * 8);
        utils.referenceGemm(sets[0].a, sets[0].sfa, sets[0].b, sets[0].sfb, ref, m, n, k, sizes.sfaStride);
        // Plain launches (no PDL): the per-call time of a graph of them is one kernel's duration, which
        // is what the trace's span is compared with.
        const plainLaunches: GemmLaunch[] = sets.map((set) =>
          scope.adopt(addon.createGemmLaunch(gemmSpec(plainKernel, p, config, set, false))),
        );
        const tracedLaunches: GemmLaunch[] = sets.map((set) =>
          scope.adopt(
            addon.createGemmLaunch(
              gemmLaunchSpec(tracedKernel, normalDims(p), config, set, {
                pdl: false,
                trace,
                traceCapacity: sizing.capacity,
              }),
            ),
          ),
        );

        const check = async (launch: GemmLaunch, what: string): Promise<Accuracy> => {
          addon.fill32(sets[0].d, POISON, sizes.d);
          launch.run();
          await addon.synchronize(SYNC_TIMEOUT_MS);
          const c: AccuracyCheck = await utils.accuracy(sets[0].d, ref, m * n, diff, SYNC_TIMEOUT_MS);
          const acc: Accuracy = {
            calcDiff: c.calcDiff,
            maxAbsError: c.maxAbsError,
            maxRelError: c.maxRelError,
            unwritten: c.unwritten,
            passed: c.passed,
          };
          const problemText = accuracyProblem(acc, c.nonFiniteRef);
          if (problemText)
            throw coded(
              'E_WRONG_RESULT',
              `${label}: the ${what} kernel's result is wrong, so no timeline was taken: ${problemText}`,
            );
          return acc;
        };
        const inputs: TimelineInputs = {
          plainLaunches,
          tracedLaunches,
          sets: plan.sets,
          check,
          flops: gemmFlops(m, n, k),
          bytes: gemmBytes({ m, n, k }),
        };
        return await recordTimeline(s, inputs, trace, sizing, traced.kernelName, opts.rounds);
      } finally {
        scope.dispose();
      }
    },
    { bf16: true },
  );
}

/** What the recording needs from the inputs of one kind: the launches over the rotated sets (normal and instrumented), the check. */
export interface TimelineInputs {
  plainLaunches: GemmLaunch[];
  tracedLaunches: GemmLaunch[];
  sets: number;
  /** One launch on poisoned D, every element against the FP32 reference; throws E_WRONG_RESULT. */
  check(launch: GemmLaunch, what: string): Promise<Accuracy>;
  flops: number;
  bytes: number;
}

/**
 * Checks both kernels, times them interleaved, records the instrumented one's timeline and decodes it
 * (the FP8 and the BF16 GEMM alike: both write the records of common/trace.cuh).
 */
async function recordTimeline(
  s: Study,
  inputs: TimelineInputs,
  trace: DeviceBuffer,
  sizing: ReturnType<typeof traceSizing>,
  tracedKernelName: string,
  rounds: number,
): Promise<TimelineRun> {
  const { addon, config } = s;
  const p = s.problem;
  const label = `${p.m}x${p.n}x${p.k}`;
  const { plainLaunches, tracedLaunches } = inputs;
  const plainAccuracy = await inputs.check(plainLaunches[0], 'normal');
  const accuracy = await inputs.check(tracedLaunches[0], 'instrumented');
  s.checkpoint();

  s.progress(
    'timing',
    `${label}: timing the normal and the instrumented kernel, interleaved, over ${inputs.sets} rotated input set(s)`,
  );
  const calls = callsPerGraph(estimateUs(inputs.flops, inputs.bytes), inputs.sets);
  const timed = await addon.timeGraphs([plainLaunches, tracedLaunches], {
    callsPerGraph: calls,
    warmupReplays: WARMUP_REPLAYS,
    rounds,
  });
  const plainStats = summarize(timed.perCallUs[0]);
  const tracedStats = summarize(timed.perCallUs[1]);
  s.checkpoint();

  // The capture, in the conditions of the timed launches: the instrumented graph (the same
  // rotation, `calls` launches back to back, no PDL) replayed CAPTURE_REPLAYS times after a
  // warm-up replay, into a buffer zeroed once before (so roles that never run read magic 0). Each
  // launch's writers rewrite their slice headers and counts (trace.cuh), and nothing runs after
  // the last replay, so the buffer holds the records of the last launch of the last replay: a
  // kernel that ran right behind another, with clocks and L2 as in the timing, not a lone launch.
  s.progress(
    'checking',
    `${label}: recording the pipeline timeline (${sizing.bytes} byte buffer, ${sizing.capacity} records per role; the last of ${CAPTURE_REPLAYS} x ${calls} back-to-back launches)`,
  );
  addon.fill32(trace, 0, sizing.bytes);
  const replay = await addon.timeGraphs([tracedLaunches], {
    callsPerGraph: calls,
    warmupReplays: 1,
    rounds: CAPTURE_REPLAYS,
  });
  const captureStats = summarize(replay.perCallUs[0]);
  await addon.synchronize(SYNC_TIMEOUT_MS);
  // Cut to the records written (the buffer is sized for the worst case): the capture travels as JSON.
  const raw = compactTrace(new Uint8Array(addon.download(trace, sizing.bytes)), config.numSms, sizing.capacity);
  s.checkpoint();

  const capture: TraceCapture = {
    format: TRACE_FORMAT_VERSION,
    problem: p,
    config,
    kernelName: tracedKernelName,
    numCtas: config.numSms,
    capacity: raw.capacity,
    bufferBase64: Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength).toString('base64'),
    device: s.hopper,
    timing: { plainUs: plainStats.medianUs, instrumentedUs: tracedStats.medianUs, samples: plainStats.samples },
  };
  const data = decodeCapture(capture);
  const summary = summarizeTrace(data);
  // The 5% check: the recorded launch's span (first event of any role on any SM to the last,
  // on the globaltimer-aligned clocks) against the per-call time of the replays it is the last
  // launch of (CUDA events, median over the replays). Not against the interleaved timing: that
  // ran earlier, and under the 700 W cap the clock can differ by more than 5% between the two
  // (H100: a span of 203.6 µs against an interleaved median of 188.1 µs). The interleaved
  // medians of the instrumented and the normal kernel stand next to it: the instrumentation's
  // cost is their difference, not part of the check.
  const vs = traceVsMeasured(data.durationNs, captureStats.medianUs);
  return {
    capture,
    summary,
    accuracy,
    plainAccuracy,
    sizing: {
      capacity: sizing.capacity,
      needed: sizing.needed,
      bytes: sizing.bytes,
      capped: sizing.capped,
      tilesPerCta: sizing.tilesPerCta,
      kBlocks: sizing.kBlocks,
    },
    vsMeasured: {
      traceUs: data.durationNs / 1000,
      measuredUs: captureStats.medianUs,
      ...vs,
      plainUs: plainStats.medianUs,
      captureUs: captureStats.medianUs,
      compares:
        `|trace span / instrumented per-call time - 1| <= 5%: the span runs from the first to the last recorded event of the last of ${CAPTURE_REPLAYS} x ${calls} ` +
        `back-to-back instrumented launches; the per-call time is the median over those ${CAPTURE_REPLAYS} CUDA-graph replays (` +
        `${captureStats.medianUs.toFixed(2)} µs; in the interleaved timing before them the instrumented kernel took ${tracedStats.medianUs.toFixed(2)} µs, ` +
        `the normal kernel ${plainStats.medianUs.toFixed(2)} µs)`,
    },
    timing: {
      plain: plainStats,
      instrumented: tracedStats,
      overhead: tracedStats.medianUs / plainStats.medianUs - 1,
      method:
        `CUDA events around CUDA-graph replays of ${calls} launches (no PDL) cycling through ${inputs.sets} rotated input set(s); ` +
        `the normal and the instrumented kernel interleaved over ${rounds} round(s) after ${WARMUP_REPLAYS} warm-up replays; medians`,
    },
  };
}
