// Compiling one GEMM kernel for a problem and a resolved config: generated source -> JIT (disk
// cache) -> the register report from ptxas. Needs no GPU.
import type { CompileReport, GemmConfig, GemmProblem, RuntimeSettings } from '../../../protocol/worker';
import type { AddonModule } from '../addon';
import type { GemmSourceOptions } from '../../core/kernelSource';
import { jitCompile, type Logger } from './jit';
import { kernelSourceFor, registerReport } from './policy';

export async function compileGemm(
  addon: AddonModule,
  settings: RuntimeSettings,
  problem: GemmProblem,
  config: GemmConfig,
  log?: Logger,
  variant?: GemmSourceOptions,
): Promise<CompileReport> {
  const { source, kernelName } = kernelSourceFor(problem, config, variant, settings.compiledDims);
  const compiled = await jitCompile(addon, settings, source, [kernelName], log);
  return {
    problem,
    config,
    kernelName,
    cacheKey: compiled.key,
    cacheHit: compiled.cacheHit,
    compileMs: compiled.elapsedMs,
    cubinPath: compiled.cubinPath,
    ptxasLog: compiled.ptxasLog,
    registers: registerReport(compiled.ptxasLog, kernelName, config),
    command: compiled.command,
  };
}
