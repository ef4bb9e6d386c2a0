// The MQA-logits helper kernels (inputs, references, comparison) with typed launchers. Launchers
// only enqueue; compare() synchronizes and reads the result back.
import type { DeviceBuffer, Kernel } from '../../../../native/index';
import type { RuntimeSettings } from '../../../protocol/worker';
import {
  MQA_COMPARE_BYTES,
  MQA_REF_KEYS,
  MQA_REF_THREADS,
  MQA_UTIL_THREADS,
  MqaUtilKernel,
  mqaUtilsSource,
  referenceSmemBytes,
  type MqaUtilKernelName,
} from '../../core/mqa/mqaUtilsSource';
import type { AddonModule } from '../addon';
import { jitCompile, type Logger } from '../bench/jit';

const cdiv = (a: number, b: number) => Math.ceil(a / b);
const block: [number, number, number] = [MQA_UTIL_THREADS, 1, 1];
const strideGrid = (count: number): [number, number, number] => [
  Math.max(1, Math.min(cdiv(count, MQA_UTIL_THREADS), 4096)),
  1,
  1,
];
/** Random streams of the three input tensors (utils/mqa_inputs.cuh kStreamMqa*). */
const STREAM_Q = 11n,
  STREAM_WEIGHTS = 13n;

export interface CompareOutcome {
  calcDiff: number;
  maxAbsError: number;
  classMismatches: number;
  values: number;
}

export class MqaUtilKernels {
  private constructor(
    private readonly addon: AddonModule,
    private readonly kernels: Map<MqaUtilKernelName, Kernel>,
  ) {}

  static async load(addon: AddonModule, settings: RuntimeSettings, log?: Logger): Promise<MqaUtilKernels> {
    const { source, kernelNames } = mqaUtilsSource();
    const compiled = await jitCompile(addon, settings, source, kernelNames, log);
    const kernels = new Map<MqaUtilKernelName, Kernel>();
    for (const name of kernelNames) kernels.set(name, addon.loadKernel(compiled.cubinPath, name));
    return new MqaUtilKernels(addon, kernels);
  }

  private k(name: MqaUtilKernelName): Kernel {
    const kernel = this.kernels.get(name);
    if (!kernel) throw new Error(`MQA helper kernel ${name} is not in the compiled module`);
    return kernel;
  }

  /** q e4m3(N(0,1)) and weights N(0,1), from the seed. */
  queriesAndWeights(q: DeviceBuffer, qCount: number, weights: DeviceBuffer, wCount: number, seed: bigint): void {
    this.addon.launch(this.k(MqaUtilKernel.fillE4m3), { grid: strideGrid(qCount), block }, [
      { ptr: q },
      { u64: BigInt(qCount) },
      { u64: seed },
      { u64: STREAM_Q },
    ]);
    this.addon.launch(this.k(MqaUtilKernel.fillF32), { grid: strideGrid(wCount), block }, [
      { ptr: weights },
      { u64: BigInt(wCount) },
      { u64: seed },
      { u64: STREAM_WEIGHTS },
    ]);
  }

  /** kv [rows, dim] e4m3 + scales [rows], per-token quantised N(0,1) rows. */
  plainKeys(kv: DeviceBuffer, scales: DeviceBuffer, rows: number, dim: number, seed: bigint): void {
    this.addon.launch(this.k(MqaUtilKernel.plainKeys), { grid: strideGrid(rows * 32), block }, [
      { ptr: kv },
      { ptr: scales },
      { u64: BigInt(rows) },
      { u32: dim },
      { u64: seed },
    ]);
  }

  /** The fused paged cache: pages of 64 e4m3 rows then their 64 fp32 scales. */
  pagedKeys(cache: DeviceBuffer, pages: number, dim: number, seed: bigint): void {
    this.addon.launch(this.k(MqaUtilKernel.pagedKeys), { grid: strideGrid(pages * 64 * 32), block }, [
      { ptr: cache },
      { u64: BigInt(pages) },
      { u32: dim },
      { u64: seed },
    ]);
  }

  reference(
    b: {
      q: DeviceBuffer;
      kv: DeviceBuffer;
      scales: DeviceBuffer;
      weights: DeviceBuffer;
      ks: DeviceBuffer;
      ke: DeviceBuffer;
      out: DeviceBuffer;
    },
    seqQ: number,
    seqKv: number,
    heads: number,
    dim: number,
    stride: number,
  ): void {
    this.addon.launch(
      this.k(MqaUtilKernel.reference),
      {
        grid: [cdiv(seqKv, MQA_REF_KEYS), seqQ, 1],
        block: [MQA_REF_THREADS, 1, 1],
        sharedBytes: referenceSmemBytes(heads, dim),
      },
      [
        { ptr: b.q },
        { ptr: b.kv },
        { ptr: b.scales },
        { ptr: b.weights },
        { ptr: b.ks },
        { ptr: b.ke },
        { ptr: b.out },
        { u32: seqQ },
        { u32: seqKv },
        { u32: heads },
        { u32: dim },
        { u32: stride },
      ],
    );
  }

  pagedReference(
    b: {
      q: DeviceBuffer;
      cache: DeviceBuffer;
      weights: DeviceBuffer;
      contextLens: DeviceBuffer;
      blockTable: DeviceBuffer;
      out: DeviceBuffer;
    },
    rows: number,
    maxPages: number,
    nextN: number,
    heads: number,
    dim: number,
    tableStride: number,
    stride: number,
  ): void {
    if (maxPages === 0) return;
    this.addon.launch(
      this.k(MqaUtilKernel.pagedReference),
      { grid: [maxPages, rows, 1], block: [MQA_REF_THREADS, 1, 1], sharedBytes: referenceSmemBytes(heads, dim) },
      [
        { ptr: b.q },
        { ptr: b.cache },
        { ptr: b.weights },
        { ptr: b.contextLens },
        { ptr: b.blockTable },
        { ptr: b.out },
        { u32: nextN },
        { u32: heads },
        { u32: dim },
        { u32: tableStride },
        { u32: stride },
      ],
    );
  }

  /** Classes and calc_diff of out against ref over `count` floats. Synchronizes. */
  async compare(
    out: DeviceBuffer,
    ref: DeviceBuffer,
    count: number,
    scratch: DeviceBuffer,
    timeoutMs?: number,
  ): Promise<CompareOutcome> {
    this.addon.fill32(scratch, 0, MQA_COMPARE_BYTES);
    this.addon.launch(this.k(MqaUtilKernel.compare), { grid: strideGrid(count), block }, [
      { ptr: out },
      { ptr: ref },
      { u64: BigInt(count) },
      { ptr: scratch },
    ]);
    await this.addon.synchronize(timeoutMs);
    const v = new DataView(this.addon.download(scratch, MQA_COMPARE_BYTES));
    const sumXY = v.getFloat64(0, true),
      sumXXYY = v.getFloat64(8, true);
    return {
      calcDiff: sumXXYY > 0 ? 1 - (2 * sumXY) / sumXXYY : 0,
      classMismatches: Number(v.getBigUint64(16, true)),
      values: Number(v.getBigUint64(24, true)),
      maxAbsError: v.getFloat32(32, true),
    };
  }
}
