// `fp8lab check [--json]`: the environment report in a terminal, with an exit code a script can
// branch on (see CHECK_EXIT). Runs the same probe as the worker, in-process.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentReport, ErrorCode } from '../../protocol/worker';
import { RuntimeError } from '../core/runtimeError';
import { findExtensionRoot } from '../worker/addon';
import { probeEnvironment } from '../worker/environment';
import { CHECK_EXIT, checkExitCode, formatReport } from '../core/environmentText';
import { resolveSettings } from '../core/settings';
import type { CliIo } from './io';

export const CHECK_HELP = `Usage: fp8lab check [--json]

Prints the environment report: GPU, driver, CUDA toolkit (nvcc), NVRTC, cuBLASLt, JIT cache.
Settings come from FP8LAB_* environment variables (FP8LAB_JIT_CACHE_DIR, FP8LAB_LIBCUDA_PATH,
FP8LAB_JIT_NVCC_COMPILER, CUDA_HOME, ...).

  --json   print the report as JSON (the EnvironmentReport plus a "check" verdict)

Exit codes:
  0  a Hopper GPU (sm_90) and a usable CUDA toolkit (nvcc >= 12.3): kernels can run
  1  bad command line
  2  no CUDA driver or no GPU (study mode: compile only)
  3  GPUs present, but none is Hopper (study mode: compile only)
  4  no usable CUDA toolkit (nvcc missing or older than 12.3)
  5  the native addon is missing or broken (run \`npm run build:native\`)
`;

export type CheckStatus = 'ready' | 'no-gpu' | 'not-hopper' | 'no-toolkit' | 'addon-broken';

export interface CheckVerdict {
  exitCode: number;
  status: CheckStatus;
  /** The coded cause where there is one (the driver's error, E_NO_COMPILER, E_ADDON_LOAD). */
  code?: ErrorCode;
  message: string;
}

export function verdictOf(report: EnvironmentReport): CheckVerdict {
  const exitCode = checkExitCode(report);
  switch (exitCode) {
    case CHECK_EXIT.ok:
      return { exitCode, status: 'ready', message: `Ready: ${report.summary}.` };
    case CHECK_EXIT.noDriverOrGpu:
      return report.driver.ok
        ? {
            exitCode,
            status: 'no-gpu',
            code: 'E_NO_DEVICE',
            message: 'The CUDA driver reports no GPU: kernels can be compiled (study mode) but not run.',
          }
        : {
            exitCode,
            status: 'no-gpu',
            code: report.driver.code,
            message:
              `${report.driver.code === 'E_DRIVER_TOO_OLD' ? 'The CUDA driver is too old' : report.driver.code === 'E_NO_DEVICE' ? 'No CUDA GPU' : 'No usable CUDA driver'}: ` +
              `kernels can be compiled (study mode) but not run.\n${report.driver.message}`,
          };
    case CHECK_EXIT.notHopper: {
      const names = report.devices.map((d) => `${d.name} (sm_${d.computeCapability.join('')})`).join(', ');
      return {
        exitCode,
        status: 'not-hopper',
        message: `No Hopper GPU: found ${names}. The kernels need sm_90a (H100/H200/H800/GH200); study mode only.`,
      };
    }
    default:
      return {
        exitCode,
        status: 'no-toolkit',
        code: 'E_NO_COMPILER',
        message: report.toolkit.problem ?? 'No usable CUDA toolkit.',
      };
  }
}

export interface CheckDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  probe: typeof probeEnvironment;
  root(): string;
}

const defaultDeps = (): CheckDeps => ({
  env: process.env,
  cwd: process.cwd(),
  probe: probeEnvironment,
  root: () => findExtensionRoot(),
});

export async function run(args: string[], io: CliIo, deps: CheckDeps = defaultDeps()): Promise<number> {
  let json = false;
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') {
      io.out(CHECK_HELP);
      return CHECK_EXIT.ok;
    } else {
      io.err(`fp8lab check: unknown argument ${JSON.stringify(a)}.\n\n${CHECK_HELP}`);
      return CHECK_EXIT.usage;
    }
  }

  let report: EnvironmentReport;
  try {
    const root = deps.root();
    const { settings, warnings } = resolveSettings({}, deps.env, {
      kernelsDir: join(root, 'kernels'),
      homeDir: homedir(),
      cwd: deps.cwd,
    });
    for (const w of warnings) io.err(`warning: ${w}\n`);
    report = await deps.probe(settings, undefined, { cacheBytes: true });
  } catch (err) {
    if (!(err instanceof RuntimeError) || err.code !== 'E_ADDON_LOAD') throw err;
    const verdict: CheckVerdict = {
      exitCode: CHECK_EXIT.addonBroken,
      status: 'addon-broken',
      code: err.code,
      message: err.message,
    };
    if (json) io.out(JSON.stringify({ check: verdict }, null, 2) + '\n');
    else io.err(`fp8lab check: [${err.code}] ${err.message}\n`);
    return verdict.exitCode;
  }

  const verdict = verdictOf(report);
  if (json) {
    io.out(JSON.stringify({ ...report, check: verdict }, null, 2) + '\n');
  } else {
    io.out(formatReport(report) + '\n');
    // The details are in the report above; the last line says why the exit code is what it is.
    if (verdict.exitCode !== CHECK_EXIT.ok)
      io.err(`\nfp8lab check: exit ${verdict.exitCode} (${verdict.status}): ${verdict.message.split('\n')[0]}\n`);
  }
  return verdict.exitCode;
}
