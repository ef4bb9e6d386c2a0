// The accuracy study of one shape: on the same FP32 inputs (random, with the chosen
// distribution and seed), three real kernels run on the GPU:
//   fine        - the design: 1x128 A scales, 128x128 B scales, promotion into FP32 every K-block;
//   perTensor   - one scale per tensor (per_tensor.cuh writes it into the SFA/SFB layouts), the SAME kernel;
//   noPromotion - per-tensor scales and the kPromote=false kernel: all of K in the tensor-core accumulator.
// Each output is compared on the host with an FP32 GEMM of the ORIGINAL FP32 inputs (so each
// scaling's quantisation error shows) and with an FP32 GEMM of its own dequantised inputs (the
// kernel's arithmetic alone; the design's must pass calc_diff < 1e-3 or the study stops).
import type { DeviceBuffer, GemmLaunch } from '../../../../native/index';
import type { AccuracyReport, AccuracyVariant, AccuracyVariantReport, InputKind } from '../../../protocol/trace';
import type { AccuracyOptions, GemmProblem, RuntimeSettings } from '../../../protocol/worker';
import { errorStats } from '../../core/studies/errorStats';
import { DIFF_WORDS } from '../../core/utilsSource';
import { accuracyProblem } from '../bench/accuracy';
import { DeviceScope } from '../bench/buffers';
import { compileGemm } from '../bench/compileGemm';
import { coded } from '../bench/errors';
import { setSizes } from '../bench/plan';
import { operandSeed, POISON, SYNC_TIMEOUT_MS } from '../bench/shapeBench';
import { perTensorPartials } from '../bench/utilKernels';
import { defaultStudyDeps, gemmSpec, runStudy, type OperandSet, type StudyDeps, type StudyHooks } from './studyDevice';

export const INPUT_KINDS: readonly InputKind[] = ['normal', 'outliers', 'tiny'];

export function checkAccuracyOptions(o: AccuracyOptions | undefined): AccuracyOptions {
  if (!o || typeof o !== 'object')
    throw coded('E_BAD_ARGUMENT', 'accuracy options are missing: pass { input: normal | outliers | tiny, seed }.');
  if (!INPUT_KINDS.includes(o.input))
    throw coded('E_BAD_ARGUMENT', `input must be normal, outliers or tiny; got ${JSON.stringify(o.input)}`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw coded('E_BAD_ARGUMENT', `seed must be a whole number from 0 to 4294967295; got ${o.seed}`);
  return { input: o.input, seed: o.seed };
}

export async function accuracyStudy(
  settings: RuntimeSettings,
  problem: GemmProblem,
  options: AccuracyOptions,
  hooks: StudyHooks = {},
  deps: StudyDeps = defaultStudyDeps,
): Promise<AccuracyReport> {
  const opts = checkAccuracyOptions(options);
  return runStudy(settings, problem, 'accuracy study', hooks, deps, async (s) => {
    const { addon, config, utils } = s;
    const p = s.problem;
    const { m, n, k } = p;
    const label = `${m}x${n}x${k}`;

    s.progress('compiling', `${label}: compiling the promoted and the no-promotion kernel`);
    const [promoted, unpromoted] = await Promise.all([
      compileGemm(addon, settings, p, config, s.log),
      compileGemm(addon, settings, p, config, s.log, { promote: false }),
    ]);
    s.checkpoint();
    // fine and perTensor are the same kernel on differently scaled inputs.
    const promotedKernel = {
      kernel: addon.loadKernel(promoted.cubinPath, promoted.kernelName),
      name: promoted.kernelName,
    };
    const kernels = {
      fine: promotedKernel,
      perTensor: promotedKernel,
      noPromotion: {
        kernel: addon.loadKernel(unpromoted.cubinPath, unpromoted.kernelName),
        name: unpromoted.kernelName,
      },
    };

    const scope = new DeviceScope(addon);
    try {
      s.progress('checking', `${label}: ${opts.input} inputs (seed ${opts.seed}), casts and FP32 references`);
      const sizes = setSizes(m, n, k);
      const kBlocks = Math.ceil(k / 128);
      const xa = scope.alloc(m * k * 4);
      const xb = scope.alloc(n * k * 4);
      // Set 0's seeds, as the benchmark's: the study's inputs are the benchmark's first input set.
      utils.fillRandom(xa, m, k, operandSeed(opts.seed, 0, 0), opts.input);
      utils.fillRandom(xb, n, k, operandSeed(opts.seed, 0, 1), opts.input);
      const d = scope.alloc(sizes.d);
      const fine: OperandSet = {
        a: scope.alloc(sizes.a),
        b: scope.alloc(sizes.b),
        sfa: scope.alloc(sizes.sfa),
        sfb: scope.alloc(sizes.sfb),
        d,
      };
      utils.castPerToken(xa, fine.a, fine.sfa, m, k, sizes.sfaStride);
      utils.castPerBlock(xb, fine.b, fine.sfb, n, k);
      const perTensor: OperandSet = {
        a: scope.alloc(sizes.a),
        b: scope.alloc(sizes.b),
        sfa: scope.alloc(sizes.sfa),
        sfb: scope.alloc(sizes.sfb),
        d,
      };
      const partials = scope.alloc(perTensorPartials(Math.max(m, n) * k) * 4);
      utils.castPerTensor(xa, perTensor.a, m * k, partials, perTensor.sfa, kBlocks * sizes.sfaStride);
      utils.castPerTensor(xb, perTensor.b, n * k, partials, perTensor.sfb, Math.ceil(n / 128) * kBlocks);

      const ref32 = scope.alloc(m * n * 4);
      utils.referenceGemmF32(xa, xb, ref32, m, n, k);
      const refFine = scope.alloc(m * n * 4);
      utils.referenceGemm(fine.a, fine.sfa, fine.b, fine.sfb, refFine, m, n, k, sizes.sfaStride);
      const refTensor = scope.alloc(m * n * 4);
      utils.referenceGemm(perTensor.a, perTensor.sfa, perTensor.b, perTensor.sfb, refTensor, m, n, k, sizes.sfaStride);
      await addon.synchronize(SYNC_TIMEOUT_MS);
      const original = new Float32Array(addon.download(ref32, m * n * 4));
      const diff = scope.alloc(DIFF_WORDS * 8);
      s.checkpoint();

      const plan: Array<[AccuracyVariant, OperandSet, DeviceBuffer]> = [
        ['fine', fine, refFine],
        ['perTensor', perTensor, refTensor],
        ['noPromotion', perTensor, refTensor],
      ];
      const variants: AccuracyVariantReport[] = [];
      for (const [variant, set, dequantRef] of plan) {
        s.progress('checking', `${label}: running the ${variant} variant`);
        const launch: GemmLaunch = scope.adopt(
          addon.createGemmLaunch(gemmSpec(kernels[variant].kernel, p, config, set, false)),
        );
        addon.fill32(d, POISON, sizes.d);
        launch.run();
        await addon.synchronize(SYNC_TIMEOUT_MS);
        const check = await utils.accuracy(d, dequantRef, m * n, diff, SYNC_TIMEOUT_MS);
        if (variant === 'fine') {
          // The design must be right before any comparison means anything.
          const problemText = accuracyProblem(check, check.nonFiniteRef);
          if (problemText)
            throw coded(
              'E_WRONG_RESULT',
              `${label}: the kernel's result is wrong (against the FP32 reference of its dequantised inputs): ${problemText}`,
            );
        }
        const out = new Uint16Array(addon.download(d, m * n * 2));
        const stats = errorStats(out, original, { m, n, blockM: config.blockM, blockN: config.blockN });
        variants.push({
          variant,
          kernelName: kernels[variant].name,
          ...stats,
          vsDequantised: { calcDiff: check.calcDiff, maxAbsError: check.maxAbsError, maxRelError: check.maxRelError },
        });
        s.checkpoint();
      }
      return { problem: p, config, input: opts.input, seed: opts.seed, device: s.hopper, variants };
    } finally {
      scope.dispose();
    }
  });
}
