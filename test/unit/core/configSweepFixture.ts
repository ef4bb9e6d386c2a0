// Reading a config-sweep fixture (lab/config-sweep-fixture.mjs): one case timed under several configs,
// in processes minutes or calls apart, a peer timed beside ours in every process.
import assert from 'node:assert/strict';
import type { GemmConfig } from '../../../extension/protocol/worker';

export interface SweptConfig {
  config: GemmConfig;
  medianUs: number;
  /** Each run's median, when the config ran in several processes. */
  runsUs: number[];
  peersMedianUs: Record<string, number>;
  /** Median over rounds of the peer's time over ours in the same round (runs that kept both rounds). */
  peersPairedRatio?: Record<string, number>;
  /** Each run's fastest round, ours and each peer's, in run order. */
  fastestRoundsUs?: number[];
  peersFastestRoundsUs?: Record<string, number[]>;
}

/** A sweep fixture of one GEMM shape per case (the BF16 and FP8 normal kinds). */
export interface ShapeSweep {
  cases: Array<{ case: { m: number; n: number; k: number }; configs: SweptConfig[] }>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Each config's time on one clock, since the clock drifts between processes: ours over the peer's
 * in the same processes, times the peer's median over the case's processes.
 */
export function timesOnOneClock(configs: SweptConfig[], peer: string, caseLabel: string): number[] {
  const peerUs = configs.map((c) => c.peersMedianUs[peer]);
  assert.ok(
    peerUs.every((us) => us > 0),
    `${caseLabel}: ${peer} was timed beside every config`,
  );
  const ref = median(peerUs);
  // Where a config kept its rounds, its paired ratio (the median of per-round ratios): robust to a
  // clock change mid-run, which the ratio of two medians is not when the rounds straddle it.
  return configs.map((c, i) => {
    const paired = c.peersPairedRatio?.[peer];
    return paired !== undefined && paired > 0 ? ref / paired : (c.medianUs / peerUs[i]) * ref;
  });
}
