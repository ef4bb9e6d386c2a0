// The identity a tuning record is keyed by, for the GPU this process runs kernels on: what the
// driver reports (name, SMs, compute capability, driver version), the SMs the runtime may use
// (FP8LAB_NUM_SMS), and the enforced power limit, which nvidia-smi knows and CUDA does not.
import { execFile } from 'node:child_process';
import type { DeviceReport, EnvironmentReport, RuntimeSettings } from '../../protocol/worker';
import type { DeviceIdentity } from '../core/tuning/tuningRecord';

export async function deviceIdentity(
  env: EnvironmentReport,
  device: DeviceReport,
  settings: RuntimeSettings,
): Promise<DeviceIdentity> {
  const powerLimitW = await powerLimit(device.ordinal);
  return {
    name: device.name,
    smsInUse: settings.numSms !== undefined ? Math.min(settings.numSms, device.smCount) : device.smCount,
    smCount: device.smCount,
    computeCapability: device.computeCapability,
    driverVersion: env.driver.ok ? env.driver.version : 0,
    ...(powerLimitW !== undefined ? { powerLimitW } : {}),
  };
}

/**
 * nvidia-smi's enforced power limit (W) of the CUDA device `ordinal`, or undefined. Under
 * CUDA_VISIBLE_DEVICES (one worker per GPU, Slurm's allocation) ordinal i is the list's i-th entry,
 * an index or a UUID that nvidia-smi -i also takes.
 */
export function powerLimit(ordinal: number, visible = process.env.CUDA_VISIBLE_DEVICES): Promise<number | undefined> {
  const entry = visible
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)[ordinal];
  const id =
    entry !== undefined && /^(\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-fA-F/-]+)$/.test(entry) ? entry : String(ordinal);
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=enforced.power.limit', '--format=csv,noheader,nounits', '-i', id],
      { timeout: 15_000, encoding: 'utf8' },
      (err, stdout) => {
        const w = Number.parseFloat(stdout ?? '');
        resolve(!err && Number.isFinite(w) && w > 0 ? Math.round(w) : undefined);
      },
    );
  });
}
