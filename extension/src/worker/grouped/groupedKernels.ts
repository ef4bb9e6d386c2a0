// The grouped GEMMs' helper kernels (casts, strided reference, accuracy over row segments, the
// untouched-rows count, scale layout conversion) with typed launchers. Pointers are device
// addresses (bigint), so a launch can aim at one group inside a larger tensor; callers keep the
// owning buffers alive. Launchers only enqueue; callers synchronize.
import type { DeviceBuffer, Kernel } from '../../../../native/index';
import type { Accuracy, RuntimeSettings } from '../../../protocol/worker';
import { GroupedKernel, groupedUtilsSource, type GroupedKernelName } from '../../core/grouped/groupedUtilsSource';
import { DIFF_WORDS, REFERENCE_TILE, UTIL_THREADS } from '../../core/utilsSource';
import type { AddonModule } from '../addon';
import { accuracyOf, readDiffWords, relativeErrorFloor } from '../bench/accuracy';
import { jitCompile, type Logger } from '../bench/jit';

const cdiv = (a: number, b: number) => Math.ceil(a / b);
const block: [number, number, number] = [UTIL_THREADS, 1, 1];
const MAX_STRIDE_BLOCKS = 4096;
const strideGrid = (count: number): [number, number, number] => [
  Math.max(1, Math.min(cdiv(count, UTIL_THREADS), MAX_STRIDE_BLOCKS)),
  1,
  1,
];

/** A device address plus a byte offset. */
export const at = (buf: DeviceBuffer, byteOffset = 0): bigint => buf.ptr + BigInt(byteOffset);

/** One operand of the strided reference: data (row stride ld), MN-major scales with their stride. */
export interface RefOperand {
  data: bigint;
  ld: number;
  sf: bigint;
  sfStride: number;
}

/** A contiguous run of D (and the matching run of the reference) that must match. */
export interface Segment {
  d: bigint;
  ref: bigint;
  count: number;
}

export interface SegmentAccuracy extends Accuracy {
  nonFiniteRef: number;
}

export class GroupedKernels {
  private constructor(
    private readonly addon: AddonModule,
    private readonly kernels: Map<GroupedKernelName, Kernel>,
  ) {}

  static async load(addon: AddonModule, settings: RuntimeSettings, log?: Logger): Promise<GroupedKernels> {
    const { source, kernelNames } = groupedUtilsSource();
    const compiled = await jitCompile(addon, settings, source, kernelNames, log);
    const kernels = new Map<GroupedKernelName, Kernel>();
    for (const name of kernelNames) kernels.set(name, addon.loadKernel(compiled.cubinPath, name));
    return new GroupedKernels(addon, kernels);
  }

  private k(name: GroupedKernelName): Kernel {
    const kernel = this.kernels.get(name);
    if (!kernel) throw new Error(`grouped helper kernel ${name} is not in the compiled module`);
    return kernel;
  }

  /** x fp32 [rows, k] -> q e4m3 + sfb [ceil(rows/128)][k/128] (128x128 blocks), at raw addresses. */
  castPerBlock(x: bigint, q: bigint, sfb: bigint, rows: number, k: number): void {
    this.addon.launch(this.k(GroupedKernel.castPerBlock), { grid: [cdiv(k, 128), cdiv(rows, 128), 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: sfb },
      { u32: rows },
      { u32: k },
    ]);
  }

  /** x fp32 [rows, k] -> q e4m3 + sf [k/128][sfStride] MN-major (1x128; padding rows get 0). */
  castPerToken(x: bigint, q: bigint, sf: bigint, rows: number, k: number, sfStride: number): void {
    const warps = sfStride * cdiv(k, 128);
    this.addon.launch(this.k(GroupedKernel.castPerToken), { grid: [cdiv(warps * 32, UTIL_THREADS), 1, 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: sf },
      { u32: rows },
      { u32: k },
      { u32: sfStride },
    ]);
  }

  /** x fp32 [rows, k] -> q e4m3 + scales [rows] (one per row). */
  castPerChannel(x: bigint, q: bigint, scales: bigint, rows: number, k: number): void {
    this.addon.launch(this.k(GroupedKernel.castPerChannel), { grid: [rows, 1, 1], block }, [
      { ptr: x },
      { ptr: q },
      { ptr: scales },
      { u32: rows },
      { u32: k },
    ]);
  }

  /**
   * ref [m, n] (fp32, row stride n) = C (optional) + dequant(A)·dequant(B)ᵀ over k columns starting at
   * scale block kb0. B's scales per 128x128 block (1D2D: sf[(row/128)·sfStride + kb]) or per row
   * (1D1D: MN-major like A's).
   */
  reference(
    a: RefOperand,
    b: RefOperand,
    bPerRow: boolean,
    kb0: number,
    c: bigint | undefined,
    ref: bigint,
    m: number,
    n: number,
    k: number,
  ): void {
    if (k % 128 !== 0) throw new RangeError(`the reference needs K % 128 == 0; got ${k}`);
    if (m === 0 || n === 0) return;
    this.addon.launch(
      this.k(GroupedKernel.reference),
      { grid: [cdiv(n, REFERENCE_TILE), cdiv(m, REFERENCE_TILE), 1], block },
      [
        { ptr: a.data },
        { u64: BigInt(a.ld) },
        { ptr: a.sf },
        { u32: a.sfStride },
        { ptr: b.data },
        { u64: BigInt(b.ld) },
        { ptr: b.sf },
        { u32: b.sfStride },
        { u32: bPerRow ? 1 : 0 },
        { u32: kb0 },
        { ptr: c ?? 0n },
        { ptr: ref },
        { u32: m },
        { u32: n },
        { u32: k },
      ],
    );
  }

  /**
   * calc_diff, max abs/rel error and unwritten count over several segments of D (bf16 or fp32),
   * accumulated into one result (scratch: DIFF_WORDS x 8 bytes). Synchronizes.
   */
  async accuracy(
    segments: Segment[],
    fp32: boolean,
    scratch: DeviceBuffer,
    timeoutMs?: number,
    limit?: number,
  ): Promise<SegmentAccuracy> {
    this.addon.fill32(scratch, 0, DIFF_WORDS * 8);
    const live = segments.filter((s) => s.count > 0);
    for (const s of live) {
      this.addon.launch(
        this.k(fp32 ? GroupedKernel.calcDiffF32 : GroupedKernel.calcDiffBf16),
        { grid: strideGrid(s.count), block },
        [{ ptr: s.d }, { ptr: s.ref }, { u64: BigInt(s.count) }, { ptr: scratch }],
      );
    }
    await this.addon.synchronize(timeoutMs);
    const first = readDiffWords(this.addon.download(scratch, DIFF_WORDS * 8));
    const total = live.reduce((a, s) => a + s.count, 0);
    const floor = relativeErrorFloor(first.sumYY, total - first.unwritten - first.nonFiniteRef);
    for (const s of live) {
      this.addon.launch(
        this.k(fp32 ? GroupedKernel.maxRelF32 : GroupedKernel.maxRelBf16),
        { grid: strideGrid(s.count), block },
        [{ ptr: s.d }, { ptr: s.ref }, { u64: BigInt(s.count) }, { f32: floor }, { ptr: scratch }],
      );
    }
    await this.addon.synchronize(timeoutMs);
    const words = readDiffWords(this.addon.download(scratch, DIFF_WORDS * 8));
    return { ...accuracyOf(words, limit), nonFiniteRef: words.nonFiniteRef };
  }

  /** 32-bit words of the given runs that no longer hold `pattern`. `scratch` ≥ 8 bytes. Synchronizes. */
  async countChanged(
    runs: Array<{ at: bigint; words: number }>,
    pattern: number,
    scratch: DeviceBuffer,
    timeoutMs?: number,
  ): Promise<number> {
    this.addon.fill32(scratch, 0, 8);
    for (const r of runs.filter((x) => x.words > 0)) {
      this.addon.launch(this.k(GroupedKernel.countChanged), { grid: strideGrid(r.words), block }, [
        { ptr: r.at },
        { u64: BigInt(r.words) },
        { u32: pattern >>> 0 },
        { ptr: scratch },
      ]);
    }
    await this.addon.synchronize(timeoutMs);
    return Number(new DataView(this.addon.download(scratch, 8)).getBigUint64(0, true));
  }

  /** 32-bit words of each run of D that differ from the same run of `expected` (bit-identity). `scratch` ≥ 8 bytes. Synchronizes. */
  async countDiffering(
    runs: Array<{ at: bigint; expected: bigint; words: number }>,
    scratch: DeviceBuffer,
    timeoutMs?: number,
  ): Promise<number> {
    this.addon.fill32(scratch, 0, 8);
    for (const r of runs.filter((x) => x.words > 0)) {
      this.addon.launch(this.k(GroupedKernel.countDiffering), { grid: strideGrid(r.words), block }, [
        { ptr: r.at },
        { ptr: r.expected },
        { u64: BigInt(r.words) },
        { ptr: scratch },
      ]);
    }
    await this.addon.synchronize(timeoutMs);
    return Number(new DataView(this.addon.download(scratch, 8)).getBigUint64(0, true));
  }

  /** x fp32 [count] -> q bf16 [count] (round to nearest even). */
  castBf16(x: bigint, q: bigint, count: number): void {
    this.addon.launch(this.k(GroupedKernel.castBf16), { grid: strideGrid(count), block }, [
      { ptr: x },
      { ptr: q },
      { u64: BigInt(count) },
    ]);
  }

  /**
   * ref fp32 [m, n] = C (optional, fp32 [m, n]) + a bf16 [m, k] · b bf16 [n, k]ᵀ, any K (0: ref = C);
   * a's and b's rows are `ld` elements apart (default k; K-grouped: ΣK_g, aimed at one group's columns).
   */
  referenceBf16(
    a: bigint,
    b: bigint,
    c: bigint | undefined,
    ref: bigint,
    m: number,
    n: number,
    k: number,
    ld = k,
  ): void {
    if (m === 0 || n === 0) return;
    this.addon.launch(
      this.k(GroupedKernel.referenceBf16),
      { grid: [cdiv(n, REFERENCE_TILE), cdiv(m, REFERENCE_TILE), 1], block },
      [{ ptr: a }, { ptr: b }, { ptr: c ?? 0n }, { ptr: ref }, { u32: m }, { u32: n }, { u32: k }, { u64: BigInt(ld) }],
    );
  }

  /** sf fp32 [rows][kBlocks] row-major -> dst fp32 [kBlocks][stride] MN-major (padding rows 0). */
  transformScales(sf: bigint, dst: bigint, rows: number, kBlocks: number, stride: number): void {
    this.addon.launch(this.k(GroupedKernel.transformSf), { grid: strideGrid(kBlocks * stride), block }, [
      { ptr: sf },
      { ptr: dst },
      { u32: rows },
      { u32: kBlocks },
      { u32: stride },
    ]);
  }
}
