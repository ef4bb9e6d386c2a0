// Pure text for the EnvironmentReport: the one-line summary (status bar, CLI), the readable report
// (output channel, `fp8lab check`), and `fp8lab check`'s exit code. No Node, no vscode.
import type { EnvironmentReport } from '../../protocol/worker';

/** `fp8lab check` exit codes (documented in `fp8lab --help`). */
export const CHECK_EXIT = {
  ok: 0,
  usage: 1,
  noDriverOrGpu: 2,
  notHopper: 3,
  noToolkit: 4,
  addonBroken: 5,
} as const;

type ReportFacts = Omit<EnvironmentReport, 'summary'>;

/** "H100 80GB HBM3 · driver 13.0 · nvcc 13.0", or what is missing and what still works. */
export function summarize(r: ReportFacts): string {
  const parts: string[] = [];
  const hopper = r.devices.find((d) => d.isHopper);
  if (!r.driver.ok) {
    const what =
      r.driver.code === 'E_NO_DEVICE'
        ? 'No CUDA GPU'
        : r.driver.code === 'E_DRIVER_TOO_OLD'
          ? 'CUDA driver too old'
          : 'No CUDA driver';
    parts.push(`${what}: ${r.toolkit.usable ? 'study mode' : 'nothing can compile or run'}`);
  } else if (!hopper) {
    const first = r.devices[0];
    parts.push(
      first
        ? `No Hopper GPU (${shortName(first.name)} is sm_${first.computeCapability.join('')}): ${r.toolkit.usable ? 'study mode' : 'nothing can compile or run'}`
        : 'No CUDA GPU: study mode',
    );
    parts.push(`driver ${r.driver.versionText}`);
  } else {
    parts.push(shortName(hopper.name), `driver ${r.driver.versionText}`);
  }
  parts.push(
    r.toolkit.usable
      ? `nvcc ${r.toolkit.version}`
      : r.toolkit.version
        ? `nvcc ${r.toolkit.version} too old (need ≥ 12.3)`
        : 'no nvcc',
  );
  return parts.join(' · ');
}

/** The exit code `fp8lab check` gives for a report (0: a Hopper GPU and a usable toolkit). */
export function checkExitCode(r: EnvironmentReport): number {
  if (!r.driver.ok || r.devices.length === 0) return CHECK_EXIT.noDriverOrGpu;
  if (!r.devices.some((d) => d.isHopper)) return CHECK_EXIT.notHopper;
  if (!r.toolkit.usable) return CHECK_EXIT.noToolkit;
  return CHECK_EXIT.ok;
}

/** One sentence on what the user can do with this machine. */
export function verdict(r: EnvironmentReport): string {
  if (r.canRunKernels) return 'Ready: kernels can be compiled, run and timed on this machine.';
  if (r.canCompileKernels) {
    return 'Study mode: kernels compile here (configs, registers, spills, hovers); running and timing them needs a Hopper GPU (sm_90) with a CUDA 12.3+ driver.';
  }
  return 'No usable CUDA toolkit: install CUDA 12.3 or newer (nvcc) or point fp8lab.cudaHome / CUDA_HOME at one. Configs and hovers still work.';
}

/** The readable report: a header, one labelled line per component, and the verdict. */
export function formatReport(r: EnvironmentReport): string {
  const rows: Array<[string, string]> = [['Summary', r.summary]];
  rows.push([
    'Driver',
    r.driver.ok
      ? `CUDA ${r.driver.versionText} (${r.driver.version}) from ${r.driver.libcudaPath}`
      : `not available [${r.driver.code}] ${triedOnce(r.driver.message)}`,
  ]);
  if (r.driver.ok && r.devices.length === 0) rows.push(['GPU', 'none reported by the driver']);
  for (const d of r.devices) {
    rows.push([
      `GPU ${d.ordinal}`,
      `${d.name}, sm_${d.computeCapability.join('')}${d.isHopper ? ' (Hopper)' : ' (not Hopper: kernels cannot run)'}, ` +
        `${d.smCount} SMs, ${bytesText(d.totalMemoryBytes)}, L2 ${bytesText(d.l2CacheBytes)}, ` +
        `shared memory ${bytesText(d.maxSharedMemoryPerBlockOptin)} per block, ${(d.clockRateKHz / 1000).toFixed(0)} MHz`,
    ]);
  }
  rows.push([
    'Toolkit',
    r.toolkit.usable
      ? `nvcc ${r.toolkit.version} at ${r.toolkit.nvccPath} (CUDA home ${r.toolkit.cudaHome})`
      : `not usable: ${r.toolkit.problem ?? 'unknown problem'}`,
  ]);
  rows.push([
    'NVRTC',
    r.nvrtc.available ? (r.nvrtc.path ?? 'available') : `not found under ${r.toolkit.cudaHome} (nvcc is used)`,
  ]);
  rows.push([
    'cuBLASLt',
    r.cublasLt.available
      ? `${r.cublasLt.version !== undefined ? cublasLtVersionText(r.cublasLt.version) + ' ' : ''}at ${r.cublasLt.path}`
      : `not available: ${triedOnce(r.cublasLt.problem ?? 'not found')} (benchmarks run without the cuBLASLt comparison)`,
  ]);
  rows.push([
    'JIT cache',
    `${r.cache.dir}: ${r.cache.entries} ${r.cache.entries === 1 ? 'entry' : 'entries'}, ${r.cache.bytes !== undefined ? `${bytesText(r.cache.bytes)}, ` : ''}` +
      (r.cache.writable ? 'writable' : 'NOT writable (set fp8lab.jit.cacheDir / FP8LAB_JIT_CACHE_DIR)'),
  ]);
  rows.push(['Addon', `${r.addon.path} (Node-API ${r.addon.napiVersion})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  // Multi-line values (the addon lists every path it tried) stay indented under their label.
  const indent = '\n' + ' '.repeat(width + 4);
  const line = ([k, v]: [string, string]) =>
    `  ${k.padEnd(width)}  ${v
      .trimEnd()
      .split('\n')
      .map((s) => s.trim())
      .join(indent)}`;
  return ['FP8 GEMM Lab environment', ...rows.map(line), '', verdict(r)].join('\n');
}

/**
 * A loader's "tried:" list as a person reads it: each path once (the addon tries the configured
 * folder, then the default search, which may name the same file again), and dlerror's own copy of
 * the path ("P: P: cannot open…") said once.
 */
export function triedOnce(text: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^(\s*)(\S+): \2: /, '$1$2: ');
    const key = line.trim();
    if (key && seen.has(key)) continue;
    seen.add(key);
    out.push(line);
  }
  return out.join('\n');
}

/** What bench prints when kernels cannot run here: why (the summary names what is missing) and what to do next. */
export function studyModeNotice(r: Pick<EnvironmentReport, 'summary'>): string {
  return (
    `No usable Hopper GPU here (${r.summary}): study mode, kernels are compiled but not run.\n` +
    'Next: `fp8lab check` says what is missing and how to fix it; a run recorded on a GPU machine ' +
    '(`fp8lab bench --json FILE` there) opens here in VS Code ("Open saved run…"); ' +
    '`fp8lab timeline --from-capture FILE --trace OUT` turns a capture made there into a Perfetto trace.\n'
  );
}

/** cublasLtGetVersion's encoding: major*10000 + minor*100 + patch. */
export function cublasLtVersionText(v: number): string {
  return `${Math.floor(v / 10000)}.${Math.floor((v % 10000) / 100)}.${v % 100}`;
}

export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function shortName(name: string): string {
  return name.replace(/^NVIDIA\s+/, '');
}
