// The cost model's device terms: what differs from one GPU (or one SM budget) to the next. The
// defaults are the H100 SXM figures the model was fitted on (costModel.ts MODEL); a device profile
// measured by `fp8lab calibrate` replaces them with this GPU's own (core/tuning/calibration.ts), and
// a refit from this GPU's tuning records may rescale them (core/tuning/refit.ts).

export interface DeviceModel {
  /**
   * The model clock (GHz): the rate at which the tensor cores, at MODEL.tensorFlopPerCyclePerSm,
   * deliver the FP8 rate measured on this device. Every per-SM cycle term runs at it.
   */
  clockGHz: number;
  /** HBM bytes per second the grid can move (the measured memory roof). */
  dramBytesPerSecond: number;
  /** L2 → SM bytes per second for the whole GPU. */
  l2BytesPerSecond: number;
  /** Whether compute-bound work holds the clock down at the power cap (the energy term applies). */
  powerCapBinds: boolean;
}

/** Per-cycle figures at the model's clock, as predictCost uses them. */
export function cycleTerms(m: DeviceModel): {
  clockGHz: number;
  dramBytesPerCycle: number;
  l2BytesPerCycle: number;
  energy: boolean;
} {
  const hz = m.clockGHz * 1e9;
  return {
    clockGHz: m.clockGHz,
    dramBytesPerCycle: m.dramBytesPerSecond / hz,
    l2BytesPerCycle: m.l2BytesPerSecond / hz,
    energy: m.powerCapBinds,
  };
}

/**
 * The model with its SM-side time scaled by `compute` and its memory time by `memory` (a refit's
 * result): a factor 1.1 means that side took 10% longer than predicted.
 */
export function scaledModel(m: DeviceModel, compute: number, memory: number): DeviceModel {
  return {
    ...m,
    clockGHz: m.clockGHz / compute,
    dramBytesPerSecond: m.dramBytesPerSecond / memory,
    l2BytesPerSecond: m.l2BytesPerSecond / memory,
  };
}
