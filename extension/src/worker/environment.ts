// Builds the EnvironmentReport: what the addon sees of the driver and GPUs, the CUDA toolkit (nvcc
// by argv), NVRTC, cuBLASLt and the JIT cache. Runs in the worker and in the CLI. Everything the
// machine lacks becomes part of the report; only a missing/broken addon throws (E_ADDON_LOAD).
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DeviceReport, EnvironmentReport, ErrorCode, RuntimeSettings, ToolkitReport } from '../../protocol/worker';
import { loadAddon, type LoadedAddon } from './addon';
import { summarize } from '../core/environmentText';

export const MIN_TOOLKIT: [number, number] = [12, 3];

export interface EnvironmentDeps {
  loadAddon(): LoadedAddon;
  /** Runs `<nvcc> --version`; resolves with stdout, rejects when it cannot run. */
  nvccVersion(nvccPath: string): Promise<string>;
}

const defaultDeps: EnvironmentDeps = { loadAddon: () => loadAddon(), nvccVersion: runNvccVersion };

export interface ProbeOptions {
  /** Also add up the JIT cache's size (walks every file: for `fp8lab check`, not for every request). */
  cacheBytes?: boolean;
}

export async function probeEnvironment(
  settings: RuntimeSettings,
  deps: EnvironmentDeps = defaultDeps,
  options: ProbeOptions = {},
): Promise<EnvironmentReport> {
  const { addon, path: addonPath } = deps.loadAddon(); // E_ADDON_LOAD propagates: nothing else is meaningful without it
  const build = addon.buildInfo();

  let driver: EnvironmentReport['driver'];
  let devices: DeviceReport[] = [];
  try {
    const probed = addon.probe(settings.libcudaPath ? { libcudaPath: settings.libcudaPath } : undefined);
    driver = {
      ok: true,
      libcudaPath: probed.libcudaPath,
      version: probed.driverVersion,
      versionText: cudaVersionText(probed.driverVersion),
    };
    devices = probed.devices.map((d) => ({
      ordinal: d.ordinal,
      name: d.name,
      computeCapability: d.computeCapability,
      smCount: d.smCount,
      totalMemoryBytes: d.totalMemoryBytes,
      l2CacheBytes: d.l2CacheBytes,
      maxSharedMemoryPerBlockOptin: d.maxSharedMemoryPerBlockOptin,
      clockRateKHz: d.clockRateKHz,
      // sm_90a kernels need exactly compute capability 9.0 (Hopper); 'a' features do not carry forward.
      isHopper: d.computeCapability[0] === 9 && d.computeCapability[1] === 0,
    }));
  } catch (err) {
    driver = { ok: false, ...codedOf(err, 'E_CUDA') };
  }

  const [toolkit, cache] = await Promise.all([
    detectToolkit(settings, deps),
    cacheStats(settings.cacheDir, options.cacheBytes === true),
  ]);

  const nvrtcPath = findNvrtc(settings.cudaHome);
  const nvrtc = {
    available: nvrtcPath !== undefined || build.nvrtcAvailable,
    ...(nvrtcPath ? { path: nvrtcPath } : {}),
  };

  let cublasLt: EnvironmentReport['cublasLt'];
  try {
    const info = addon.cublasLtInfo({
      cudaHome: settings.cudaHome,
      ...(settings.cublasLtPath ? { path: settings.cublasLtPath } : {}),
    });
    cublasLt = { available: true, path: info.path, version: info.version };
  } catch (err) {
    cublasLt = { available: false, problem: codedOf(err, 'E_NO_CUBLASLT').message };
  }

  const canCompileKernels = toolkit.usable;
  const canRunKernels = canCompileKernels && devices.some((d) => d.isHopper);
  const partial = {
    driver,
    devices,
    toolkit,
    nvrtc,
    cublasLt,
    cache,
    addon: { path: addonPath, napiVersion: build.napiVersion },
    canRunKernels,
    canCompileKernels,
  };
  return { ...partial, summary: summarize(partial) };
}

/** 13000 -> "13.0", 12080 -> "12.8" (cuDriverGetVersion's encoding: 1000*major + 10*minor). */
export function cudaVersionText(version: number): string {
  return `${Math.floor(version / 1000)}.${Math.floor((version % 1000) / 10)}`;
}

/** "release 13.0, V13.0.88" -> "13.0"; undefined when the text is not nvcc's. */
export function parseNvccVersion(stdout: string): string | undefined {
  const m = /release (\d+)\.(\d+)/.exec(stdout);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

export function versionAtLeast(version: string, min: [number, number]): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

async function detectToolkit(settings: RuntimeSettings, deps: EnvironmentDeps): Promise<ToolkitReport> {
  const base = { nvccPath: settings.nvccPath, cudaHome: settings.cudaHome };
  const need = `CUDA toolkit ${MIN_TOOLKIT.join('.')} or newer`;
  let stdout: string;
  try {
    stdout = await deps.nvccVersion(settings.nvccPath);
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? `nvcc not found at ${settings.nvccPath}`
        : `${settings.nvccPath} --version failed (${(err as Error).message.split('\n')[0]})`;
    return {
      ...base,
      usable: false,
      problem: `${why}. Install the ${need}, or set fp8lab.cudaHome / CUDA_HOME (or fp8lab.jit.nvccPath / FP8LAB_JIT_NVCC_COMPILER).`,
    };
  }
  const version = parseNvccVersion(stdout);
  if (!version)
    return {
      ...base,
      usable: false,
      problem: `${settings.nvccPath} --version did not print a CUDA release; is it nvcc?`,
    };
  if (!versionAtLeast(version, MIN_TOOLKIT)) {
    return {
      ...base,
      version,
      usable: false,
      problem: `nvcc ${version} is too old: sm_90a FP8 kernels need the ${need}.`,
    };
  }
  return { ...base, version, usable: true };
}

export function runNvccVersion(nvccPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(nvccPath, ['--version'], { timeout: 20_000, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

function findNvrtc(cudaHome: string): string | undefined {
  const dirs = [join(cudaHome, 'lib64'), join(cudaHome, 'targets/x86_64-linux/lib'), join(cudaHome, 'lib')];
  for (const dir of dirs) {
    for (const name of ['libnvrtc.so.13', 'libnvrtc.so.12', 'libnvrtc.so']) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** A cache entry's folder name (the key) and its shard's (the key's first two hex digits). */
const SHARD = /^[0-9a-f]{2}$/;
const ENTRY = /^[0-9a-f]{64}$/;

/**
 * Entries are the key folders in the shard folders (one readdir per shard: cheap even with tens of
 * thousands of entries; tmp/ and entries moved aside as corrupt are not counted). Bytes mean
 * stat()ing every file, so they are counted only when asked (`fp8lab check`). Never creates the folder.
 */
async function cacheStats(dir: string, withBytes: boolean): Promise<EnvironmentReport['cache']> {
  let entries = 0;
  let bytes: number | undefined;
  try {
    const shards = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && SHARD.test(d.name));
    for (const shard of shards) {
      try {
        for (const e of await readdir(join(dir, shard.name), { withFileTypes: true }))
          if (e.isDirectory() && ENTRY.test(e.name)) entries += 1;
      } catch {
        /* a shard removed while we look */
      }
    }
    if (withBytes) bytes = await folderBytes(dir);
  } catch {
    // Not there yet: 0 entries. Writability below says whether it can be made.
  }
  return { dir, entries, ...(bytes !== undefined ? { bytes } : {}), writable: await writableOrCreatable(dir) };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    try {
      if (d.isDirectory()) total += await folderBytes(p);
      else if (d.isFile()) total += (await stat(p)).size;
    } catch {
      /* removed while we look */
    }
  }
  return total;
}

/** The folder, or its nearest existing ancestor, is writable by us. */
async function writableOrCreatable(dir: string): Promise<boolean> {
  for (let p = dir; ; p = dirname(p)) {
    try {
      const s = await stat(p);
      if (!s.isDirectory()) return false;
      await access(p, constants.W_OK | constants.X_OK);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    if (dirname(p) === p) return false;
  }
}

/** The code and message of an addon error; unexpected ones keep `fallback` as their code. */
export function codedOf(err: unknown, fallback: ErrorCode): { code: ErrorCode; message: string } {
  if (
    err &&
    typeof err === 'object' &&
    typeof (err as { code?: unknown }).code === 'string' &&
    String((err as { code: string }).code).startsWith('E_')
  ) {
    return { code: (err as { code: ErrorCode }).code, message: (err as Error).message };
  }
  return { code: fallback, message: err instanceof Error ? err.message : String(err) };
}
