// Saving measured rankings into the tuning store (`fp8lab tune --save`): each shape becomes a
// record keyed by this GPU's identity and the kernel-source hash (core/tuning/tuningRecord.ts).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DeviceReport, EnvironmentReport, RuntimeSettings } from '../../protocol/worker';
import { recordFromTuning, type DeviceIdentity, type TuningRecord } from '../core/tuning/tuningRecord';
import { kernelSourceHash } from '../storage/kernelSourceHash';
import { defaultTuningDir, TuningStore } from '../storage/tuningStore';
import type { MeasuredTuning } from './bench/tuneProblem';
import { deviceIdentity } from './deviceIdentity';
import { shapeLabel } from '../core/shapes';

export function tuningStoreFor(settings: RuntimeSettings): TuningStore {
  return new TuningStore(settings.tuningDbPath ?? defaultTuningDir(settings.cacheDir));
}

/** Where measurements come from: the device identity and kernel hash, computed once per process. */
export interface TuningProvenance {
  device: DeviceIdentity;
  kernelHash: string;
}

export async function tuningProvenance(
  settings: RuntimeSettings,
  env: EnvironmentReport,
  device: DeviceReport,
): Promise<TuningProvenance> {
  const [identity, kernelHash] = await Promise.all([
    deviceIdentity(env, device, settings),
    kernelSourceHash(settings.kernelsDir, settings.jitDefines),
  ]);
  return { device: identity, kernelHash };
}

/** Records for the tunings that measured at least one candidate (a shape with none teaches nothing). */
export function tuningRecords(
  tunings: readonly MeasuredTuning[],
  provenance: TuningProvenance,
  measuredAt = new Date().toISOString(),
): TuningRecord[] {
  return tunings
    .filter((t) => t.best)
    .map((t) =>
      recordFromTuning(t, {
        id: `tune/${hostname()}/${process.pid}/${shapeLabel(t.problem)}/${randomBytes(6).toString('hex')}`,
        device: provenance.device,
        kernelHash: provenance.kernelHash,
        measuredAt,
        origin: { by: 'tune', host: hostname() },
      }),
    );
}
