// `fp8lab compile M N K [--config block_m=..,block_n=..,...] [--json]`: compiles the kernel for a
// shape (the heuristic's config, or the forced one) and prints the register report. No GPU needed.
import type { CompileReport } from '../../protocol/worker';
import { formatConfig } from '../core/runRows';
import * as service from '../worker/service';
import type { CliIo } from './io';
import { CONFIG_KEYS, parseShapeVerbArgs } from './verbArgs';
import { cliSettings, reportError, VERB_EXIT, usageError } from './verbSupport';
import { problemLabel } from '../core/grouped/configProblem';

export const COMPILE_HELP = `Usage: fp8lab compile M N K [--kernel normal|bf16|wgrad] [--output T] [--config k=v,...] [--json]
       fp8lab compile --kernel contiguous|masked|kgrouped|bf16-contiguous|bf16-masked|bf16-kgrouped CASE [--config k=v,...] [--json]

Compiles the GEMM kernel for the shape through the JIT (disk cache) and prints its register report
(ptxas: registers, spills, stack, static shared memory; setmaxnreg per role; occupancy), the cache
key, hit or miss, and the compile time. --config forces parts of the config (the rest completed by
the heuristics); keys: ${Object.keys(CONFIG_KEYS).join(', ')}. --kernel bf16 compiles the BF16 GEMM
(--output bf16, fp32 or fp32-accumulate) instead of the FP8 one; wgrad and kgrouped build the 1D1D
kernel (its own tiles, clusters of 2 where they pair, no split-K); the grouped kinds take a case as
\`fp8lab bench --kernel KIND\` does (G,M,N,K; masked G,EXPECTED_M,N,K[,MMAX]).
`;

export function formatCompileReport(r: CompileReport): string {
  const g = r.registers;
  return (
    [
      `kernel      ${r.kernelName}`,
      `shape       ${problemLabel(r.problem)} (${r.problem.kind})`,
      `config      ${formatConfig(r.config)}, ${r.config.numThreads} threads, ${r.config.sharedBytes} B dynamic smem, ${r.config.numSms} SMs`,
      `registers   ${g.registers} per thread (ptxas); setmaxnreg producer ${g.producerRegisters}, math ${g.mathRegisters}`,
      `local mem   ${g.spillStoresBytes} B spill stores, ${g.spillLoadsBytes} B spill loads, ${g.stackFrameBytes} B stack`,
      `smem        ${g.staticSharedBytes} B static + ${g.dynamicSharedBytes} B dynamic; ${g.occupancyCtasPerSm} CTA(s) per SM`,
      `cache       ${r.cacheHit ? 'hit' : 'miss'} in ${r.compileMs.toFixed(1)} ms, key ${r.cacheKey.slice(0, 16)}…`,
      `cubin       ${r.cubinPath}`,
    ].join('\n') + '\n'
  );
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseShapeVerbArgs('compile', args);
  if (parsed.ok === 'help') {
    io.out(COMPILE_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('compile', parsed, COMPILE_HELP, io);
  try {
    const settings = cliSettings(io);
    const { problem, config, json } = parsed.value;
    const [withConfig] = config ? await service.completeConfigs(settings, [problem], config) : [problem];
    const report = await service.compileKernel(settings, {
      problem: withConfig,
      ...(withConfig.config ? { config: withConfig.config } : {}),
    });
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : formatCompileReport(report));
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('compile', err, io);
  }
}
