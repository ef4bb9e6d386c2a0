// The runtime's grouped-GEMM settings (get and set, per worker process): the SMs the persistent
// kernels may use (FP8LAB_NUM_SMS when not set here) and the contiguous layouts' M/K alignment.
import type { GroupedSettings } from '../../../protocol/grouped';
import type { RuntimeSettings } from '../../../protocol/worker';
import { DEFAULT_MK_ALIGNMENT } from '../../core/grouped/layout';
import { checkMkAlignment } from '../../core/grouped/validate';
import { coded } from '../bench/errors';

let numSmsOverride: number | undefined;
let mkAlignment = DEFAULT_MK_ALIGNMENT;

/** The settings in force: numSms set here, else FP8LAB_NUM_SMS (settings.numSms), else all SMs (undefined). */
export function getGroupedSettings(settings?: RuntimeSettings): GroupedSettings {
  const numSms = numSmsOverride ?? settings?.numSms;
  return { ...(numSms !== undefined ? { numSms } : {}), mkAlignment };
}

/**
 * Changes what is given; `numSms: 0` goes back to FP8LAB_NUM_SMS / all SMs. `deviceSms` bounds numSms
 * when a GPU is known. Throws E_BAD_ARGUMENT saying what would work.
 */
export function setGroupedSettings(change: Partial<GroupedSettings>, deviceSms?: number): GroupedSettings {
  if (change.numSms !== undefined) {
    const v = change.numSms;
    const max = deviceSms ?? 1 << 16;
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw coded(
        'E_BAD_ARGUMENT',
        `numSms must be a whole number in 1..${max}${deviceSms ? ` (the device's SMs)` : ''}, or 0 for all SMs; got ${v}`,
      );
    }
  }
  if (change.mkAlignment !== undefined) {
    const p = checkMkAlignment(change.mkAlignment);
    if (p) throw coded(p.code, p.message);
  }
  if (change.numSms !== undefined) numSmsOverride = change.numSms === 0 ? undefined : change.numSms;
  if (change.mkAlignment !== undefined) mkAlignment = change.mkAlignment;
  return getGroupedSettings();
}

/** RuntimeSettings with the numSms set here applied (what the heuristics plan for). */
export function withGroupedSettings(settings: RuntimeSettings): RuntimeSettings {
  return numSmsOverride !== undefined ? { ...settings, numSms: numSmsOverride } : settings;
}
