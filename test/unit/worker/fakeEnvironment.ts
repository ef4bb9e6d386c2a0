// Runtime settings and an environment report for the pipeline tests that run against FakeAddon: a
// machine with (or without) one H100 and a usable toolkit. Inputs of the tests, not measurements.
import type { EnvironmentReport, RuntimeSettings } from '../../../extension/protocol/worker';
import { device } from './fakeAddon';

export function testSettings(cacheDir: string): RuntimeSettings {
  return {
    cacheDir,
    compiler: 'nvcc',
    cudaHome: '/usr/local/cuda',
    nvccPath: '/usr/local/cuda/bin/nvcc',
    libcudaPath: '',
    cublasLtPath: '',
    kernelsDir: '/fake/kernels',
    jitDebug: false,
    printConfigs: false,
    printCompilerCommand: false,
    ptxasVerbose: false,
    ptxasCheck: false,
    dumpPtx: false,
    dumpSass: false,
    withLineinfo: false,
  };
}

export function environment(gpu: boolean): EnvironmentReport {
  return {
    driver: gpu
      ? { ok: true, libcudaPath: '/lib/libcuda.so.1', version: 13000, versionText: '13.0' }
      : { ok: false, code: 'E_NO_DRIVER', message: 'no driver' },
    devices: gpu ? [{ ...device, isHopper: true }] : [],
    toolkit: { nvccPath: '/usr/local/cuda/bin/nvcc', cudaHome: '/usr/local/cuda', version: '13.0', usable: true },
    nvrtc: { available: false },
    cublasLt: { available: true, path: '/usr/local/cuda/lib64/libcublasLt.so.13', version: 130100 },
    cache: { dir: '/fake', entries: 0, bytes: 0, writable: true },
    addon: { path: '/fake/fp8lab.node', napiVersion: 8 },
    canRunKernels: gpu,
    canCompileKernels: true,
    summary: gpu ? 'H100' : 'study mode',
  };
}
