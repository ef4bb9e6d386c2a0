// `fp8lab bench --kernel contiguous|masked|kgrouped|wgrad|bf16|bf16-contiguous|bf16-masked|bf16-kgrouped
// [--shapes ...]`: the grouped and weight-gradient GEMMs, and the BF16 GEMMs. Without --shapes: the standard list for the kind. Correctness over the valid
// rows (and the rows that must stay untouched) before timing; DeepGEMM runs beside ours on the
// same case when the peers' Python has it.
import { parseGroupedArgs, GROUPED_DEFAULT_ROUNDS } from '../core/grouped/cliArgs';
import { caseLabel } from '../core/grouped/cases';
import { groupedRow, groupedTable } from '../core/grouped/table';
import { benchGrouped } from '../worker/grouped/groupedService';
import { runCaseBenchVerb } from './caseBenchVerb';
import type { CliIo } from './io';
import { VERB_EXIT, usageError } from './verbSupport';
import { CONFIG_KEYS, parseConfigText } from './verbArgs';
import type { ConfigOverrides } from '../../protocol/worker';

export const GROUPED_BENCH_HELP = `Usage: fp8lab bench --kernel contiguous|masked|kgrouped|wgrad|bf16|bf16-contiguous|bf16-masked|bf16-kgrouped [--shapes SHAPE ...] [options]

Grouped and weight-gradient FP8 GEMMs on the local Hopper GPU. Per-group sizes are drawn like
DeepGEMM's test generators from the seed (recorded in --json). Correctness first: FP32 reference per
group, calc_diff < 1e-3 over the valid rows, padding rows / rows past masked_m poisoned and checked
untouched; then the median of CUDA-graph replays over rotated inputs, interleaved round by round
with DeepGEMM on the same case (same group sizes) when the Python in fp8lab.pythonPath /
FP8LAB_PYTHON (else python3) has torch and deep_gemm; otherwise one line says why and the run goes on.

Shapes (default, or 'standard': the standard list for the kind, after DeepGEMM's test generators):
  contiguous  G,M,N,K          M = expected rows per group (FLOPs over the padded rows)
  masked      G,EXPECTED_M,N,K[,MMAX]   (MMAX default 4096; FLOPs and bytes over the valid rows)
  kgrouped    G,M,N,K          K = expected K per group
  wgrad       M,N,K            D = C + A·Bᵀ, FP32
  bf16        M,N,K            BF16 A and B, D = A·Bᵀ (standard: the DeepSeek shapes and 8192³); K % 8 == 0,
                               N % 8 == 0; checked against FP32 with calc_diff < 1e-5; beside it cuBLASLt's BF16 matmul
                               (every algorithm checked and raced, the fastest kept) and DeepGEMM's bf16_gemm_nt
  bf16-contiguous, bf16-masked  the contiguous / masked shapes with BF16 A, B and D (DeepGEMM's m_grouped_bf16_gemm_nt_*)
  bf16-kgrouped G,M,N,K        K = expected K per group; BF16 A [M, ΣK_g] and B [N, ΣK_g], FP32 D_g = C_g + A_g·B_gᵀ;
                               every K_g % 64 == 0 (0 = an empty group, D_g stays C_g), N % 4 == 0; checked with
                               calc_diff < 1e-5; beside it DeepGEMM's k_grouped_bf16_gemm_tn_contiguous (K_g % 128)
Options:
  --json FILE     write the whole run as JSON      --rounds N   timed rounds (default ${GROUPED_DEFAULT_ROUNDS})
  --seed N        draws and random inputs           --check-only correctness only
  --no-pdl        no programmatic dependent launch  --edge-cases add the empty-group / psum cases
  --no-peer       without DeepGEMM
  --output T      bf16 only: D as bf16 (default), fp32, or fp32-accumulate (D = C + A·Bᵀ)
  --config k=v,...  force parts of every case's config over the heuristics' choice (the rest
                  completed, every rule of the kind's kernel checked); keys: ${Object.keys(CONFIG_KEYS).join(', ')}
`;

/** --config k=v,... (or --config=k=v,...) taken out of the arguments: the fields it forces, or what is wrong. */
function takeConfig(args: string[]): { rest: string[]; config?: ConfigOverrides; error?: string } {
  const rest: string[] = [];
  let config: ConfigOverrides | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const text = a === '--config' ? args[++i] : a.startsWith('--config=') ? a.slice('--config='.length) : undefined;
    if (text === undefined) {
      rest.push(a);
      continue;
    }
    const parsed = parseConfigText(text);
    if (parsed.ok === false) return { rest, error: parsed.message };
    if (parsed.ok === true) config = { ...config, ...parsed.value };
  }
  return { rest, ...(config ? { config } : {}) };
}

export async function runGroupedBench(args: string[], io: CliIo): Promise<number> {
  const taken = takeConfig(args);
  if (taken.error) {
    io.err(`fp8lab bench: ${taken.error}\n\n${GROUPED_BENCH_HELP}`);
    return VERB_EXIT.usage;
  }
  const parsed = parseGroupedArgs(taken.rest);
  if (parsed.ok === 'help') {
    io.out(GROUPED_BENCH_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('bench', parsed, GROUPED_BENCH_HELP, io);
  const { cases, shapesLabel, jsonFile } = parsed.value;
  const options = { ...parsed.value.options, ...(taken.config ? { config: taken.config } : {}) };
  return runCaseBenchVerb(io, {
    kind: parsed.value.kind,
    cases,
    shapesLabel,
    ...(jsonFile ? { jsonFile } : {}),
    run: (settings, hooks) => benchGrouped(settings, cases, options, hooks),
    row: groupedRow,
    table: groupedTable,
    label: caseLabel,
  });
}
