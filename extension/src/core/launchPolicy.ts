// Whether a GEMM launch asks for programmatic dependent launch (PDL).
//
// With PDL the next launch's CTAs start on any SM that is free and wait (griddepcontrol.wait) for
// this grid to finish before they touch memory. On a persistent grid that holds every SM, that only
// hides launch latency, and decode GEMMs gain from it. A grid on fewer SMs than the GPU has
// (num_sms lowered, by FP8LAB_NUM_SMS or a tuned record, to leave SMs to other work or to stand in
// for a smaller GPU) hands those idle SMs to the next GEMM's waiting CTAs at once, and on an H100 at
// 78 of its 132 SMs that cost far more than it hid (README, "Launching on fewer SMs"). Such grids
// launch without it.

/**
 * Names this rule in the tuning store's kernel-source hash: rankings timed under another launch rule
 * are stale like those of another kernel source. Change it when the rule changes.
 */
export const LAUNCH_POLICY_ID = 'pdl-when-the-grid-holds-every-sm';

/** PDL for a launch that wants it, when its grid uses every SM of the GPU. */
export function launchWithPdl(wanted: boolean, gridSms: number, deviceSms: number): boolean {
  return wanted && gridSms >= deviceSms;
}
