// What the bench/configs/compile/study verbs share: settings from FP8LAB_* variables (as `check`
// does), one way to turn a thrown coded error into a message and an exit code, the Ctrl-C handling
// and run-report plumbing of the long-running verbs (bench, grouped bench, accuracy, timeline).
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RuntimeSettings } from '../../protocol/worker';
import { findExtensionRoot } from '../worker/addon';
import { codedData } from '../worker/workerErrors';
import { resolveSettings } from '../core/settings';
import type { StudyHooks } from '../worker/studies/studyDevice';
import type { CliIo } from './io';

/** Exit codes of the bench/configs/compile verbs (2..5 mean what they mean for `check`). */
export const VERB_EXIT = { ok: 0, usage: 1, noToolkit: 4, addonBroken: 5, failed: 6, cancelled: 130 } as const;

export function cliSettings(io: CliIo, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RuntimeSettings {
  const root = findExtensionRoot();
  const { settings, warnings } = resolveSettings({}, env, {
    kernelsDir: join(root, 'kernels'),
    homeDir: homedir(),
    cwd,
  });
  for (const w of warnings) io.err(`warning: ${w}\n`);
  return settings;
}

/** Prints `fp8lab <verb>: [CODE] message` (and the compiler log for E_COMPILE) and picks the exit code. */
export function reportError(verb: string, err: unknown, io: CliIo): number {
  const data = codedData(err);
  io.err(`fp8lab ${verb}: [${data.code}] ${data.message}\n`);
  if (data.log && (data.code === 'E_COMPILE' || data.code === 'E_PTXAS_CHECK' || data.code === 'E_INTERNAL'))
    io.err(`${data.log.trimEnd()}\n`);
  switch (data.code) {
    case 'E_ADDON_LOAD':
      return VERB_EXIT.addonBroken;
    case 'E_NO_COMPILER':
    case 'E_NO_SASS_TOOLS':
      return VERB_EXIT.noToolkit;
    case 'E_INVALID_SHAPE':
    case 'E_INVALID_CONFIG':
    case 'E_BAD_ARGUMENT':
      return VERB_EXIT.usage;
    case 'E_CANCELLED':
      return VERB_EXIT.cancelled;
    default:
      return VERB_EXIT.failed;
  }
}

/** What the first Ctrl-C prints before the verb stops at its next phase boundary. */
export const STOP_NOTICE = '\nstopping after the current phase...\n';
export const STOP_NOTICE_WITH_QUIT = '\nstopping after the current phase (Ctrl-C again to quit now)...\n';

/**
 * Runs a long verb with Ctrl-C handling (the first asks `body` to stop via `cancelled()`, the second
 * exits with 130 at once) and turns a thrown coded error into its message and exit code.
 */
export async function runCancellable(
  verb: string,
  io: CliIo,
  notice: string,
  body: (cancelled: () => boolean) => Promise<number>,
): Promise<number> {
  let cancelled = false;
  const onSigint = () => {
    if (cancelled) process.exit(VERB_EXIT.cancelled);
    cancelled = true;
    io.err(notice);
  };
  process.on('SIGINT', onSigint);
  try {
    return await body(() => cancelled);
  } catch (err) {
    return reportError(verb, err, io);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The runtime's log callback for a verb: info lines bare, the others prefixed with their level, on stderr. */
export function logToStderr(io: CliIo): (level: string, text: string) => void {
  return (level, text) => io.err(`${level === 'info' ? '' : `${level}: `}${text}\n`);
}

/** Writes `value` as JSON (indented with `indent` spaces; 0: one line) and says where on stderr. */
export async function writeJsonReport(file: string, value: unknown, io: CliIo, indent = 0): Promise<void> {
  const path = resolve(file);
  await writeFile(path, JSON.stringify(value, null, indent || undefined) + '\n');
  io.err(`wrote ${path}\n`);
}

/** A bench run's exit code: cancelled, failed (stopped early, a case errored or was wrong) or ok. */
export function benchExitCode(run: {
  interrupted?: { code: string };
  results: Array<{ error?: unknown; accuracy?: { passed: boolean } }>;
}): number {
  if (run.interrupted?.code === 'E_CANCELLED') return VERB_EXIT.cancelled;
  const failed =
    run.interrupted !== undefined || run.results.some((r) => r.error || (r.accuracy && !r.accuracy.passed));
  return failed ? VERB_EXIT.failed : VERB_EXIT.ok;
}

/** The hooks of a study verb (accuracy, timeline): progress lines and log on stderr, Ctrl-C as cancel. */
export function studyHooks(io: CliIo, cancelled: () => boolean): StudyHooks {
  return { progress: (p) => io.err(`${p.message}\n`), cancelled, log: logToStderr(io) };
}

/** A command line the verb cannot take: `fp8lab VERB: [CODE] message`, then the verb's help, exit 1. */
export function usageError(verb: string, failure: { message: string; code?: string }, help: string, io: CliIo): number {
  io.err(`fp8lab ${verb}: [${failure.code ?? 'E_BAD_ARGUMENT'}] ${failure.message}\n\n${help}`);
  return VERB_EXIT.usage;
}
