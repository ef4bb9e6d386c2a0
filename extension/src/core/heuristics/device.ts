// The few device facts the heuristics need, and where they come from.

import type { DeviceReport } from '../../../protocol/worker';
import type { DeviceModel } from './deviceModel';

export interface PolicyDevice {
  /** For messages ("NVIDIA H100 80GB HBM3"). */
  name: string;
  /** SMs the persistent grid may use (FP8LAB_NUM_SMS may lower it). */
  numSms: number;
  /** Opt-in dynamic shared memory per block (232448 on H100). */
  sharedMemoryBytes: number;
  /** The probed GPU's own SM count (what a launch may use at most); absent when no GPU was found. */
  deviceSms?: number;
  /** The cost model's device terms for this GPU (calibrated); absent: the H100 defaults. */
  model?: DeviceModel;
}

/** The most SMs any Hopper part has (the full GH100 die): the bound on a config's numSms when no GPU is known. */
export const MAX_HOPPER_SMS = 144;

/**
 * An H100 SXM (132 SMs, 227 KB opt-in shared memory): what the explorer and `fp8lab configs` assume
 * when no GPU is present, and the machine our speed targets are measured on.
 */
export const H100_SXM: PolicyDevice = {
  name: 'H100 SXM (assumed: no GPU found)',
  numSms: 132,
  sharedMemoryBytes: 232448,
};

/** The policy view of a probed device; `numSms` (FP8LAB_NUM_SMS) may only lower the SM count. */
export function policyDevice(report: DeviceReport | undefined, numSms?: number): PolicyDevice {
  const base: PolicyDevice = report
    ? {
        name: report.name,
        numSms: report.smCount,
        sharedMemoryBytes: report.maxSharedMemoryPerBlockOptin,
        deviceSms: report.smCount,
      }
    : H100_SXM;
  if (numSms === undefined) return base;
  if (!Number.isInteger(numSms) || numSms < 1) {
    throw new RangeError(`FP8LAB_NUM_SMS must be a whole number of SMs ≥ 1; got ${numSms}`);
  }
  if (numSms > base.numSms) {
    throw new RangeError(
      `FP8LAB_NUM_SMS = ${numSms} exceeds the ${base.numSms} SMs of ${base.name}; use at most ${base.numSms}`,
    );
  }
  return { ...base, numSms };
}
