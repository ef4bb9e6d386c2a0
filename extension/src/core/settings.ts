// Resolves the runtime's settings from VS Code settings values (passed in as a plain object, so
// this stays pure and is shared with the CLI) and FP8LAB_* environment variables, the DeepGEMM
// DG_* knobs' mirrors. A VS Code setting that was explicitly set wins over the environment; for
// on/off knobs either one switches the knob on. Bad values never throw: they are ignored with a
// warning that says what was wrong and what would work.
import type { RuntimeSettings } from '../../protocol/worker';

/** VS Code settings (section `fp8lab`), only the ones the user explicitly set. */
export interface SettingValues {
  'jit.cacheDir'?: string;
  'jit.compiler'?: string;
  'jit.nvccPath'?: string;
  'jit.numSms'?: number;
  'jit.debug'?: boolean;
  'jit.printConfigs'?: boolean;
  'jit.printCompilerCommand'?: boolean;
  'jit.ptxasVerbose'?: boolean;
  'jit.ptxasCheck'?: boolean;
  'jit.dumpPtx'?: boolean;
  'jit.dumpSass'?: boolean;
  'jit.withLineinfo'?: boolean;
  'jit.compileTimeoutSeconds'?: number;
  'jit.compiledDims'?: string;
  cudaHome?: string;
  'driver.libcudaPath'?: string;
  'driver.cublasLtPath'?: string;
  pythonPath?: string;
  'tuning.dbPath'?: string;
}

/** The setting keys above, for callers that read them from vscode.workspace.getConfiguration. */
export const SETTING_KEYS = [
  'jit.cacheDir',
  'jit.compiler',
  'jit.nvccPath',
  'jit.numSms',
  'jit.debug',
  'jit.printConfigs',
  'jit.printCompilerCommand',
  'jit.ptxasVerbose',
  'jit.ptxasCheck',
  'jit.dumpPtx',
  'jit.dumpSass',
  'jit.withLineinfo',
  'jit.compileTimeoutSeconds',
  'jit.compiledDims',
  'cudaHome',
  'driver.libcudaPath',
  'driver.cublasLtPath',
  'pythonPath',
  'tuning.dbPath',
] as const satisfies readonly (keyof SettingValues)[];

export interface SettingsPaths {
  /** Absolute path of the extension's kernels/ folder. */
  kernelsDir: string;
  /** The user's home folder (os.homedir()). */
  homeDir: string;
  /** Relative paths are resolved against this folder (the CLI's cwd, or the workspace folder). */
  cwd: string;
}

export interface ResolvedSettings {
  settings: RuntimeSettings;
  /** One sentence per ignored value. */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off', '']);

export function resolveSettings(values: SettingValues, env: Env, paths: SettingsPaths): ResolvedSettings {
  const warnings: string[] = [];

  const envFlag = (name: string): boolean => {
    const raw = env[name];
    if (raw === undefined) return false;
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (!FALSE_WORDS.has(word))
      warnings.push(`${name}=${JSON.stringify(raw)} is not an on/off value; use 1 or 0. Treated as off.`);
    return false;
  };
  const flag = (key: keyof SettingValues, envName: string): boolean => {
    const set = values[key];
    const fromEnv = envFlag(envName);
    if (set !== undefined && typeof set !== 'boolean') {
      warnings.push(`fp8lab.${key} must be true or false, not ${JSON.stringify(set)}; ignored.`);
      return fromEnv;
    }
    return set === true || fromEnv;
  };
  const path = (raw: string): string => {
    let p = raw.trim();
    if (p === '~') p = paths.homeDir;
    else if (p.startsWith('~/')) p = joinPath(paths.homeDir, p.slice(2));
    return isAbsolute(p) ? normalize(p) : normalize(joinPath(paths.cwd, p));
  };
  /** First non-empty string among (label, value) pairs, as an absolute path. */
  const firstPath = (...candidates: Array<[string, unknown]>): string | undefined => {
    for (const [label, value] of candidates) {
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        warnings.push(`${label} must be a path (a string), not ${JSON.stringify(value)}; ignored.`);
        continue;
      }
      if (value.trim() !== '') return path(value);
    }
    return undefined;
  };

  const cudaHome =
    firstPath(['fp8lab.cudaHome', values.cudaHome], ['CUDA_HOME', env.CUDA_HOME], ['CUDA_PATH', env.CUDA_PATH]) ??
    '/usr/local/cuda';
  const nvccPath =
    firstPath(
      ['fp8lab.jit.nvccPath', values['jit.nvccPath']],
      ['FP8LAB_JIT_NVCC_COMPILER', env.FP8LAB_JIT_NVCC_COMPILER],
    ) ?? joinPath(cudaHome, 'bin/nvcc');
  const xdgCache =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : joinPath(paths.homeDir, '.cache');
  const cacheDir =
    firstPath(['fp8lab.jit.cacheDir', values['jit.cacheDir']], ['FP8LAB_JIT_CACHE_DIR', env.FP8LAB_JIT_CACHE_DIR]) ??
    normalize(joinPath(xdgCache, 'fp8lab/jit'));
  const libcudaPath =
    firstPath(
      ['fp8lab.driver.libcudaPath', values['driver.libcudaPath']],
      ['FP8LAB_LIBCUDA_PATH', env.FP8LAB_LIBCUDA_PATH],
    ) ?? '';
  const cublasLtPath =
    firstPath(
      ['fp8lab.driver.cublasLtPath', values['driver.cublasLtPath']],
      ['FP8LAB_CUBLASLT_PATH', env.FP8LAB_CUBLASLT_PATH],
    ) ?? '';

  let compiler: RuntimeSettings['compiler'] = envFlag('FP8LAB_JIT_USE_NVRTC') ? 'nvrtc' : 'nvcc';
  const setCompiler = values['jit.compiler'];
  if (setCompiler === 'nvcc' || setCompiler === 'nvrtc') compiler = setCompiler;
  else if (setCompiler !== undefined)
    warnings.push(
      `fp8lab.jit.compiler must be "nvcc" or "nvrtc", not ${JSON.stringify(setCompiler)}; using ${compiler}.`,
    );

  // The tuning store sits beside the JIT cache unless told otherwise (storage/tuningStore.ts).
  const tuningDbPath =
    firstPath(['fp8lab.tuning.dbPath', values['tuning.dbPath']], ['FP8LAB_TUNING_DB', env.FP8LAB_TUNING_DB]) ??
    normalize(joinPath(cacheDir, '../tuning'));

  const settings: RuntimeSettings = {
    cacheDir,
    tuningDbPath,
    compiler,
    cudaHome,
    nvccPath,
    libcudaPath,
    cublasLtPath,
    kernelsDir: paths.kernelsDir,
    jitDebug: flag('jit.debug', 'FP8LAB_JIT_DEBUG'),
    printConfigs: flag('jit.printConfigs', 'FP8LAB_PRINT_CONFIGS'),
    printCompilerCommand: flag('jit.printCompilerCommand', 'FP8LAB_JIT_PRINT_COMPILER_COMMAND'),
    ptxasVerbose: flag('jit.ptxasVerbose', 'FP8LAB_JIT_PTXAS_VERBOSE'),
    ptxasCheck: flag('jit.ptxasCheck', 'FP8LAB_JIT_PTXAS_CHECK'),
    dumpPtx: flag('jit.dumpPtx', 'FP8LAB_JIT_DUMP_PTX'),
    dumpSass: flag('jit.dumpSass', 'FP8LAB_JIT_DUMP_SASS'),
    withLineinfo: flag('jit.withLineinfo', 'FP8LAB_JIT_WITH_LINEINFO'),
  };

  // Normal FP8 GEMM kernels are compiled for each problem's N and K (as DeepGEMM does); 'none'
  // builds one cubin per config for every shape (fewer compiles, slower kernels at short K).
  const compiledDims = choice(
    [
      ['fp8lab.jit.compiledDims', values['jit.compiledDims']],
      ['FP8LAB_JIT_COMPILED_DIMS', env.FP8LAB_JIT_COMPILED_DIMS],
    ],
    ['nk', 'none'] as const,
    warnings,
  );
  if (compiledDims !== undefined) settings.compiledDims = compiledDims;

  const defines = kernelDefines(env.FP8LAB_JIT_DEFINES, warnings);
  if (defines.length > 0) settings.jitDefines = defines;

  // A bare command name ("python3.12") is looked up on PATH; anything with a slash is a path.
  const python = (typeof values.pythonPath === 'string' && values.pythonPath.trim()) || env.FP8LAB_PYTHON?.trim();
  if (python) settings.pythonPath = python.includes('/') || python.startsWith('~') ? path(python) : python;

  const numSms =
    smCount(values['jit.numSms'], 'fp8lab.jit.numSms', warnings) ??
    smCount(env.FP8LAB_NUM_SMS, 'FP8LAB_NUM_SMS', warnings);
  if (numSms !== undefined) settings.numSms = numSms;

  settings.compileTimeoutSeconds =
    timeoutSeconds(values['jit.compileTimeoutSeconds'], 'fp8lab.jit.compileTimeoutSeconds', warnings) ??
    timeoutSeconds(env.FP8LAB_JIT_COMPILE_TIMEOUT, 'FP8LAB_JIT_COMPILE_TIMEOUT', warnings) ??
    DEFAULT_COMPILE_TIMEOUT_SECONDS;

  return { settings, warnings };
}

/** The first of (label, value) pairs that is set, when it is one of `allowed`; others are warned about. */
function choice<T extends string>(
  candidates: Array<[string, unknown]>,
  allowed: readonly T[],
  warnings: string[],
): T | undefined {
  for (const [label, value] of candidates) {
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    const word = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (allowed.includes(word as T)) return word as T;
    warnings.push(
      `${label} must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, not ${JSON.stringify(value)}; ignored.`,
    );
  }
  return undefined;
}

/**
 * FP8LAB_JIT_DEFINES: kernel macros for experiments, e.g. "FP8LAB_OVERLAP_MAX_BLOCK_N=0" (the serial K-loop)
 * (space- or comma-separated). Each becomes a -D flag, so it is part of the JIT cache key. Only
 * FP8LAB_* names with plain values are taken: the list reaches the compiler's argv.
 */
function kernelDefines(raw: string | undefined, warnings: string[]): string[] {
  if (raw === undefined) return [];
  const defines: string[] = [];
  for (const item of raw.split(/[\s,]+/).filter((x) => x !== '')) {
    if (/^FP8LAB_[A-Z0-9_]+(=[A-Za-z0-9_.+-]*)?$/.test(item)) defines.push(item);
    else
      warnings.push(
        `FP8LAB_JIT_DEFINES: ${JSON.stringify(item)} is not NAME or NAME=VALUE with an FP8LAB_ name and a plain value; ignored.`,
      );
  }
  return defines;
}

/** A compile past this is taken for a hung compiler (its whole process tree is killed). */
export const DEFAULT_COMPILE_TIMEOUT_SECONDS = 600;
const MAX_COMPILE_TIMEOUT_SECONDS = 86_400;

/** Seconds from 1 to a day; 0 means no limit; undefined when unset or bad (with a warning). */
function timeoutSeconds(raw: unknown, label: string, warnings: string[]): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= MAX_COMPILE_TIMEOUT_SECONDS) return n;
  warnings.push(
    `${label}=${JSON.stringify(raw)} is not a number of seconds; use a whole number from 1 to ${MAX_COMPILE_TIMEOUT_SECONDS} (0 = no limit). Using ${DEFAULT_COMPILE_TIMEOUT_SECONDS}.`,
  );
  return undefined;
}

/** A positive SM count, or undefined (0 / empty mean "all SMs"). */
function smCount(raw: unknown, label: string, warnings: string[]): number | undefined {
  if (raw === undefined || raw === '' || raw === 0 || raw === '0') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(n) && n > 0 && n <= 1024) return n;
  warnings.push(
    `${label}=${JSON.stringify(raw)} is not a number of SMs; use a whole number from 1 to the device's SM count (0 = all). Ignored.`,
  );
  return undefined;
}

// POSIX path helpers without node:path, so this module has no Node imports at all.
function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}
function joinPath(a: string, b: string): string {
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}
function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}
