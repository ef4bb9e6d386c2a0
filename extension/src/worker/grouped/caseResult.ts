// The start of every grouped case's measurement, whatever its data type: the compiled kernel
// loaded, and the result it will fill (the case, its draw, config and register report, the
// driver's view of the loaded kernel next to ptxas's).
import type { Kernel } from '../../../../native/index';
import type { GroupedCase, GroupedDraw, GroupedResult } from '../../../protocol/grouped';
import type { CompileReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import type { AddonModule } from '../addon';

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
