// `fp8lab bench --kernel mqa-logits|paged-mqa-logits [SHAPE ...]`: DeepSeek-V3.2's indexer kernels.
// Without shapes: DeepGEMM's own test shapes. Correctness first (FP32 reference of the same FP8
// inputs, every logit's kind and calc_diff), then timing beside DeepGEMM when the peers' Python has it.
import { parseMqaArgs } from '../core/mqa/mqaCliArgs';
import { mqaCaseLabel } from '../core/mqa/mqaShapes';
import { mqaRow, mqaTable } from '../core/mqa/mqaTable';
import { benchMqa } from '../worker/mqa/mqaService';
import { runCaseBenchVerb } from './caseBenchVerb';
import type { CliIo } from './io';
import { VERB_EXIT, usageError } from './verbSupport';

export const MQA_BENCH_HELP = `Usage: fp8lab bench --kernel mqa-logits|paged-mqa-logits [SHAPE ...] [options]

DeepSeek-V3.2's indexer scoring in FP8 on the local Hopper GPU:
  logits[i, j] = Σ_h relu(q[i,h,:]·kv[j,:]·scale[j])·weights[i,h]
for each query's key window (mqa-logits) or each decode token's context in a paged KV cache of
64-key pages (paged-mqa-logits). Inputs by DeepGEMM's test recipe from the seed (recorded in
--json). Correctness first: the logits are poisoned with NaN, one call, then every element is
compared with an FP32 reference of the same FP8 inputs (value, -inf, or left untouched; calc_diff
< 1e-5); then the median of CUDA-graph replays over rotated inputs, interleaved round by round with
DeepGEMM's fp8_mqa_logits / fp8_paged_mqa_logits on the same windows when the Python in
fp8lab.pythonPath / FP8LAB_PYTHON (else python3) has torch and deep_gemm.

Shapes (default: DeepGEMM's sm90 test shapes):
  mqa-logits        SEQ_Q,SEQ_KV,HEADS,DIM[,causal|cp|ragged]   (windows default causal)
  paged-mqa-logits  BATCH,NEXT_N,HEADS,DIM,AVG_KV               (contexts in [0.7, 1.3) x AVG_KV)
  heads 32 or 64, dim 64 or 128; paged next_n x heads <= 128
Options:
  --json FILE     write the whole run as JSON      --rounds N   timed rounds (default 10)
  --seed N        draws and random inputs           --check-only correctness only
  --no-pdl        no programmatic dependent launch  --no-peer    without DeepGEMM
  --logits-stride tight|deepgemm   mqa-logits: the logits rows the bench allocates, 16-byte rows over
                  SEQ_KV (default) or DeepGEMM's own (SEQ_KV + 256 keys in whole 1 KB rows)
`;

export async function runMqaBench(args: string[], io: CliIo): Promise<number> {
  const parsed = parseMqaArgs(args);
  if (parsed.ok === 'help') {
    io.out(MQA_BENCH_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('bench', parsed, MQA_BENCH_HELP, io);
  const { kind, cases, shapesLabel, jsonFile, options } = parsed.value;
  return runCaseBenchVerb(io, {
    kind,
    cases,
    shapesLabel,
    ...(jsonFile ? { jsonFile } : {}),
    run: (settings, hooks) => benchMqa(settings, kind, cases, options, hooks),
    row: mqaRow,
    table: mqaTable,
    label: mqaCaseLabel,
  });
}
