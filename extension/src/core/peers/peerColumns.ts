// The peers of a result as columns: one per peer present in a run, in a fixed order, with saved
// runs from before per-peer columns read as their one cuBLASLt column. Pure.
import type { BenchRun, PeerId, PeerResult, PeerTiming, ShapeResult } from '../../../protocol/worker';
import { geomean } from '../stats';
import { ALL_PEERS, PEER_NAMES } from './helperProtocol';

/** A result's peers; a result saved with the older single `peer` field gives its cuBLASLt entry. */
export function resultPeers(r: ShapeResult): PeerResult[] {
  if (r.peers) return r.peers;
  if (!r.peer) return [];
  if ('skipped' in r.peer) return [{ id: 'cublaslt', name: PEER_NAMES.cublaslt, skipped: r.peer.skipped }];
  const { name, ...timing } = r.peer;
  return [{ id: 'cublaslt', name, timing: timing as PeerTiming, ...(r.peerAccuracy ? { accuracy: r.peerAccuracy } : {}) }];
}

export function peerOf(r: ShapeResult, id: PeerId): PeerResult | undefined {
  return resultPeers(r).find((p) => p.id === id);
}

/** The peer's timing when it was timed (and checked correct where a check was recorded). */
export function timedPeer(r: ShapeResult, id: PeerId): PeerTiming | undefined {
  const p = peerOf(r, id);
  return p?.timing && p.accuracy?.passed !== false ? p.timing : undefined;
}

/** Every peer a run has a column for, in the product's order (cuBLASLt, DeepGEMM, torch). */
export function runPeerIds(run: Pick<BenchRun, 'results' | 'peers'>): PeerId[] {
  const seen = new Set<PeerId>((run.peers ?? []).map((p) => p.id));
  for (const r of run.results) for (const p of resultPeers(r)) seen.add(p.id);
  return ALL_PEERS.filter((id) => seen.has(id));
}

/** Geomean of (peer µs / our µs) over the results where both were timed. */
export function peerGeomean(run: Pick<BenchRun, 'results'>, id: PeerId): { value: number; min: number; shapes: number } | undefined {
  const ratios = run.results.flatMap((r) => {
    const t = timedPeer(r, id);
    return t && r.timing && t.ratio > 0 ? [t.ratio] : [];
  });
  return ratios.length ? { value: geomean(ratios), min: Math.min(...ratios), shapes: ratios.length } : undefined;
}

/** The short column head: "cuBLASLt", "DeepGEMM", "torch". */
export function peerShortName(id: PeerId): string {
  return id === 'torch' ? 'torch' : PEER_NAMES[id];
}
