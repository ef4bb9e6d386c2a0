// Where cuobjdump and nvdisasm are looked for, in order, and what to tell a user who has neither.
// Pure: the caller checks which candidates exist.

export interface ToolSearchInput {
  /** fp8lab.sass.toolsDir / FP8LAB_SASS_TOOLS_DIR: a folder holding the tools, or one tool's path. */
  toolsDir?: string;
  nvccPath: string;
  cudaHome: string;
  /** The tools cache NVIDIA's wheels are installed into (toolsCacheDir()). */
  cacheDir: string;
  /** $PATH split into folders. */
  pathDirs: string[];
}

export type SassToolName = 'nvdisasm' | 'cuobjdump';

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) || '/' : '.');
const join = (a: string, b: string) => (a.endsWith('/') ? a + b : `${a}/${b}`);

/** Folders the wheels put the binaries in (CUDA 12 wheels: one package each; CUDA 13: nvidia/cu13). */
export const WHEEL_BIN_DIRS = [
  'nvidia/cuda_nvdisasm/bin',
  'nvidia/cuda_cuobjdump/bin',
  'nvidia/cu13/bin',
  'nvidia/cu12/bin',
  'bin',
];

/** Candidate paths for a tool, best first, each with where it came from. */
export function toolCandidates(tool: SassToolName, input: ToolSearchInput): { path: string; from: string }[] {
  const out: { path: string; from: string }[] = [];
  const add = (dir: string, from: string) => {
    const path = join(dir, tool);
    if (!out.some((c) => c.path === path)) out.push({ path, from });
  };
  if (input.toolsDir) {
    const t = input.toolsDir.replace(/\/+$/, '');
    const base = t.slice(t.lastIndexOf('/') + 1);
    add(base === 'nvdisasm' || base === 'cuobjdump' ? dirOf(t) : t, 'the fp8lab.sass.toolsDir setting');
  }
  add(dirOf(input.nvccPath), "nvcc's folder");
  add(join(input.cudaHome, 'bin'), 'the CUDA home');
  for (const sub of WHEEL_BIN_DIRS) add(join(input.cacheDir, sub), "the tools cache (NVIDIA's wheels)");
  for (const dir of input.pathDirs) if (dir.startsWith('/')) add(dir, 'PATH');
  return out;
}

/** ~/.cache/fp8lab/sass-tools (XDG_CACHE_HOME respected). */
export function toolsCacheDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homeDir, '.cache');
  return join(base, 'fp8lab/sass-tools');
}

/** The Python packages that carry the tools. */
export const SASS_TOOL_WHEELS = ['nvidia-cuda-nvdisasm', 'nvidia-cuda-cuobjdump'] as const;

export function missingToolsMessage(searched: string[], installNote?: string): string {
  return [
    'No nvdisasm or cuobjdump was found, so SASS cannot be shown (everything else works without them).',
    `Looked in: ${searched.join(', ')}.`,
    installNote ?? '',
    "To get them: install the CUDA toolkit's binary utilities (the cuda-nvdisasm and cuda-cuobjdump packages, or the full toolkit), " +
      `or pip install ${SASS_TOOL_WHEELS.join(' ')} where the Python package index is reachable, ` +
      'or point the fp8lab.sass.toolsDir setting (FP8LAB_SASS_TOOLS_DIR) at a folder that has them.',
  ]
    .filter(Boolean)
    .join(' ');
}
