// A device profile: what `fp8lab calibrate` measured on one GPU (one device identity), and the cost
// model's device terms derived from it. Pure: worker/calibrate.ts takes the measurements and
// storage/deviceProfiles.ts keeps the file; this module parses, checks and does the arithmetic.
//
// The derivation, term by term:
//   - clock: the model counts tensor-core cycles at MODEL.tensorFlopPerCyclePerSm per SM, so the
//     model clock is the measured FP8 rate over (that x the SMs in use). It folds in whatever the
//     clock under load was, which is what the model needs.
//   - HBM: the measured memory roof, bytes per second.
//   - L2: the H100 fit's bytes per model cycle, kept per cycle (the L2 runs in step with the SM
//     clock), so it scales with the calibrated clock. The L2 size is recorded and shown; the model
//     has no capacity term (its inputs are rotated past L2 anyway).
//   - power cap: the energy term applies only where compute-bound work pulled the SM clock under
//     POWER_BOUND_SHARE of its maximum while the FP8 GEMM ran (nvidia-smi samples); with few SMs
//     in use, or a generous cap, the clock stays up and the term is off.
import { MODEL } from '../heuristics/costModel';
import type { DeviceModel } from '../heuristics/deviceModel';
import { deviceKey, type DeviceIdentity } from './tuningRecord';

export const PROFILE_KIND = 'fp8lab.deviceProfile';
export const PROFILE_VERSION = 1;

/** Below this share of its maximum clock under FP8 load, the device is held down by its power cap. */
export const POWER_BOUND_SHARE = 0.95;

export interface ClockSample {
  smMHz: number;
  maxSmMHz: number;
  powerW: number;
  powerLimitW: number;
}

export interface ClockUnderLoad {
  /** Median SM clock over the loaded samples (MHz). */
  underLoadMHz: number;
  maxMHz: number;
  /** Median power draw over the loaded samples (W). */
  powerW: number;
  powerLimitW: number;
  /** Samples taken while the GEMM ran (power draw at least half the run's highest). */
  samples: number;
}

export interface DeviceProfile {
  kind: typeof PROFILE_KIND;
  version: typeof PROFILE_VERSION;
  device: DeviceIdentity;
  /** Our FP8 GEMM's rate on the SMs in use (TFLOPS), the median of interleaved rounds. */
  fp8Tflops: number;
  /** The memory roof (GB/s). */
  bandwidthGBps: number;
  l2CacheBytes: number;
  /** Absent where nvidia-smi could not be sampled. */
  clock?: ClockUnderLoad;
  /** How each figure was measured, in words. */
  method: string;
  measuredAt: string;
}

/**
 * Parses `nvidia-smi --query-gpu=clocks.sm,clocks.max.sm,power.draw,enforced.power.limit
 * --format=csv,noheader,nounits -lms N` output; lines that do not read as four numbers are skipped
 * ("[N/A]", a header, a line cut short when the sampler was stopped).
 */
export function parseClockSamples(text: string): ClockSample[] {
  const out: ClockSample[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(',').map((c) => Number.parseFloat(c.trim()));
    if (cells.length !== 4 || !cells.every((x) => Number.isFinite(x) && x > 0)) continue;
    const [smMHz, maxSmMHz, powerW, powerLimitW] = cells;
    out.push({ smMHz, maxSmMHz, powerW, powerLimitW });
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** The clock while the GEMM ran: samples drawing at least half the highest power seen; undefined without any. */
export function clockUnderLoad(samples: readonly ClockSample[]): ClockUnderLoad | undefined {
  if (samples.length === 0) return undefined;
  const peak = Math.max(...samples.map((s) => s.powerW));
  const loaded = samples.filter((s) => s.powerW >= peak / 2);
  return {
    underLoadMHz: median(loaded.map((s) => s.smMHz)),
    maxMHz: Math.max(...loaded.map((s) => s.maxSmMHz)),
    powerW: median(loaded.map((s) => s.powerW)),
    powerLimitW: median(loaded.map((s) => s.powerLimitW)),
    samples: loaded.length,
  };
}

/** Whether the power cap held the clock down under FP8 load; without samples, assume it did (as on the H100). */
export function powerCapBinds(clock: ClockUnderLoad | undefined): boolean {
  return clock ? clock.underLoadMHz < POWER_BOUND_SHARE * clock.maxMHz : true;
}

/** The cost model's device terms from a profile (see the derivation at the top of this file). */
export function modelFromProfile(profile: DeviceProfile): DeviceModel {
  const clockGHz = (profile.fp8Tflops * 1e12) / (MODEL.tensorFlopPerCyclePerSm * profile.device.smsInUse) / 1e9;
  return {
    clockGHz,
    dramBytesPerSecond: profile.bandwidthGBps * 1e9,
    l2BytesPerSecond: MODEL.l2BytesPerCycle * clockGHz * 1e9,
    powerCapBinds: powerCapBinds(profile.clock),
  };
}

/** One line for tables and the CLI: "clock 1.46 GHz, HBM 3.21 TB/s, L2 16.0 TB/s, power cap off". */
export function modelSummary(m: DeviceModel): string {
  return (
    `model clock ${m.clockGHz.toFixed(2)} GHz, HBM ${(m.dramBytesPerSecond / 1e12).toFixed(2)} TB/s, ` +
    `L2 ${(m.l2BytesPerSecond / 1e12).toFixed(1)} TB/s, power-cap term ${m.powerCapBinds ? 'on' : 'off'}`
  );
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Why a parsed value is not a usable profile; undefined when it is one. */
export function profileProblem(v: unknown): string | undefined {
  if (!isObj(v) || v.kind !== PROFILE_KIND) return 'not a device profile';
  if (v.version !== PROFILE_VERSION)
    return `device profile version ${JSON.stringify(v.version)}; this build reads version ${PROFILE_VERSION}`;
  const d = v.device;
  if (!isObj(d) || typeof d.name !== 'string' || !isNum(d.smsInUse) || d.smsInUse < 1 || !isNum(d.smCount))
    return 'device profile without a device identity';
  if (!isNum(v.fp8Tflops) || v.fp8Tflops <= 0 || !isNum(v.bandwidthGBps) || v.bandwidthGBps <= 0)
    return 'device profile without its FP8 rate or memory bandwidth';
  if (v.clock !== undefined) {
    const c = v.clock;
    if (!isObj(c) || !isNum(c.underLoadMHz) || !isNum(c.maxMHz) || c.maxMHz <= 0)
      return 'device profile with a malformed clock';
  }
  if (typeof v.measuredAt !== 'string' || typeof v.method !== 'string')
    return 'device profile without its date or method';
  return undefined;
}

/** The profile among `profiles` measured on this device identity (the newest when several are). */
export function profileFor(profiles: readonly DeviceProfile[], device: DeviceIdentity): DeviceProfile | undefined {
  const key = deviceKey(device);
  return profiles
    .filter((p) => deviceKey(p.device) === key)
    .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0];
}
