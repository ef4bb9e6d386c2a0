// The peers of a run (cuBLASLt's best algorithm, DeepGEMM, torch._scaled_mm) as every view reads
// them: runs saved before per-peer results carried one cuBLASLt column (`peer`, `peerAccuracy`);
// upgradeRun() turns those into `peers` once, on load, so nothing downstream reads the old fields.
// peerColumns() says which peers a run has, in a fixed order, for tables, charts and CSV.
// Pure: no vscode, no DOM.

import type { BenchRun, PeerAvailability, PeerId, PeerResult, PeerTiming, ShapeResult } from '../../../protocol/worker';
import { geomean } from '../stats';
import { ALL_PEERS, PEER_NAMES } from './helperProtocol';

/** Column order of the peers everywhere (tables, CSV, chart legends): the runtime's order. */
export const PEER_ORDER: readonly PeerId[] = ALL_PEERS;

/** Short names for headers and legends (the full name with its version is in PeerResult.name). */
export const PEER_SHORT_NAME: Record<PeerId, string> = PEER_NAMES;

export interface PeerColumn {
  id: PeerId;
  /** Short header text ("DeepGEMM"). */
  short: string;
  /** The names the run's rows give this peer, with versions ("DeepGEMM 2.6.1"), distinct. */
  names: string[];
}

/** A result's legacy single cuBLASLt column as a PeerResult (undefined when it has none). */
export function legacyPeer(r: ShapeResult): PeerResult | undefined {
  const p = r.peer;
  if (!p) return undefined;
  if ('skipped' in p)
    return {
      id: 'cublaslt',
      name: 'cuBLASLt',
      skipped: p.skipped,
      ...(r.peerAccuracy ? { accuracy: r.peerAccuracy } : {}),
    };
  const { name, tflops, ratio, ...stats } = p;
  return {
    id: 'cublaslt',
    name: name || 'cuBLASLt',
    ...(r.peerAccuracy ? { accuracy: r.peerAccuracy } : {}),
    timing: { ...stats, tflops, ratio },
  };
}

/** One result with `peers` and without the legacy fields (a result that has `peers` keeps them). */
export function upgradeResult(r: ShapeResult): ShapeResult {
  if (r.peer === undefined && r.peerAccuracy === undefined) return r;
  const { peer: _peer, peerAccuracy: _acc, ...rest } = r;
  if (r.peers) return rest;
  const converted = legacyPeer(r);
  return converted ? { ...rest, peers: [converted] } : rest;
}

/**
 * A run whose rows carry `peers` only. A legacy run also gets its run-level availability: cuBLASLt
 * was asked for when any row has its column (available when any row was timed).
 */
export function upgradeRun<R extends Pick<BenchRun, 'results' | 'peers'>>(run: R): R {
  const hadLegacy = run.results.some((r) => r.peer !== undefined);
  const results = run.results.map(upgradeResult);
  const changed = results.some((r, i) => r !== run.results[i]);
  if (!changed) return run;
  const out = { ...run, results };
  if (!run.peers && hadLegacy) {
    const timed = results.flatMap((r) => r.peers ?? []).find((p) => p.timing);
    const skipped = results.flatMap((r) => r.peers ?? []).find((p) => p.skipped);
    const availability: PeerAvailability = timed
      ? { id: 'cublaslt', name: timed.name, available: true }
      : {
          id: 'cublaslt',
          name: 'cuBLASLt',
          available: false,
          ...(skipped?.skipped ? { reason: skipped.skipped } : {}),
        };
    out.peers = [availability];
  }
  return out;
}

/** The peers present in a run (asked for at run level or found in any row), in PEER_ORDER. */
export function peerColumns(run: Pick<BenchRun, 'results' | 'peers'>): PeerColumn[] {
  const names = new Map<PeerId, Set<string>>();
  const note = (id: PeerId, name?: string) => {
    if (!PEER_ORDER.includes(id)) return;
    const set = names.get(id) ?? new Set<string>();
    if (name) set.add(name);
    names.set(id, set);
  };
  for (const a of run.peers ?? []) note(a.id, a.available ? a.name : undefined);
  for (const r of run.results) for (const p of r.peers ?? []) note(p.id, p.timing ? p.name : undefined);
  return PEER_ORDER.filter((id) => names.has(id)).map((id) => ({
    id,
    short: PEER_SHORT_NAME[id],
    names: [...names.get(id)!],
  }));
}

/** A result's entry for one peer, if it has one. */
export function peerOf(r: Pick<ShapeResult, 'peers'>, id: PeerId): PeerResult | undefined {
  return r.peers?.find((p) => p.id === id);
}

/** One line per peer for tooltips: "DeepGEMM 2.6.1: 134.7 µs (ours 1.19x), config …" or why it was skipped. */
export function peerLines(r: Pick<ShapeResult, 'peers'>): string[] {
  return (r.peers ?? [])
    .slice()
    .sort((a, b) => PEER_ORDER.indexOf(a.id) - PEER_ORDER.indexOf(b.id))
    .map((p) => {
      if (!p.timing) return `${p.name}: not timed — ${p.skipped ?? 'no timing recorded'}`;
      const t = p.timing;
      const bits = [
        `${p.name}: median ${t.medianUs.toFixed(2)} µs, spread ${(100 * t.spread).toFixed(1)}%, ${t.tflops.toFixed(1)} TFLOPS, ratio ${t.ratio.toFixed(3)}x (${t.ratio >= 1 ? 'ours faster' : 'peer faster'})`,
      ];
      if (p.config) bits.push(`config ${p.config}`);
      if (p.accuracy) bits.push(`calc_diff ${p.accuracy.calcDiff.toExponential(2)}`);
      if (p.details)
        bits.push(
          Object.entries(p.details)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        );
      return bits.join('; ');
    });
}

/** The peer's timing when it was timed (and was not found wrong). */
export function timedPeer(r: Pick<ShapeResult, 'peers'>, id: PeerId): PeerTiming | undefined {
  const p = peerOf(r, id);
  return p?.timing && p.accuracy?.passed !== false ? p.timing : undefined;
}

/** Geomean and minimum of (peer µs / our µs) over the results where both were timed. */
export function peerGeomean(
  run: Pick<BenchRun, 'results'>,
  id: PeerId,
): { value: number; min: number; shapes: number } | undefined {
  const ratios = run.results.flatMap((r) => {
    const t = timedPeer(r, id);
    return t && r.timing && t.ratio > 0 ? [t.ratio] : [];
  });
  return ratios.length ? { value: geomean(ratios), min: Math.min(...ratios), shapes: ratios.length } : undefined;
}
