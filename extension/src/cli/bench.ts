// `fp8lab bench [--shapes deepseek | M,N,K ...] [--json FILE] [--no-peer] [--rounds N] ...`:
// correctness then timing of every shape on the local GPU next to its peers, a progress line per
// shape, a table at the end, and the whole BenchRun as JSON. Without a Hopper GPU: study mode
// (compile every kernel, print config, registers and spills).
import type { BenchRun, ShapeResult } from '../../protocol/worker';
import { probeEnvironment } from '../worker/environment';
import { progressLine, benchTable } from '../worker/bench/table';
import * as service from '../worker/service';
import type { CliIo } from './io';
import { parseBenchArgs, CONFIG_KEYS, DEFAULT_ROUNDS } from './verbArgs';
import { runGroupedBench } from './groupedBench';
import { runMqaBench } from './mqaBench';
import { wantsMqaKernel } from '../core/mqa/mqaCliArgs';
import {
  benchExitCode,
  cliSettings,
  logToStderr,
  runCancellable,
  STOP_NOTICE_WITH_QUIT,
  VERB_EXIT,
  writeJsonReport,
  usageError,
} from './verbSupport';
import { studyModeNotice } from '../core/environmentText';

export const BENCH_HELP = `Usage: fp8lab bench [--shapes deepseek | M,N,K ...] [options]

For each shape, on the local Hopper GPU: correctness first (FP32 reference on the dequantised
inputs, output poisoned with NaN beforehand, every element checked, calc_diff < 1e-3), then the
median time of CUDA-graph replays over rotated inputs (> 3x L2) after warm-up, interleaved round by
round with the peers on the same GPU: cuBLASLt block-scaled FP8 (every algorithm its heuristic offers
checked and raced, the fastest kept), and, when the Python in fp8lab.pythonPath / FP8LAB_PYTHON (else
python3) has torch and deep_gemm, DeepGEMM and torch._scaled_mm (each checked before it is timed).
A peer that cannot run says why in one line and the run goes on without its column. Without a
Hopper GPU: study mode (compile every kernel the shapes need; print config, registers and spills).

Shapes (default: deepseek):
  --shapes NAME|M,N,K ...   presets: deepseek (18), decode (12), prefill (6), gpu-test (42); or M,N,K
                            (also MxNxK); several may follow one --shapes, bare shapes work too
Options:
  --json FILE               write the whole run (BenchRun) as JSON
  --peers LIST              which peers: cublaslt,deepgemm,torch (default all), or none
  --no-peer                 no peers (same as --peers none)
  --rounds N                timed rounds per shape (default ${DEFAULT_ROUNDS})
  --calls-per-graph N       launches per CUDA graph (default: about 2 ms of work, whole rotations)
  --check-only              correctness only, no timing (what the sanitizer runs use)
  --seed N                  random inputs seed (default 0)
  --distribution D          normal (default), outliers, tiny
  --config k=v,...          force a config for every shape; keys: ${Object.keys(CONFIG_KEYS).join(', ')}
  --no-pdl                  launch without programmatic dependent launch (a grid on fewer SMs than
                            the GPU has never uses it)
  --kernel KIND             grouped / weight-gradient GEMMs: contiguous, masked, kgrouped, wgrad;
                            the BF16 GEMMs: bf16, bf16-contiguous, bf16-masked, bf16-kgrouped;
                            DeepSeek-V3.2 indexer: mqa-logits, paged-mqa-logits
                            (fp8lab bench --kernel KIND --help for their shapes and options)

Exit codes: 0 all shapes correct (and timed), 1 bad command line, 4 no usable CUDA toolkit,
5 native addon broken, 6 a shape failed or was wrong, 130 interrupted (Ctrl-C).
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  // The grouped and weight-gradient kinds (cli/groupedBench.ts) and the MQA-logits kernels
  // (cli/mqaBench.ts) have their own cases and checks.
  if (wantsMqaKernel(args)) return runMqaBench(args, io);
  if (args.includes('--kernel')) return runGroupedBench(args, io);
  const parsed = parseBenchArgs(args);
  if (parsed.ok === 'help') {
    io.out(BENCH_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('bench', parsed, BENCH_HELP, io);
  const { problems, shapesLabel, jsonFile, options, config } = parsed.value;

  return runCancellable('bench', io, STOP_NOTICE_WITH_QUIT, async (cancelled) => {
    const settings = cliSettings(io);
    const env = await probeEnvironment(settings);
    if (!env.canRunKernels) io.err(studyModeNotice(env));
    const withConfigs = config ? await service.completeConfigs(settings, problems, config) : problems;
    io.err(
      `fp8lab bench: ${withConfigs.length} shape(s) (${shapesLabel})${env.canRunKernels ? ` on ${env.devices.find((d) => d.isHopper)?.name}` : ''}\n`,
    );
    let done = 0;
    const runResult: BenchRun = await service.bench(settings, withConfigs, options, {
      measured: (r: ShapeResult) => io.err(progressLine(r, done++, withConfigs.length) + '\n'),
      cancelled,
      log: logToStderr(io),
    });
    io.out(benchTable(runResult));
    if (jsonFile) await writeJsonReport(jsonFile, runResult, io, 2);
    return benchExitCode(runResult);
  });
}
