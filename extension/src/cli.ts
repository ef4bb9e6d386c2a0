// `fp8lab` — the headless command line (package.json bin -> extension/dist/cli.js). It parses the
// verb and hands the rest of argv to extension/src/cli/<verb>.ts, which runs the same runtime code
// as the extension's worker, in this process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as bench } from './cli/bench';
import { run as check } from './cli/check';
import { run as compile } from './cli/compile';
import { run as configs } from './cli/configs';
import { run as tune } from './cli/tune';
import { run as timeline } from './cli/timeline';
import { run as accuracy } from './cli/accuracy';
import { run as layout } from './cli/layout';
import { run as sass } from './cli/sass';
import { run as sweep } from './cli/sweep';
import { run as tuning } from './cli/tuning';
import { run as calibrate } from './cli/calibrate';
import type { CliIo, CliVerb } from './cli/io';
import { VERB_EXIT } from './cli/verbSupport';
import { endQuietlyOnClosedPipe } from './cli/pipes';
import { codedData } from './worker/workerErrors';
import { findExtensionRoot } from './worker/addon';

const VERBS: Record<string, { run: CliVerb; summary: string }> = {
  check: {
    run: check,
    summary: 'environment report: GPU, driver, toolkit, NVRTC, cuBLASLt, cache (exit code says what is missing)',
  },
  bench: {
    run: bench,
    summary: 'benchmark shapes (--shapes deepseek | M,N,K ...) against cuBLASLt; study mode without a GPU',
  },
  configs: {
    run: configs,
    summary: 'candidate tile configs for M N K, the rejected ones with reasons, and the chosen one',
  },
  compile: {
    run: compile,
    summary: 'compile the kernel for M N K (optionally --config ...) and print its register use',
  },
  tune: {
    run: tune,
    summary: 'time the best candidate configs of each shape on the GPU: measured vs predicted ranking (autotune)',
  },
  timeline: {
    run: timeline,
    summary: 'pipeline timeline of M N K on the GPU (instrumented kernel): Perfetto trace, summary, its own cost',
  },
  accuracy: {
    run: accuracy,
    summary: 'accuracy of M N K against FP32: the design vs per-tensor scaling vs no promotion (--input, --seed)',
  },
  sass: {
    run: sass,
    summary:
      'SASS of M N K (optionally --config ...): listing with source lines and control bits, --mix, --against a 2nd config',
  },
  sweep: {
    run: sweep,
    summary:
      'shapes x tune|bench|compile split into tasks on every local GPU or a Slurm job array; status, cancel, retry, collect',
  },
  tuning: {
    run: tuning,
    summary: 'the tuning store: what is recorded for this GPU and kernel source (show), export / import as JSON',
  },
  calibrate: {
    run: calibrate,
    summary: "measure this GPU's cost-model terms (FP8 rate, clock under load, memory, L2, power) once and store them",
  },
  layout: {
    run: layout,
    summary:
      'layout utilities of the grouped kernels: TMA-aligned size, FP8 casts, scale layout conversion, SM count / alignment',
  },
};

export const HELP = `Usage: fp8lab <command> [options]      (fp8lab <command> --help for its options)

Commands:
${Object.entries(VERBS)
  .map(([name, v]) => `  ${name.padEnd(8)} ${v.summary}`)
  .join('\n')}

Options:
  --help, -h     this text
  --version      the package version

\`fp8lab check\` exit codes: 0 ready (Hopper GPU + CUDA >= 12.3 toolkit), 1 bad command line,
2 no CUDA driver/GPU, 3 GPU is not Hopper, 4 no usable toolkit, 5 native addon missing or broken.
bench/configs/compile exit codes: ${VERB_EXIT.ok} done, ${VERB_EXIT.usage} bad command line or shape, ${VERB_EXIT.noToolkit} no usable toolkit,
${VERB_EXIT.addonBroken} native addon missing or broken, ${VERB_EXIT.failed} a shape or compile failed, ${VERB_EXIT.cancelled} cancelled.
Knobs are FP8LAB_* environment variables (FP8LAB_JIT_CACHE_DIR, FP8LAB_JIT_DEBUG, FP8LAB_NUM_SMS, ...).
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    if (verb === 'help' && rest[0] && VERBS[rest[0]]) return VERBS[rest[0]].run(['--help'], io);
    io.out(HELP);
    return verb === undefined ? 1 : 0;
  }
  if (verb === '--version') {
    io.out(`${JSON.parse(readFileSync(join(findExtensionRoot(), 'package.json'), 'utf8')).version}\n`);
    return 0;
  }
  const command = VERBS[verb];
  if (!command) {
    io.err(`fp8lab: unknown command ${JSON.stringify(verb)}; use one of ${Object.keys(VERBS).join(', ')}.\n\n${HELP}`);
    return 1;
  }
  return command.run(rest, io);
}

endQuietlyOnClosedPipe([process.stdout, process.stderr]);

const io: CliIo = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    const data = codedData(err);
    process.stderr.write(
      `fp8lab: [${data.code}] ${data.message}\n${data.code === 'E_INTERNAL' && data.log ? data.log + '\n' : ''}`,
    );
    process.exitCode = data.code === 'E_ADDON_LOAD' ? VERB_EXIT.addonBroken : 70;
  },
);
