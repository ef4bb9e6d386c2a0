// `fp8lab configs M N K [--json]`: every candidate tile config for a shape, the rejected ones with
// their reason, and the one the heuristic picks (no GPU needed: an H100 is assumed without one).
// The grouped kinds take a grouped case; the MQA-logits kinds list their kernel configs.
import * as service from '../worker/service';
import { formatConfigReport } from '../worker/bench/policy';
import { isGroupedConfigKind, problemLabel } from '../core/grouped/configProblem';
import { parseMqaConfigsArgs, wantsMqaKernel } from '../core/mqa/mqaCliArgs';
import { mqaConfigReport } from '../core/mqa/mqaCandidates';
import { formatMqaConfigReport } from '../core/mqa/mqaConfigTable';
import type { CliIo } from './io';
import { parseShapeVerbArgs } from './verbArgs';
import { cliSettings, reportError, VERB_EXIT, usageError } from './verbSupport';

export const CONFIGS_HELP = `Usage: fp8lab configs M N K | M,N,K [--kernel normal|wgrad|bf16] [--output T] [--legal] [--top N] [--json]
       fp8lab configs --kernel contiguous|kgrouped|bf16-contiguous|bf16-kgrouped G,M,N,K
       fp8lab configs --kernel masked|bf16-masked G,EXPECTED_M,N,K[,MMAX]
       fp8lab configs --kernel mqa-logits SEQ_Q,SEQ_KV,HEADS,DIM[,causal|cp|ragged]
       fp8lab configs --kernel paged-mqa-logits BATCH,NEXT_N,HEADS,DIM,AVG_KV

Lists every candidate config (block_m, block_n, stages, cluster, math warpgroups, shared memory,
waves) for the shape, with the reason for each rejected one, and marks the heuristic's choice.
Uses the local GPU's SM count when there is one, else an H100 SXM (132 SMs). --json prints the
ConfigReport (all candidates).
  --legal   only the legal candidates (the rejected ones are counted in the header)
  --top N   only the N legal candidates the cost model predicts fastest, fastest first
  --kernel  normal (the FP8 GEMM, default), wgrad (the FP8 1D1D weight gradient: its tiles and
            roofline model) or bf16 (the BF16 GEMM: K % 8, its own tiles and cost model);
            contiguous, masked, kgrouped and bf16-contiguous, bf16-masked, bf16-kgrouped: the grouped
            GEMMs, a case as \`fp8lab bench --kernel KIND\` takes it, its groups drawn as that bench
            draws its first case (and planned as it plans: the model alone, no tuned record);
            mqa-logits, paged-mqa-logits: the kernel configs (math warpgroups x Q stages x KV stages)
            the MQA kernels can be built with for the case, each legal or refused by a rule, and the
            one the runtime runs
  --output  bf16 only: bf16 (default), fp32 or fp32-accumulate (the D tile, hence the stages, change)
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  if (wantsMqaKernel(args)) return runMqa(args, io);
  const parsed = parseShapeVerbArgs('configs', args);
  if (parsed.ok === 'help') {
    io.out(CONFIGS_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('configs', parsed, CONFIGS_HELP, io);
  try {
    const report = await service.configs(cliSettings(io), parsed.value.problem);
    if (parsed.value.json) io.out(JSON.stringify(report, null, 2) + '\n');
    else {
      const p = report.problem;
      if (isGroupedConfigKind(p.kind))
        io.out(
          `${p.kind}: ${problemLabel(p)} (groups drawn as \`fp8lab bench --kernel ${p.kind}\` draws its first case)\n`,
        );
      io.out(formatConfigReport(report, { legalOnly: parsed.value.legalOnly, top: parsed.value.top }));
    }
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('configs', err, io);
  }
}

/** The MQA-logits kinds: pure (no toolkit, no GPU): the kernel configs around the runtime's. */
function runMqa(args: string[], io: CliIo): number {
  const parsed = parseMqaConfigsArgs(args);
  if (parsed.ok === 'help') {
    io.out(CONFIGS_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('configs', parsed, CONFIGS_HELP, io);
  try {
    const report = mqaConfigReport(parsed.value.case);
    io.out(
      parsed.value.json
        ? JSON.stringify(report, null, 2) + '\n'
        : formatMqaConfigReport(report, { legalOnly: parsed.value.legalOnly }),
    );
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('configs', err, io);
  }
}
