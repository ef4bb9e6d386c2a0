// The start of every grouped case's measurement, whatever its data type: the compiled kernel
// loaded, and the result it will fill (the case, its draw, config and register report, the
// driver's view of the loaded kernel next to ptxas's); and its launches, one per input set.
import type { DeviceBuffer, GemmLaunch, Kernel } from '../../../../native/index';
import type { GroupedCase, GroupedDraw, GroupedResult } from '../../../protocol/grouped';
import type { CompileReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import type { AddonModule } from '../addon';
import type { DeviceScope } from '../bench/buffers';
import { gemmLaunchSpec, type LaunchDims, type LaunchExtras } from '../bench/launchSpec';

export function loadCaseKernel(
  addon: AddonModule,
  c: GroupedCase,
  draw: GroupedDraw,
  problem: GemmProblem,
  config: GemmConfig,
  compiled: CompileReport,
): { kernel: Kernel; result: GroupedResult } {
  const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const result: GroupedResult = {
    case: c,
    draw,
    problem,
    config,
    kernelName: compiled.kernelName,
    registers: {
      ...compiled.registers,
      driver: {
        numRegs: kernel.attributes.numRegs,
        localSizeBytes: kernel.attributes.localSizeBytes,
        sharedSizeBytes: kernel.attributes.sharedSizeBytes,
      },
    },
    compile: { cacheHit: compiled.cacheHit, ms: compiled.compileMs, cacheKey: compiled.cacheKey },
  };
  return { kernel, result };
}

/** One input set of a case on the device (scales only for the FP8 kinds; C for the accumulating ones). */
export interface CaseOperands {
  a: DeviceBuffer;
  b: DeviceBuffer;
  d: DeviceBuffer;
  sfa?: DeviceBuffer;
  sfb?: DeviceBuffer;
  c?: DeviceBuffer;
  layout?: DeviceBuffer;
  flags?: DeviceBuffer;
}

/**
 * One launch per input set, owned by `scope`. An accumulating kind's correctness launch reads C and
 * writes a separate D (the launch copies C into D first); with `inPlace` D aliases C, as a training
 * step does, so a timed figure is the kernel's alone, without that copy.
 */
export function caseLaunches(
  addon: AddonModule,
  scope: DeviceScope,
  kernel: Kernel,
  dims: LaunchDims,
  config: GemmConfig,
  sets: readonly CaseOperands[],
  extras: LaunchExtras,
  inPlace: boolean,
): GemmLaunch[] {
  return sets.map((set) =>
    scope.adopt(
      addon.createGemmLaunch(
        gemmLaunchSpec(
          kernel,
          dims,
          config,
          {
            a: set.a,
            b: set.b,
            d: set.d,
            ...(set.sfa ? { sfa: set.sfa } : {}),
            ...(set.sfb ? { sfb: set.sfb } : {}),
            ...(set.c ? { c: inPlace ? set.d : set.c } : {}),
            ...(set.layout ? { groupedLayout: set.layout } : {}),
            ...(set.flags ? { flags: set.flags } : {}),
          },
          extras,
        ),
      ),
    ),
  );
}
