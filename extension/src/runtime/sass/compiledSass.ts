// The SASS of one config: compile it with line info (its own cache entry: -lineinfo is part of the
// key; the SASS is the same as without it) and disassemble the cubin. Shared by the CLI and the
// extension, which pass their own way of compiling (in-process service or the runtime worker).

import type { SassReport } from '../../../protocol/sass';
import type { CompileJob, CompileReport, RuntimeSettings } from '../../../protocol/worker';
import { disassembleCubin } from './disassemble';
import { requireSassTools, type SassTools } from './tools';

export type CompileFn = (settings: RuntimeSettings, job: CompileJob) => Promise<CompileReport>;

export async function compiledSass(
  compile: CompileFn,
  settings: RuntimeSettings,
  job: CompileJob,
  tools: SassTools,
): Promise<SassReport> {
  // Before compiling: a machine without the tools learns it at once.
  requireSassTools(tools);
  const compiled = await compile({ ...settings, withLineinfo: true }, job);
  const dis = await disassembleCubin(tools, compiled.cubinPath);
  return { problem: compiled.problem, config: compiled.config, kernelName: compiled.kernelName, ...dis };
}
