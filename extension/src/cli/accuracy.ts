// `fp8lab accuracy M N K [--input normal|outliers|tiny] [--seed N] --json FILE`: the three-way
// accuracy study (the design vs per-tensor scaling vs no promotion, all real kernels on the GPU)
// against an FP32 GEMM of the original inputs; the report is what the accuracy view opens.
import { formatAccuracyReport } from '../core/studies/studyText';
import * as service from '../worker/service';
import { accuracyStudy } from '../worker/studies/accuracyStudy';
import type { CliIo } from './io';
import { parseAccuracyArgs } from './studyArgs';
import { CONFIG_KEYS } from './verbArgs';
import {
  cliSettings,
  runCancellable,
  STOP_NOTICE,
  studyHooks,
  VERB_EXIT,
  writeJsonReport,
  usageError,
} from './verbSupport';

export const ACCURACY_HELP = `Usage: fp8lab accuracy M N K --json FILE [--input normal|outliers|tiny] [--seed N]

On the same random FP32 inputs, runs three kernels on the local Hopper GPU: the design (1x128 A and
128x128 B scales, promoted into FP32 every K-block), the same kernel on per-tensor scaled inputs, and
the no-promotion kernel (all of K in the tensor-core accumulator) on per-tensor inputs. Each output
is compared with an FP32 GEMM of the ORIGINAL inputs: calc_diff, max abs / rel error, a histogram of
relative errors and per-tile sums for the heatmap. The design is also checked against the FP32 GEMM
of its dequantised inputs (calc_diff < 1e-3, or the study stops).

Options:
  --json FILE        the AccuracyReport to write (required)
  --input KIND       normal (default): N(0,1); outliers: heavy rows, columns and elements;
                     tiny: N(0,1) x 2^-24, near e4m3's underflow
  --seed N           random inputs seed (default 0; recorded in the report)
  --config k=v,...   force parts of the config; keys: ${Object.keys(CONFIG_KEYS).join(', ')}

Exit codes: 0 done, 1 bad command line, 4 no usable CUDA toolkit, 5 native addon broken,
6 failed (no Hopper GPU, wrong result, ...), 130 interrupted.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseAccuracyArgs(args);
  if (parsed.ok === 'help') {
    io.out(ACCURACY_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('accuracy', parsed, ACCURACY_HELP, io);
  const a = parsed.value;
  return runCancellable('accuracy', io, STOP_NOTICE, async (cancelled) => {
    const settings = cliSettings(io);
    const [problem] = a.config ? await service.completeConfigs(settings, [a.problem], a.config) : [a.problem];
    const report = await accuracyStudy(settings, problem, { input: a.input, seed: a.seed }, studyHooks(io, cancelled));
    io.out(formatAccuracyReport(report));
    await writeJsonReport(a.jsonFile, report, io);
    return VERB_EXIT.ok;
  });
}
