// The two studies on the H100 (no fakes: real kernels, real timers).
//
// Timeline of 4096x7168x2048 (a DeepSeek prefill shape), the heuristic's config:
//   - no event dropped (the buffer was sized for the whole kernel);
//   - every SM that ran a CTA has a producer row and math rows, and both roles have spans;
//   - the trace's span (first to last event) is within 5% of the instrumented kernel's measured
//     median time (CUDA events over graph replays without PDL: one kernel per call);
//   - the instrumented kernel's output passes the same check as the normal one.
// Accuracy of 1024x2112x7168 (a DeepSeek N, K pair, K long enough for accumulation error to show)
// for the three input kinds. What is asserted, and why:
//   - the design's output against the FP32 GEMM of its dequantised inputs: calc_diff < 1e-3 (the
//     correctness bar; the study itself refuses to go on otherwise);
//   - no promotion vs promotion on the SAME per-tensor inputs, each against the FP32 GEMM of those
//     dequantised inputs: no-promotion's calc_diff is larger. Without promotion all 7168 of K sum
//     in the tensor core's FP8 accumulator, which keeps fewer mantissa bits than FP32 (DeepSeek-V3
//     report, section 3.3.2), so its arithmetic error must exceed the promoted kernel's, whose only
//     error there is bf16 rounding;
//   - outliers: per-tensor scaling is worse than the design against the original FP32 inputs: one
//     scale sized for x6400 outliers pushes the ordinary values into e4m3's subnormals;
//   - tiny: every 1x128 and 128x128 amax, and the tensor's, sits under the 1e-4 clamp of cast.cuh,
//     so both scalings quantise to the same bytes with the same scale: the design and per-tensor
//     give the same calc_diff (to 1e-9 relative);
//   - normal: no order is asserted between the design and per-tensor against FP32 (both are
//     dominated by e4m3's ~3 mantissa bits on N(0,1) values, and the difference is not physics
//     we can state a sign for); the figures are printed.
import type { AccuracyReport, AccuracyVariantReport, InputKind } from '../../extension/protocol/trace';
import type { GemmProblem } from '../../extension/protocol/worker';
import { decodeCapture } from '../../extension/src/core/trace';
import { probeEnvironment } from '../../extension/src/worker/environment';
import { accuracyStudy } from '../../extension/src/worker/studies/accuracyStudy';
import { timeline } from '../../extension/src/worker/studies/timeline';
import { check, done, gpuSettings, skip } from './harness';

const settings = gpuSettings();
const sci = (x: number) => x.toExponential(2);

function variant(r: AccuracyReport, v: AccuracyVariantReport['variant']): AccuracyVariantReport {
  const found = r.variants.find((x) => x.variant === v);
  if (!found) throw new Error(`the report has no ${v} variant`);
  return found;
}

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!env.canRunKernels) {
    skip('studies', `no Hopper GPU: ${env.summary}`);
    return done();
  }

  const shape: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 2048 };
  await check(
    'timeline 4096x7168x2048: whole kernel traced, spans per SM and role, last tile within 5% of the measured time',
    async () => {
      const r = await timeline(settings, shape, { rounds: 10 });
      const s = r.summary;
      if (s.eventsDropped !== 0) throw new Error(`${s.eventsDropped} events dropped (capacity ${r.sizing.capacity})`);
      const roles = new Map<number, Set<string>>();
      // Rows per SM from the decoded capture (the summary keeps counts only).
      const data = decodeCapture(r.capture);
      for (const row of data.rows) {
        if (row.events === 0) continue;
        if (!roles.has(row.sm)) roles.set(row.sm, new Set());
        roles.get(row.sm)!.add(row.role);
      }
      const incomplete = [...roles].filter(([, set]) => !set.has('producer') || !set.has('math0')).map(([sm]) => sm);
      if (incomplete.length) throw new Error(`SMs without a producer or a math row: ${incomplete.join(', ')}`);
      if (roles.size !== Math.min(r.capture.config.numSms, env.devices.find((d) => d.isHopper)!.smCount))
        throw new Error(`${roles.size} SMs traced for ${r.capture.config.numSms} CTAs`);
      for (const role of ['producer', 'math'] as const) {
        const rs = s.roles.find((x) => x.role === role);
        if (!rs || rs.activeNs <= 0) throw new Error(`no ${role} spans`);
      }
      if (!r.accuracy.passed)
        throw new Error(`the instrumented kernel's output failed: calc_diff ${r.accuracy.calcDiff}`);
      if (!r.vsMeasured.within5Percent) {
        throw new Error(
          `trace ${r.vsMeasured.traceUs.toFixed(1)} µs vs measured ${r.vsMeasured.measuredUs.toFixed(1)} µs: ${(100 * r.vsMeasured.deviation).toFixed(1)}% apart`,
        );
      }
      return (
        `trace ${r.vsMeasured.traceUs.toFixed(1)} µs vs ${r.vsMeasured.measuredUs.toFixed(1)} µs measured (${(100 * r.vsMeasured.deviation).toFixed(1)}%), ` +
        `${s.eventsRecorded} events on ${roles.size} SMs, instrumentation +${(100 * r.timing.overhead).toFixed(1)}% ` +
        `(${r.timing.plain.medianUs.toFixed(1)} -> ${r.timing.instrumented.medianUs.toFixed(1)} µs)`
      );
    },
  );

  const accShape: GemmProblem = { kind: 'normal', m: 1024, n: 2112, k: 7168 };
  for (const input of ['normal', 'outliers', 'tiny'] as InputKind[]) {
    await check(
      `accuracy ${input} 1024x2112x7168: the design passes; the variants are ordered as the physics says`,
      async () => {
        const r = await accuracyStudy(settings, accShape, { input, seed: 3 });
        const fine = variant(r, 'fine'),
          tensor = variant(r, 'perTensor'),
          noPromo = variant(r, 'noPromotion');
        for (const v of r.variants)
          if (v.unwritten !== 0) throw new Error(`${v.variant}: ${v.unwritten} outputs never written`);
        if (!(fine.vsDequantised!.calcDiff < 1e-3))
          throw new Error(`the design's calc_diff vs its dequantised reference is ${fine.vsDequantised!.calcDiff}`);
        if (!(noPromo.vsDequantised!.calcDiff > tensor.vsDequantised!.calcDiff)) {
          throw new Error(
            `no promotion (${sci(noPromo.vsDequantised!.calcDiff)}) is not worse than promotion (${sci(tensor.vsDequantised!.calcDiff)}) on the same per-tensor inputs`,
          );
        }
        if (input === 'outliers' && !(tensor.calcDiff > fine.calcDiff))
          throw new Error(
            `per-tensor (${sci(tensor.calcDiff)}) is not worse than the design (${sci(fine.calcDiff)}) with outliers`,
          );
        if (input === 'tiny' && Math.abs(tensor.calcDiff - fine.calcDiff) > 1e-9 * Math.abs(fine.calcDiff)) {
          throw new Error(
            `under the amax clamp both scalings should quantise alike: design ${fine.calcDiff}, per-tensor ${tensor.calcDiff}`,
          );
        }
        return (
          `vs FP32: design ${sci(fine.calcDiff)}, per-tensor ${sci(tensor.calcDiff)}, no promotion ${sci(noPromo.calcDiff)}; ` +
          `arithmetic alone: design ${sci(fine.vsDequantised!.calcDiff)}, per-tensor ${sci(tensor.vsDequantised!.calcDiff)}, no promotion ${sci(noPromo.vsDequantised!.calcDiff)}`
        );
      },
    );
  }
  done();
}

main().catch((err) => {
  console.log(`FAILED  studies: ${(err as Error).stack ?? err}`);
  done();
  process.exitCode = 1;
});
