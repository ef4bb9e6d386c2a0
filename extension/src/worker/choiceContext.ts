// Gathers what the config choice consults before the cost model (core/tuning/choice.ts): the tuning
// store's records for this device identity and kernel source, this device's calibrated profile,
// and a refit of the model to this device's records. FP8LAB_MODEL narrows it for comparisons:
// `calibrated` skips tuned records, `defaults` uses the H100 defaults alone.
import type { DeviceReport, EnvironmentReport, RuntimeSettings } from '../../protocol/worker';
import type { PolicyDevice } from '../core/heuristics/device';
import { modelFromProfile } from '../core/tuning/calibration';
import type { ChoiceContext } from '../core/tuning/choice';
import { refitModel } from '../core/tuning/refit';
import { viewFor, type DeviceIdentity } from '../core/tuning/tuningRecord';
import { H100_DEFAULT_MODEL } from '../core/heuristics/costModel';
import { readProfileFor } from '../storage/deviceProfiles';
import { kernelSourceHash } from '../storage/kernelSourceHash';
import { defaultTuningDir, TuningStore, warningText } from '../storage/tuningStore';
import { coded } from './bench/errors';
import type { Logger } from './bench/jit';
import { deviceIdentity } from './deviceIdentity';

/** Identities already asked for in this process (nvidia-smi answers the power limit in ~0.1 s; the explorer asks often). */
const identities = new Map<string, Promise<DeviceIdentity>>();
function cachedIdentity(
  env: EnvironmentReport,
  hopper: DeviceReport,
  settings: RuntimeSettings,
): Promise<DeviceIdentity> {
  const key = `${hopper.ordinal}|${hopper.name}|${settings.numSms ?? ''}|${process.env.CUDA_VISIBLE_DEVICES ?? ''}`;
  let identity = identities.get(key);
  if (!identity) {
    identity = deviceIdentity(env, hopper, settings);
    identities.set(key, identity);
  }
  return identity;
}

/** Which parts of the choice are consulted: all (auto), the calibrated model alone, or the H100 defaults alone. */
export type ModelMode = 'auto' | 'calibrated' | 'defaults';
export const MODEL_ENV = 'FP8LAB_MODEL';

/** FP8LAB_MODEL: unset or `auto`, `calibrated`, `defaults`; anything else is E_BAD_ARGUMENT. */
export function modelMode(value = process.env[MODEL_ENV]): ModelMode {
  const v = value?.trim().toLowerCase();
  if (!v || v === 'auto') return 'auto';
  if (v === 'calibrated' || v === 'defaults') return v;
  throw coded('E_BAD_ARGUMENT', `${MODEL_ENV} must be auto, calibrated or defaults; got ${JSON.stringify(value)}`);
}

export function tuningDirOf(settings: RuntimeSettings): string {
  return settings.tuningDbPath ?? defaultTuningDir(settings.cacheDir);
}

export interface LoadOptions {
  /** Consult tuned records (false for `fp8lab tune`, which ranks by the model). Default true. */
  tuned?: boolean;
  mode?: ModelMode;
  /** The identity when the caller already has it (saves an nvidia-smi call). */
  identity?: DeviceIdentity;
  log?: Logger;
}

/**
 * The choice context for the device the heuristics plan for. Without a Hopper GPU: the H100
 * defaults (there is no device to have calibrated or tuned).
 */
export async function loadChoiceContext(
  settings: RuntimeSettings,
  env: EnvironmentReport,
  hopper: DeviceReport | undefined,
  device: PolicyDevice,
  options: LoadOptions = {},
): Promise<ChoiceContext> {
  const mode = options.mode ?? modelMode();
  const log = options.log ?? (() => {});
  if (!hopper) return { defaultsReason: 'no Hopper GPU here' };
  if (mode === 'defaults') return { defaultsReason: `${MODEL_ENV}=defaults` };
  const dir = tuningDirOf(settings);
  const [identity, kernelHash, read] = await Promise.all([
    options.identity ?? cachedIdentity(env, hopper, settings),
    kernelSourceHash(settings.kernelsDir, settings.jitDefines),
    new TuningStore(dir).read(),
  ]);
  for (const w of read.warnings) log('warn', warningText(w));
  const { profile, warnings } = await readProfileFor(dir, identity);
  for (const w of warnings) log('warn', w);
  const view = viewFor(read.records, identity, kernelHash);
  const base = profile ? modelFromProfile(profile) : H100_DEFAULT_MODEL;
  const ctx: ChoiceContext = profile
    ? { model: base, calibratedAt: profile.measuredAt }
    : { defaultsReason: 'this GPU is not calibrated: run fp8lab calibrate' };
  if (mode === 'auto') {
    ctx.tuned = view;
    const outcome = refitModel(view.usable, device, base);
    if (outcome.ok) {
      ctx.model = outcome.model;
      ctx.refit = outcome.refit;
    }
  }
  return ctx;
}
