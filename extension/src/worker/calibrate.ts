// `fp8lab calibrate`: measures this GPU's device terms once (seconds) and stores them as a
// device profile beside the tuning store, keyed by the device identity (the SMs in use included):
//   - the FP8 rate: our GEMM at 8192³ on the SMs in use, checked against FP32 first, then long
//     CUDA-graph rounds (about 0.3 s each) so the clock settles where the power cap holds it; median;
//   - the clock under that load and the power draw: nvidia-smi sampled every 100 ms meanwhile;
//   - the memory roof: bench/ceilings.ts's copy and streaming-read kernels (over the whole device:
//     a plain kernel cannot be held to fewer SMs);
//   - L2 size and power limit: what the driver and nvidia-smi report.
// core/tuning/calibration.ts turns the profile into the cost model's terms.
import { spawn } from 'node:child_process';
import type { DeviceReport, EnvironmentReport, GemmProblem, RuntimeSettings } from '../../protocol/worker';
import { formatConfig } from '../core/runRows';
import { gemmFlops } from '../core/stats';
import {
  clockUnderLoad,
  parseClockSamples,
  PROFILE_KIND,
  PROFILE_VERSION,
  type DeviceProfile,
} from '../core/tuning/calibration';
import { writeProfile } from '../storage/deviceProfiles';
import { loadAddon } from './addon';
import { CEILING_GEMM, measureMemoryGBps } from './bench/ceilings';
import { compileGemm } from './bench/compileGemm';
import { coded } from './bench/errors';
import type { Logger } from './bench/jit';
import { policyDevice, resolveConfig, validateBench } from './bench/policy';
import { benchShape } from './bench/shapeBench';
import { UtilKernels } from './bench/utilKernels';
import { tuningDirOf } from './choiceContext';
import { deviceIdentity } from './deviceIdentity';
import { probeEnvironment } from './environment';
import { firstHopper, initDevice, requireCompiler } from './service';

/** Launches per CUDA graph of the 8192³ GEMM: ~0.3 s of work per round on 78–132 SMs. */
const CALLS_PER_GRAPH = 256;
const ROUNDS = 10;
const SAMPLE_MS = 100;

/** nvidia-smi sampling the clock and power of one GPU until stop() is called; no samples where it cannot run. */
export function sampleClocks(id: string): { stop(): Promise<string> } {
  let text = '';
  let child: ReturnType<typeof spawn> | undefined;
  let exited: Promise<void> = Promise.resolve();
  try {
    child = spawn(
      'nvidia-smi',
      [
        '--query-gpu=clocks.sm,clocks.max.sm,power.draw,enforced.power.limit',
        '--format=csv,noheader,nounits',
        '-lms',
        String(SAMPLE_MS),
        '-i',
        id,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    exited = new Promise((resolve) => {
      child!.once('close', () => resolve());
      child!.once('error', () => resolve());
    });
  } catch {
    child = undefined;
  }
  return {
    async stop() {
      if (child && child.exitCode === null && !child.killed) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      return text;
    },
  };
}

/** The nvidia-smi id of CUDA ordinal `ordinal` (CUDA_VISIBLE_DEVICES maps it, as in deviceIdentity.ts). */
function smiId(ordinal: number, visible = process.env.CUDA_VISIBLE_DEVICES): string {
  const entry = visible
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)[ordinal];
  return entry !== undefined && /^(\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-fA-F/-]+)$/.test(entry) ? entry : String(ordinal);
}

export interface Calibration {
  profile: DeviceProfile;
  file: string;
}

export async function calibrate(settings: RuntimeSettings, log: Logger = () => {}): Promise<Calibration> {
  const env: EnvironmentReport = await probeEnvironment(settings);
  requireCompiler(env);
  const hopper: DeviceReport | undefined = firstHopper(env);
  if (!env.canRunKernels || !hopper)
    throw coded('E_NO_DEVICE', `Calibration measures the GPU, so it needs a Hopper GPU; here: ${env.summary}`);
  const a = loadAddon().addon;
  const device = policyDevice(settings, hopper);
  const identity = await deviceIdentity(env, hopper, settings);
  const [problem] = validateBench([{ kind: 'normal', ...CEILING_GEMM } as GemmProblem], env);
  const config = resolveConfig(problem, device, undefined, settings).config;
  log('info', `calibrate: compiling the ${CEILING_GEMM.m}³ GEMM (${formatConfig(config)}, ${config.numSms} SMs)`);
  const compiled = await compileGemm(a, settings, problem, config, log);
  const info = initDevice(a, settings, hopper.ordinal);
  const utils = await UtilKernels.load(a, settings, log);

  log(
    'info',
    `calibrate: timing it, ${ROUNDS} rounds of ${CALLS_PER_GRAPH} launches, sampling nvidia-smi every ${SAMPLE_MS} ms`,
  );
  const sampler = sampleClocks(smiId(hopper.ordinal));
  let result;
  let smiText = '';
  try {
    ({ result } = await benchShape(
      {
        addon: a,
        settings,
        utils,
        device: info,
        options: { timing: true, peer: false, rounds: ROUNDS, seed: 0, callsPerGraph: CALLS_PER_GRAPH },
        index: 0,
        total: 1,
        progress: (_phase, message) => log('info', message),
        cancelled: () => false,
        peers: {},
        measureHostOverhead: false,
      },
      compiled,
    ));
  } finally {
    smiText = await sampler.stop();
  }
  if (!result.timing || !result.accuracy?.passed) {
    throw coded(
      result.error?.code ?? 'E_INTERNAL',
      `the ${CEILING_GEMM.m}³ GEMM gave no correct timing: ${result.error?.message ?? 'wrong result'}`,
    );
  }
  const clock = clockUnderLoad(parseClockSamples(smiText));
  log('info', 'calibrate: measuring the memory roof');
  const memory = await measureMemoryGBps(a, utils, info);
  const fp8Tflops = gemmFlops(CEILING_GEMM.m, CEILING_GEMM.n, CEILING_GEMM.k) / (result.timing.medianUs * 1e-6) / 1e12;
  const profile: DeviceProfile = {
    kind: PROFILE_KIND,
    version: PROFILE_VERSION,
    device: identity,
    fp8Tflops,
    bandwidthGBps: memory.gbps,
    l2CacheBytes: hopper.l2CacheBytes,
    ...(clock ? { clock } : {}),
    method:
      `FP8: our GEMM ${formatConfig(config)} at ${CEILING_GEMM.m}x${CEILING_GEMM.n}x${CEILING_GEMM.k} on ${config.numSms} SMs, ` +
      `checked against FP32, median of ${ROUNDS} interleaved CUDA-graph rounds of ${CALLS_PER_GRAPH} launches over rotated inputs ` +
      `(${result.timing.medianUs.toFixed(1)} µs per GEMM); clock: ${
        clock
          ? `nvidia-smi every ${SAMPLE_MS} ms during those rounds, ` +
            `median of the ${clock.samples} samples drawing at least half the peak power`
          : 'not sampled (nvidia-smi gave nothing)'
      }; ${memory.method}. ` +
      `Measured on ${info.name}.`,
    measuredAt: new Date().toISOString(),
  };
  const file = await writeProfile(tuningDirOf(settings), profile);
  return { profile, file };
}
