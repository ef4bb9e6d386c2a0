// The utility kernels (random fill, casts, reference GEMM, accuracy, copy, test hooks) loaded from
// one JIT-compiled module, with typed launchers. Each launcher only enqueues work on the addon's
// stream; callers synchronize when they need results.
import type { DeviceBuffer, Kernel } from '../../../../native/index';
import type { Accuracy, RuntimeSettings } from '../../../protocol/worker';
import {
  DIFF_WORDS,
  Distribution,
  REFERENCE_TILE,
  UTIL_THREADS,
  UtilKernel,
  utilsSource,
  type DistributionName,
  type UtilKernelName,
} from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyOf, readDiffWords, relativeErrorFloor } from './accuracy';
import { jitCompile, type Logger } from './jit';

const cdiv = (a: number, b: number) => Math.ceil(a / b);
const block = [UTIL_THREADS, 1, 1] as [number, number, number];
/** Grid-stride kernels need no more blocks than this to fill an H100 several times over. */
const MAX_STRIDE_BLOCKS = 4096;

export interface AccuracyCheck extends Accuracy {
  nonFiniteRef: number;
}

export class UtilKernels {
  private constructor(
    private readonly addon: AddonModule,
    private readonly kernels: Map<UtilKernelName, Kernel>,
    readonly compileMs: number,
    readonly cacheHit: boolean,
  ) {}

  static async load(addon: AddonModule, settings: RuntimeSettings, log?: Logger): Promise<UtilKernels> {
    const { source, kernelNames } = utilsSource();
    const compiled = await jitCompile(addon, settings, source, kernelNames, log);
    const kernels = new Map<UtilKernelName, Kernel>();
    for (const name of kernelNames) kernels.set(name, addon.loadKernel(compiled.cubinPath, name));
    return new UtilKernels(addon, kernels, compiled.elapsedMs, compiled.cacheHit);
  }

  private k(name: UtilKernelName): Kernel {
    const kernel = this.kernels.get(name);
    if (!kernel) throw new Error(`utility kernel ${name} is not in the compiled module`);
    return kernel;
  }

  /** out[i] (FP32, rows x cols) from the counter-based generator: depends only on (seed, i). */
  fillRandom(
    out: DeviceBuffer,
    rows: number,
    cols: number,
    seed: number | bigint,
    dist: DistributionName = 'normal',
  ): void {
    const count = rows * cols;
    need(out, count * 4, 'fill_random output');
    this.addon.launch(
      this.k(UtilKernel.fillRandom),
      { grid: [Math.min(cdiv(count, UTIL_THREADS), MAX_STRIDE_BLOCKS), 1, 1], block },
      [
        { ptr: out },
        { u64: BigInt(count) },
        { u32: cols },
        { u64: BigInt.asUintN(64, BigInt(seed)) },
        { u32: Distribution[dist] },
      ],
    );
  }

  /** x fp32 [rows, k] -> q e4m3 [rows, k] + sfa [ceil(k/128)][sfaStride] (1x128 groups). */
  castPerToken(x: DeviceBuffer, q: DeviceBuffer, sfa: DeviceBuffer, rows: number, k: number, sfaStride: number): void {
    const kBlocks = cdiv(k, 128);
    need(x, rows * k * 4, 'cast input');
    need(q, rows * k, 'fp8 output');
    need(sfa, kBlocks * sfaStride * 4, 'SFA');
    const warps = sfaStride * kBlocks;
    this.addon.launch(this.k(UtilKernel.castPerToken), { grid: [cdiv(warps * 32, UTIL_THREADS), 1, 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: sfa },
      { u32: rows },
      { u32: k },
      { u32: sfaStride },
    ]);
  }

  /** x fp32 [rows, k] -> q e4m3 [rows, k] + sfb [ceil(rows/128)][ceil(k/128)] (128x128 blocks). */
  castPerBlock(x: DeviceBuffer, q: DeviceBuffer, sfb: DeviceBuffer, rows: number, k: number): void {
    need(x, rows * k * 4, 'cast input');
    need(q, rows * k, 'fp8 output');
    need(sfb, cdiv(rows, 128) * cdiv(k, 128) * 4, 'SFB');
    this.addon.launch(this.k(UtilKernel.castPerBlock), { grid: [cdiv(k, 128), cdiv(rows, 128), 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: sfb },
      { u32: rows },
      { u32: k },
    ]);
  }

  /** x fp32 [rows, k] -> q e4m3 [rows, k] + scales [rows] (one per row). */
  castPerChannel(x: DeviceBuffer, q: DeviceBuffer, scales: DeviceBuffer, rows: number, k: number): void {
    need(x, rows * k * 4, 'cast input');
    need(q, rows * k, 'fp8 output');
    need(scales, rows * 4, 'scales');
    this.addon.launch(this.k(UtilKernel.castPerChannel), { grid: [rows, 1, 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: scales },
      { u32: rows },
      { u32: k },
    ]);
  }

  /** ref fp32 [m, n] = dequant(A) · dequant(B)ᵀ. */
  referenceGemm(
    a: DeviceBuffer,
    sfa: DeviceBuffer,
    b: DeviceBuffer,
    sfb: DeviceBuffer,
    ref: DeviceBuffer,
    m: number,
    n: number,
    k: number,
    sfaStride: number,
  ): void {
    if (k % 128 !== 0) throw new RangeError(`the reference GEMM needs K % 128 == 0; got K = ${k}`);
    need(ref, m * n * 4, 'reference output');
    this.addon.launch(
      this.k(UtilKernel.referenceGemm),
      { grid: [cdiv(n, REFERENCE_TILE), cdiv(m, REFERENCE_TILE), 1], block },
      [
        { ptr: a },
        { ptr: sfa },
        { ptr: b },
        { ptr: sfb },
        { ptr: ref },
        { u32: m },
        { u32: n },
        { u32: k },
        { u32: sfaStride },
      ],
    );
  }

  /**
   * calc_diff, max abs/rel error and the unwritten count of d (bf16, count elements) against ref
   * (fp32). `scratch` holds the 64-byte result words. Synchronizes (twice: the relative error's
   * floor comes from the first pass).
   */
  async accuracy(
    d: DeviceBuffer,
    ref: DeviceBuffer,
    count: number,
    scratch: DeviceBuffer,
    timeoutMs?: number,
  ): Promise<AccuracyCheck> {
    need(d, count * 2, 'output');
    need(ref, count * 4, 'reference');
    need(scratch, DIFF_WORDS * 8, 'calc_diff result');
    const grid: [number, number, number] = [Math.max(1, Math.min(cdiv(count, UTIL_THREADS), MAX_STRIDE_BLOCKS)), 1, 1];
    this.addon.fill32(scratch, 0, DIFF_WORDS * 8);
    this.addon.launch(this.k(UtilKernel.calcDiff), { grid, block }, [
      { ptr: d },
      { ptr: ref },
      { u64: BigInt(count) },
      { ptr: scratch },
    ]);
    await this.addon.synchronize(timeoutMs);
    const first = readDiffWords(this.addon.download(scratch, DIFF_WORDS * 8));
    const floor = relativeErrorFloor(first.sumYY, count - first.unwritten - first.nonFiniteRef);
    this.addon.launch(this.k(UtilKernel.maxRelError), { grid, block }, [
      { ptr: d },
      { ptr: ref },
      { u64: BigInt(count) },
      { f32: floor },
      { ptr: scratch },
    ]);
    await this.addon.synchronize(timeoutMs);
    const words = readDiffWords(this.addon.download(scratch, DIFF_WORDS * 8));
    return { ...accuracyOf(words), nonFiniteRef: words.nonFiniteRef };
  }

  /**
   * Per-tensor cast (the accuracy study's comparison): x fp32 [count] -> q e4m3 [count] with one
   * scale amax/448 for the whole tensor, written into every word of `scales` (an SFA or SFB layout
   * of `numScales` floats). Two launches: partial maxima into `partials`, then the cast. `partials`
   * needs perTensorPartials(count) floats.
   */
  castPerTensor(
    x: DeviceBuffer,
    q: DeviceBuffer,
    count: number,
    partials: DeviceBuffer,
    scales: DeviceBuffer,
    numScales: number,
  ): void {
    const blocks = perTensorPartials(count);
    need(x, count * 4, 'cast input');
    need(q, count, 'fp8 output');
    need(partials, blocks * 4, 'amax partials');
    need(scales, numScales * 4, 'scales');
    this.addon.launch(this.k(UtilKernel.amaxPartials), { grid: [blocks, 1, 1], block }, [
      { ptr: x },
      { u64: BigInt(count) },
      { ptr: partials },
    ]);
    this.addon.launch(this.k(UtilKernel.castPerTensor), { grid: [blocks, 1, 1], block }, [
      { ptr: x },
      { ptr: q },
      { u64: BigInt(count) },
      { ptr: partials },
      { u32: blocks },
      { ptr: scales },
      { u32: numScales },
    ]);
  }

  /** ref fp32 [m, n] = a fp32 [m, k] · b fp32 [n, k]ᵀ: the reference on the original (unquantised) inputs. */
  referenceGemmF32(a: DeviceBuffer, b: DeviceBuffer, ref: DeviceBuffer, m: number, n: number, k: number): void {
    need(a, m * k * 4, 'reference A');
    need(b, n * k * 4, 'reference B');
    need(ref, m * n * 4, 'reference output');
    this.addon.launch(
      this.k(UtilKernel.referenceGemmF32),
      { grid: [cdiv(n, REFERENCE_TILE), cdiv(m, REFERENCE_TILE), 1], block },
      [{ ptr: a }, { ptr: b }, { ptr: ref }, { u32: m }, { u32: n }, { u32: k }],
    );
  }

  /** dst = src, `bytes` (a multiple of 16). */
  copy(src: DeviceBuffer, dst: DeviceBuffer, bytes: number, blocks: number): void {
    if (bytes % 16 !== 0) throw new RangeError(`copy size must be a multiple of 16 bytes; got ${bytes}`);
    need(src, bytes, 'copy source');
    need(dst, bytes, 'copy destination');
    this.addon.launch(this.k(UtilKernel.copy16), { grid: [blocks, 1, 1], block }, [
      { ptr: src },
      { ptr: dst },
      { u64: BigInt(bytes / 16) },
    ]);
  }

  /** Streaming read of `bytes` (the HBM read rate); `sink` (4 bytes) is never written for a 1.0f fill. */
  read(src: DeviceBuffer, bytes: number, sink: DeviceBuffer, blocks: number): void {
    if (bytes % 16 !== 0) throw new RangeError(`read size must be a multiple of 16 bytes; got ${bytes}`);
    need(src, bytes, 'read source');
    need(sink, 4, 'read sink');
    this.addon.launch(this.k(UtilKernel.read16), { grid: [blocks, 1, 1], block }, [
      { ptr: src },
      { u64: BigInt(bytes / 16) },
      { u32: 1 },
      { ptr: sink },
    ]);
  }

  /** Test hook: a store to an unmapped address (CUDA_ERROR_ILLEGAL_ADDRESS at the next synchronize). */
  fault(): void {
    this.addon.launch(this.k(UtilKernel.testFault), { grid: [1, 1, 1], block: [32, 1, 1] }, [{ u64: 16n }]);
  }

  /** Test hook: a kernel that spins for `seconds` (0 = forever). */
  hang(seconds = 0): void {
    this.addon.launch(this.k(UtilKernel.testHang), { grid: [1, 1, 1], block: [32, 1, 1] }, [{ u32: seconds }]);
  }
}

/** CTAs (and partial maxima) of the per-tensor amax over `count` values. */
export function perTensorPartials(count: number): number {
  return Math.max(1, Math.min(cdiv(count, UTIL_THREADS), MAX_STRIDE_BLOCKS));
}

function need(buf: DeviceBuffer, bytes: number, what: string): void {
  if (buf.bytes < bytes) {
    const err = new Error(`${what} buffer holds ${buf.bytes} bytes; ${bytes} are needed`) as Error & { code: string };
    err.code = 'E_BAD_ARGUMENT';
    throw err;
  }
}
