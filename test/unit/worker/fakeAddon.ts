// A fake of the native addon for the bench pipeline's tests: records every call and answers like
// the real one would on a device where the scenario holds (a correct or wrong kernel, a peer that
// fails in one of several ways, a capture that refuses PDL, a fault on the n-th launch, a failing
// compile). The numbers it returns are the tests' inputs, never measurements.
import { DIFF_WORDS, DiffWord, UtilKernel } from '../../../extension/src/core/utilsSource';
import { POISON } from '../../../extension/src/worker/bench/shapeBench';
import type * as Native from '../../../native/index';

export type Writer = 'ours' | 'peer' | 'peer-wrong' | 'none';
export interface Scenario {
  ours?: 'good' | 'unwritten' | 'wrong';
  peer?: 'good' | 'wrong' | 'create-fails' | 'graph-fails';
  pdlCaptureFails?: boolean;
  /** The n-th run() of our kernel (1-based) makes the next synchronize fail with E_KERNEL_FAULT. */
  faultOnRun?: number;
  /** How many algorithms cuBLASLt's heuristic offers (default 1); algorithm i runs in 20 µs, except #1 (19) and #2 (22). */
  algorithms?: number;
  /** cuBLASLt algorithms (by index) whose result is wrong. */
  wrongAlgorithms?: number[];
  /** Kernel names whose compile fails with E_COMPILE. */
  compileFails?: RegExp;
}

export const device: Native.DeviceInfo = {
  ordinal: 0,
  name: 'NVIDIA H100 80GB HBM3',
  computeCapability: [9, 0],
  smCount: 132,
  totalMemoryBytes: 80 * 2 ** 30,
  l2CacheBytes: 50 * 2 ** 20,
  maxSharedMemoryPerBlockOptin: 232448,
  clockRateKHz: 1980000,
  memoryClockRateKHz: 2619000,
  memoryBusWidthBits: 5120,
  pciBusId: '0000:00:00.0',
};

/** Records calls; answers calc_diff downloads according to who wrote D last and the scenario. */
export class FakeAddon {
  live = new Set<object>();
  allocated = 0;
  calls: string[] = [];
  launches: Array<{ name: string; grid: number[]; args: Native.KernelArg[] }> = [];
  fills: Array<{ pattern: number; bytes?: number }> = [];
  timeCalls: Array<{ entries: number[]; options: Native.TimingOptions; pdl: boolean[] }> = [];
  runs = { ours: 0, peer: 0 };
  private lastWriter: Writer = 'none';
  private nextPtr = 0x1000n;
  constructor(readonly scenario: Scenario) {}

  private own<T extends object>(h: T): T {
    this.live.add(h);
    return h;
  }

  compiled: string[] = [];
  inits = 0;
  private pendingFault = false;

  init = (_o?: { ordinal?: number }): Native.DeviceInfo => {
    this.inits++;
    return device;
  };
  compile = async (o: Native.CompileOptions): Promise<Native.CompileResult> => {
    const name = o.kernelNames[0];
    this.compiled.push(name);
    if (this.scenario.compileFails?.test(name)) {
      throw Object.assign(new Error(`nvcc failed for ${name}`), { code: 'E_COMPILE', log: 'error: expected a ";"' });
    }
    const ptxasLog = o.kernelNames
      .map(
        (n) =>
          `ptxas info    : Compiling entry function '${n}' for 'sm_90a'\n` +
          `ptxas info    : Function properties for ${n}\n    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n` +
          `ptxas info    : Used 168 registers, used 1 barriers\n`,
      )
      .join('');
    return {
      key: `${name}-key`,
      dir: '/fake',
      cubinPath: `/fake/${name}.cubin`,
      cacheHit: false,
      elapsedMs: 1234,
      ptxasLog,
      command: ['nvcc'],
      compilerVersion: '13.0',
    };
  };
  loadKernel = (cubinPath: string, name: string): Native.Kernel => ({
    name,
    cubinPath,
    attributes: {
      numRegs: 168,
      localSizeBytes: 0,
      sharedSizeBytes: 0,
      constSizeBytes: 0,
      maxThreadsPerBlock: 384,
      ptxVersion: 90,
      binaryVersion: 90,
    },
  });
  alloc = (bytes: number): Native.DeviceBuffer => {
    this.allocated++;
    const ptr = (this.nextPtr += 0x100000n);
    const buf = {
      bytes,
      ptr,
      dispose: () => {
        this.live.delete(buf);
      },
    };
    return this.own(buf);
  };
  fill32 = (_dst: Native.DeviceBuffer, pattern: number, bytes?: number) => {
    this.fills.push({ pattern, bytes });
    if (pattern === POISON) this.lastWriter = 'none';
  };
  launch = (kernel: Native.Kernel, dims: Native.LaunchDims, args: Native.KernelArg[]) => {
    this.calls.push(`launch ${kernel.name}`);
    this.launches.push({ name: kernel.name, grid: dims.grid, args });
  };
  synchronize = async () => {
    this.calls.push('synchronize');
    if (this.pendingFault)
      throw Object.assign(new Error('CUDA_ERROR_ILLEGAL_ADDRESS: the context is lost'), {
        code: 'E_KERNEL_FAULT',
        cudaError: 'CUDA_ERROR_ILLEGAL_ADDRESS',
      });
  };
  download = (_src: Native.DeviceBuffer, bytes?: number): ArrayBuffer => {
    const buf = new ArrayBuffer(bytes ?? DIFF_WORDS * 8);
    const v = new DataView(buf);
    const quality =
      this.lastWriter === 'ours'
        ? (this.scenario.ours ?? 'good')
        : this.lastWriter === 'peer'
          ? (this.scenario.peer ?? 'good')
          : this.lastWriter === 'peer-wrong'
            ? 'wrong'
            : 'unwritten';
    const count = Number(
      (this.launches.filter((l) => l.name === UtilKernel.calcDiff).at(-1)!.args[2] as { u64: bigint }).u64,
    );
    v.setFloat64(DiffWord.sumXY * 8, quality === 'wrong' ? 0.5 * count : count, true);
    v.setFloat64(DiffWord.sumXXYY * 8, 2 * count * (1 + 1e-6), true);
    v.setFloat64(DiffWord.sumYY * 8, count, true);
    v.setBigUint64(DiffWord.unwritten * 8, BigInt(quality === 'unwritten' ? count : 0), true);
    return buf;
  };
  createGemmLaunch = (spec: Native.GemmLaunchSpec): Native.GemmLaunch => {
    const { kernel: _k, a: _a, b: _b, sfa: _sa, sfb: _sb, d: _d, ...rest } = spec;
    const h = {
      spec: rest,
      pdl: spec.pdl === true,
      run: () => {
        this.runs.ours++;
        this.lastWriter = 'ours';
        this.calls.push('run ours');
        if (this.runs.ours === this.scenario.faultOnRun) this.pendingFault = true;
      },
      dispose: () => {
        this.live.delete(h);
      },
    };
    return this.own(h);
  };
  createCublasLtLaunch = (_spec: Native.PeerLaunchSpec, options?: { algorithm?: number }): Native.PeerLaunch => {
    if (this.scenario.peer === 'create-fails')
      throw Object.assign(new Error('CUBLAS_STATUS_NOT_SUPPORTED for this shape'), { code: 'E_CUDA' });
    const algo = options?.algorithm ?? 0;
    const found = this.scenario.algorithms ?? 1;
    if (algo >= found)
      throw Object.assign(new Error(`cuBLASLt offers ${found} algorithm(s)`), { code: 'E_BAD_ARGUMENT' });
    const wrong = this.scenario.wrongAlgorithms?.includes(algo) === true;
    const h = {
      peer: true,
      algo,
      run: () => {
        this.runs.peer++;
        this.lastWriter = wrong ? 'peer-wrong' : 'peer';
        this.calls.push('run peer');
      },
      dispose: () => {
        this.live.delete(h);
      },
      algorithm: (): Native.CublasLtAlgorithm => ({
        index: algo,
        found,
        fromHeuristic: algo === 0,
        id: 100 + algo,
        tile: 20 + algo,
        stages: 5,
        splitK: 1,
        reductionScheme: 0,
        ctaSwizzling: 0,
        clusterShape: 2,
        wavesCount: 1,
        workspaceBytes: 0,
      }),
    };
    return this.own(h);
  };
  timeGraphs = async (
    entries: Array<Array<Native.GemmLaunch | Native.PeerLaunch>>,
    options: Native.TimingOptions,
  ): Promise<Native.TimingResult> => {
    const pdl = entries[0].map((l) => (l as unknown as { pdl: boolean }).pdl);
    this.timeCalls.push({ entries: entries.map((e) => e.length), options, pdl });
    this.calls.push(`time ${entries.length}`);
    if (entries.length > 1 && this.scenario.peer === 'graph-fails')
      throw Object.assign(new Error('capture of cublasLtMatmul failed'), { code: 'E_CUDA' });
    if (pdl[0] && this.scenario.pdlCaptureFails)
      throw Object.assign(new Error('cuStreamEndCapture: CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED'), { code: 'E_CUDA' });
    // Our entries: 10 µs first, 20 after; cuBLASLt: 20 µs, algorithm #2 19, #3 22.
    const base = (e: Array<Native.GemmLaunch | Native.PeerLaunch>, i: number) => {
      const first = e[0] as unknown as { peer?: boolean; algo?: number };
      if (!first.peer) return i === 0 ? 10 : 20;
      return first.algo === 1 ? 19 : first.algo === 2 ? 22 : 20;
    };
    return {
      perCallUs: entries.map((e, i) => Array.from({ length: options.rounds }, (_, r) => base(e, i) + (r % 3) * 0.1)),
    };
  };
}
