// Finds cuobjdump and nvdisasm (a setting, nvcc's folder, the CUDA home, the tools cache, PATH),
// and installs them from NVIDIA's Python wheels into the tools cache when asked and the package
// index answers. Where none can be had, the error says where we looked and what to install.

import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import {
  missingToolsMessage,
  SASS_TOOL_WHEELS,
  toolCandidates,
  toolsCacheDir,
  type SassToolName,
  type ToolSearchInput,
} from '../../core/sass/toolSearch';

export interface SassTools {
  nvdisasm?: string;
  cuobjdump?: string;
  /** Where each found tool came from ("the CUDA home", ...). */
  from: Partial<Record<SassToolName, string>>;
  /** Folders looked in, for the message when a tool is missing. */
  searched: string[];
}

export interface FindToolsOptions {
  toolsDir?: string;
  nvccPath: string;
  cudaHome: string;
  env?: Readonly<Record<string, string | undefined>>;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function searchInput(o: FindToolsOptions): ToolSearchInput {
  const env = o.env ?? process.env;
  return {
    ...(o.toolsDir ? { toolsDir: o.toolsDir } : {}),
    nvccPath: o.nvccPath,
    cudaHome: o.cudaHome,
    cacheDir: toolsCacheDir(env, homedir()),
    pathDirs: (env.PATH ?? '').split(delimiter).filter(Boolean),
  };
}

export function findSassTools(o: FindToolsOptions): SassTools {
  const input = searchInput(o);
  const found: SassTools = { from: {}, searched: [] };
  for (const tool of ['nvdisasm', 'cuobjdump'] as const) {
    for (const c of toolCandidates(tool, input)) {
      const dir = c.path.slice(0, c.path.lastIndexOf('/'));
      if (!found.searched.includes(dir)) found.searched.push(dir);
      if (isExecutable(c.path)) {
        found[tool] = c.path;
        found.from[tool] = c.from;
        break;
      }
    }
  }
  return found;
}

export class SassToolsError extends Error {
  readonly code = 'E_NO_SASS_TOOLS';
  constructor(message: string) {
    super(message);
  }
}

export function requireSassTools(tools: SassTools, installNote?: string): void {
  if (!tools.nvdisasm && !tools.cuobjdump) throw new SassToolsError(missingToolsMessage(tools.searched, installNote));
}

export interface InstallResult {
  ok: boolean;
  /** What happened, in a sentence (pip's last line of error when it failed). */
  message: string;
  tools: SassTools;
}

/**
 * pip install --target <tools cache> nvidia-cuda-nvdisasm nvidia-cuda-cuobjdump, with a short
 * network timeout so a machine that cannot reach the index learns it in seconds, not minutes.
 */
export async function installSassTools(
  o: FindToolsOptions & { python?: string; timeoutMs?: number },
): Promise<InstallResult> {
  const target = searchInput(o).cacheDir;
  mkdirSync(target, { recursive: true });
  const python = o.python ?? 'python3';
  const argv = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--timeout',
    '10',
    '--retries',
    '0',
    '--only-binary=:all:',
    '--no-deps',
    '--upgrade',
    '--target',
    target,
    ...SASS_TOOL_WHEELS,
  ];
  const outcome = await new Promise<{ code: number | null; stderr: string; error?: Error }>((resolve) => {
    execFile(python, argv, { timeout: o.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      resolve({
        code: error
          ? typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : null
          : 0,
        stderr: String(stderr),
        ...(error ? { error } : {}),
      });
    });
  });
  const tools = findSassTools(o);
  if (outcome.code === 0 && (tools.nvdisasm || tools.cuobjdump)) {
    return { ok: true, message: `installed ${SASS_TOOL_WHEELS.join(' and ')} into ${target}`, tools };
  }
  const lastLine =
    outcome.stderr
      .trim()
      .split('\n')
      .filter((l) => /error|could not|no matching|unreachable|connection|resolve/i.test(l))
      .pop() ??
    outcome.error?.message ??
    `pip exited with ${outcome.code}`;
  const why = /ENOENT/.test(outcome.error?.message ?? '')
    ? `${python} was not found, so NVIDIA's wheels could not be installed`
    : `the Python package index could not be reached or had no matching wheel (pip: ${lastLine.trim().slice(0, 300)})`;
  return { ok: false, message: `Installing ${SASS_TOOL_WHEELS.join(' and ')} failed: ${why}.`, tools };
}
