// The one place a tile config becomes the addon's GemmLaunchSpec (native/index.d.ts), for the
// benchmark, the tuner, the studies and the grouped cases: the config's sixteen fields are copied
// here and nowhere else, so a new config field reaches every launch at once.
import type { DeviceBuffer, GemmKind, GemmLaunchSpec, Kernel } from '../../../../native/index';
import type { GemmConfig } from '../../../protocol/worker';
import { compiledShapeOfKernel } from '../../core/kernelSource';
import { coded } from './errors';

/** What the kernel sees: rows of A (contiguous: ΣM), N, K (kgrouped: ΣK_g) and the group count. */
export interface LaunchDims {
  kind: GemmKind;
  m: number;
  n: number;
  k: number;
  numGroups: number;
}

/** The device buffers of one launch; scales for the FP8 kinds, c, groupedLayout and flags only where the kind uses them. */
export interface LaunchOperands {
  a: DeviceBuffer;
  b: DeviceBuffer;
  sfa?: DeviceBuffer;
  sfb?: DeviceBuffer;
  d: DeviceBuffer;
  c?: DeviceBuffer;
  groupedLayout?: DeviceBuffer;
  flags?: DeviceBuffer;
}

export interface LaunchExtras {
  pdl: boolean;
  /** Contiguous: groupedLayout is psum[G]. */
  psumLayout?: boolean;
  /** The instrumented build's event buffer (FP8LAB_TRACE=1 kernels only). */
  trace?: DeviceBuffer;
  traceCapacity?: number;
  /** Kind 'bf16': D's element type (absent: bf16). */
  dType?: 'bf16' | 'fp32';
}

export function gemmLaunchSpec(
  kernel: Kernel,
  dims: LaunchDims,
  config: GemmConfig,
  operands: LaunchOperands,
  extras: LaunchExtras,
): GemmLaunchSpec {
  const { a, b, sfa, sfb, d, c, groupedLayout, flags } = operands;
  // A kernel compiled for one N and K traps on any other: refuse such a launch before it starts.
  const compiled = compiledShapeOfKernel(kernel.name);
  if (compiled && (compiled.n !== dims.n || compiled.k !== dims.k))
    throw coded(
      'E_INVALID_CONFIG',
      `${kernel.name} was compiled for N = ${compiled.n}, K = ${compiled.k} and cannot run N = ${dims.n}, K = ${dims.k}: compile it for this shape`,
    );
  return {
    kernel,
    kind: dims.kind,
    m: dims.m,
    n: dims.n,
    k: dims.k,
    numGroups: dims.numGroups,
    blockM: config.blockM,
    blockN: config.blockN,
    blockK: config.blockK,
    numStages: config.numStages,
    numMathWarpgroups: config.numMathWarpgroups,
    clusterM: config.clusterM,
    clusterN: config.clusterN,
    splitK: config.splitK ?? 1,
    swizzleA: config.swizzleA,
    swizzleB: config.swizzleB,
    swizzleD: config.swizzleD,
    numSms: config.numSms,
    sharedBytes: config.sharedBytes,
    a,
    b,
    d,
    ...(sfa ? { sfa } : {}),
    ...(sfb ? { sfb } : {}),
    ...(extras.dType ? { dType: extras.dType } : {}),
    ...(c ? { c } : {}),
    ...(groupedLayout ? { groupedLayout } : {}),
    ...(flags ? { flags } : {}),
    ...(extras.psumLayout ? { psumLayout: true } : {}),
    pdl: extras.pdl,
    ...(extras.trace ? { trace: extras.trace, traceCapacity: extras.traceCapacity } : {}),
  };
}

/** A normal GEMM's dims: the problem as it is, one group. */
export const normalDims = (p: { kind: GemmKind; m: number; n: number; k: number }): LaunchDims => ({
  kind: p.kind,
  m: p.m,
  n: p.n,
  k: p.k,
  numGroups: 1,
});
