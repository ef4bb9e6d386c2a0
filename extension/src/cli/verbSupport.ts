// What the bench/configs/compile verbs share: settings from FP8LAB_* variables (as `check` does),
// and one way to turn a thrown coded error into a message and an exit code.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeSettings } from '../../protocol/worker';
import { findExtensionRoot } from '../runtime/addon';
import { codedData } from '../runtime/workerErrors';
import { resolveSettings } from '../runtime/settings';
import type { CliIo } from './io';

/** Exit codes of the bench/configs/compile verbs (2..5 mean what they mean for `check`). */
export const VERB_EXIT = { ok: 0, usage: 1, noToolkit: 4, addonBroken: 5, failed: 6, cancelled: 130 } as const;

export function cliSettings(io: CliIo, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RuntimeSettings {
  const root = findExtensionRoot();
  const { settings, warnings } = resolveSettings({}, env, { kernelsDir: join(root, 'kernels'), homeDir: homedir(), cwd });
  for (const w of warnings) io.err(`warning: ${w}\n`);
  return settings;
}

/** Prints `fp8lab <verb>: [CODE] message` (and the compiler log for E_COMPILE) and picks the exit code. */
export function reportError(verb: string, err: unknown, io: CliIo): number {
  const data = codedData(err);
  io.err(`fp8lab ${verb}: [${data.code}] ${data.message}\n`);
  if (data.log && (data.code === 'E_COMPILE' || data.code === 'E_PTXAS_CHECK' || data.code === 'E_INTERNAL')) io.err(`${data.log.trimEnd()}\n`);
  switch (data.code) {
    case 'E_ADDON_LOAD': return VERB_EXIT.addonBroken;
    case 'E_NO_COMPILER': return VERB_EXIT.noToolkit;
    case 'E_INVALID_SHAPE': case 'E_INVALID_CONFIG': case 'E_BAD_ARGUMENT': return VERB_EXIT.usage;
    case 'E_CANCELLED': return VERB_EXIT.cancelled;
    default: return VERB_EXIT.failed;
  }
}
