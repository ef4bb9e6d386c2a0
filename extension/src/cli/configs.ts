// `fp8lab configs M N K [--json]`: every candidate tile config for a shape, the rejected ones with
// their reason, and the one the heuristic picks (no GPU needed: an H100 is assumed without one).
import * as service from '../worker/service';
import { formatConfigReport } from '../worker/bench/policy';
import type { CliIo } from './io';
import { parseShapeVerbArgs } from './verbArgs';
import { cliSettings, reportError, VERB_EXIT, usageError } from './verbSupport';

export const CONFIGS_HELP = `Usage: fp8lab configs M N K | M,N,K [--kernel normal|bf16] [--output T] [--legal] [--top N] [--json]

Lists every candidate config (block_m, block_n, stages, cluster, math warpgroups, shared memory,
waves) for the shape, with the reason for each rejected one, and marks the heuristic's choice.
Uses the local GPU's SM count when there is one, else an H100 SXM (132 SMs). --json prints the
ConfigReport (all candidates).
  --legal   only the legal candidates (the rejected ones are counted in the header)
  --top N   only the N legal candidates the cost model predicts fastest, fastest first
  --kernel  normal (the FP8 GEMM, default) or bf16 (the BF16 GEMM: K % 8, its own tiles and cost model)
  --output  bf16 only: bf16 (default), fp32 or fp32-accumulate (the D tile, hence the stages, change)
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseShapeVerbArgs('configs', args);
  if (parsed.ok === 'help') {
    io.out(CONFIGS_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('configs', parsed, CONFIGS_HELP, io);
  try {
    const report = await service.configs(cliSettings(io), parsed.value.problem);
    io.out(
      parsed.value.json
        ? JSON.stringify(report, null, 2) + '\n'
        : formatConfigReport(report, { legalOnly: parsed.value.legalOnly, top: parsed.value.top }),
    );
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('configs', err, io);
  }
}
