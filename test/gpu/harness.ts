// A tiny harness for the GPU tests: named checks, counted, one line each, and a machine-readable
// last line (`GPU-RESULT {"passed":N,"failed":N,"skipped":N}`) that run.mjs sums over the files.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeSettings } from '../../extension/protocol/worker';
import { findExtensionRoot } from '../../extension/src/worker/addon';
import { resolveSettings } from '../../extension/src/core/settings';

const counts = { passed: 0, failed: 0, skipped: 0 };

export function pass(name: string, detail = ''): void {
  counts.passed++;
  console.log(`ok      ${name}${detail ? `  (${detail})` : ''}`);
}

export function fail(name: string, why: string): void {
  counts.failed++;
  console.log(`FAILED  ${name}: ${why}`);
}

export function skip(name: string, why: string): void {
  counts.skipped++;
  console.log(`skip    ${name}: ${why}`);
}

/** Runs one check; a thrown error is a failure with its code and message. */
export async function check(name: string, fn: () => Promise<string | void> | string | void): Promise<void> {
  try {
    const detail = await fn();
    pass(name, detail ?? '');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    fail(name, `${e.code ? `[${e.code}] ` : ''}${e.message ?? String(err)}`);
  }
}

/** Resolves when `promise` rejects with `code`; throws (a failure) otherwise. */
export async function expectCode(
  promise: Promise<unknown> | (() => unknown),
  code: string | string[],
): Promise<string> {
  const codes = Array.isArray(code) ? code : [code];
  try {
    await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise);
  } catch (err) {
    const got = (err as { code?: string }).code;
    if (got && codes.includes(got)) return `${got}: ${(err as Error).message.slice(0, 140)}`;
    throw new Error(`expected ${codes.join(' or ')}, got ${got ?? 'an uncoded error'}: ${(err as Error).message}`);
  }
  throw new Error(`expected ${codes.join(' or ')}, but it succeeded`);
}

export function done(): void {
  console.log(`GPU-RESULT ${JSON.stringify(counts)}`);
  process.exitCode = counts.failed > 0 ? 1 : 0;
}

export const root = findExtensionRoot(__dirname);

/** Settings from FP8LAB_* variables, as the CLI resolves them. */
export function gpuSettings(): RuntimeSettings {
  const { settings, warnings } = resolveSettings({}, process.env, {
    kernelsDir: join(root, 'kernels'),
    homeDir: homedir(),
    cwd: process.cwd(),
  });
  for (const w of warnings) console.log(`warning: ${w}`);
  return settings;
}
