// Loads the native addon (native/build/Release/fp8lab.node) by absolute path. Only the runtime
// worker and the CLI call this; the extension host never does (a native crash would take every
// extension down). A missing or broken file gives exactly one coded error, E_ADDON_LOAD, naming the
// file and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type * as Addon from '../../../native/index';
import { RuntimeError } from '../core/runtimeError';

export type AddonModule = typeof Addon;

export const PACKAGE_NAME = 'fp8-gemm-lab';
export const ADDON_RELATIVE_PATH = 'native/build/Release/fp8lab.node';

/** Functions every build of the addon must export; a file without them is treated as broken. */
const REQUIRED_EXPORTS = ['probe', 'buildInfo', 'compile', 'cacheKey', 'init', 'cublasLtInfo'] as const;

/**
 * The extension's root: FP8LAB_ROOT when set (it must hold our package.json), else the nearest folder at or above `startDir` that
 * holds a package.json named "fp8-gemm-lab". Throws E_ADDON_LOAD when there is none.
 */
export function findExtensionRoot(startDir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FP8LAB_ROOT) {
    const root = resolve(env.FP8LAB_ROOT);
    if (isOurPackage(join(root, 'package.json'))) return root;
    throw new RuntimeError({
      code: 'E_ADDON_LOAD',
      message:
        `FP8LAB_ROOT=${env.FP8LAB_ROOT} is not the FP8 GEMM Lab folder: it has no package.json named "${PACKAGE_NAME}". ` +
        'Point FP8LAB_ROOT at the extension folder, or unset it.',
    });
  }
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    if (isOurPackage(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new RuntimeError({
    code: 'E_ADDON_LOAD',
    message:
      `Cannot find the FP8 GEMM Lab folder: no package.json named "${PACKAGE_NAME}" at or above ${startDir}. ` +
      'Set FP8LAB_ROOT to the extension folder, or reinstall the .vsix.',
  });
}

function isOurPackage(file: string): boolean {
  try {
    return JSON.parse(readFileSync(file, 'utf8')).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

export interface LoadedAddon {
  addon: AddonModule;
  path: string;
}

const loaded = new Map<string, LoadedAddon>();

/**
 * Loads the addon from `<root>/native/build/Release/fp8lab.node` (cached per path: a .node file
 * can be dlopened only once per process anyway).
 */
export function loadAddon(root: string = findExtensionRoot()): LoadedAddon {
  const file = join(root, ADDON_RELATIVE_PATH);
  const cached = loaded.get(file);
  if (cached) return cached;
  const fix =
    'Run `npm run build:native` in the extension folder (needs node-gyp and a C++ compiler), ' +
    'or reinstall the platform .vsix.';
  if (!existsSync(file)) {
    throw new RuntimeError({ code: 'E_ADDON_LOAD', message: `The native addon ${file} does not exist. ${fix}` });
  }
  let addon: AddonModule;
  try {
    // createRequire keeps esbuild from trying to bundle the .node file; the path is absolute.
    addon = createRequire(__filename)(file) as AddonModule;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new RuntimeError({
      code: 'E_ADDON_LOAD',
      message: `The native addon ${file} is broken and could not be loaded (${why}). ${fix}`,
    });
  }
  const missing = REQUIRED_EXPORTS.filter(
    (name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new RuntimeError({
      code: 'E_ADDON_LOAD',
      message: `The native addon ${file} loaded but lacks ${missing.join(', ')}: it is from another version. ${fix}`,
    });
  }
  const result = { addon, path: file };
  loaded.set(file, result);
  return result;
}
