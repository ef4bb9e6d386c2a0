// Whether this machine has a CUDA driver library: the no-GPU refusal tests skip where one is (the GPU
// machine runs the real paths instead).
import { existsSync } from 'node:fs';

export const hasCudaDriver = [
  '/usr/lib/x86_64-linux-gnu/libcuda.so.1',
  '/usr/local/nvidia/lib64/libcuda.so.1',
  '/usr/lib64/libcuda.so.1',
  '/lib64/libcuda.so.1',
].some((p) => existsSync(p));
