// Loads the real addon for the native tests. The bundled tests live at test/dist/unit/native/*.js,
// so walk up from there to the repository root (the folder holding native/index.d.ts).
import fs from 'node:fs';
import path from 'node:path';
import type * as Addon from '../../../native/index';

export type AddonModule = typeof Addon;

import { repoRoot } from '../repoRoot';

export { repoRoot };

export const addonPath = (): string => path.join(repoRoot(), 'native', 'build', 'Release', 'fp8lab.node');

export function loadAddon(): AddonModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(addonPath()) as AddonModule;
}

/** Every `code` native/index.d.ts declares in ErrorCode. */
export function declaredErrorCodes(): Set<string> {
  // Comments are dropped first: they may hold ';' or quotes.
  const dts = fs.readFileSync(path.join(repoRoot(), 'native', 'index.d.ts'), 'utf8').replace(/\/\/.*$/gm, '');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(dts);
  if (!union) throw new Error('ErrorCode union not found in native/index.d.ts');
  return new Set([...union[1].matchAll(/'(E_[A-Z_]+)'/g)].map((m) => m[1]));
}

/** Runs fn and returns the coded error it throws (sync) or rejects with (async). */
export async function codedError(
  fn: () => unknown,
): Promise<Error & { code?: string; log?: string; cudaError?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a coded error, got none');
}
