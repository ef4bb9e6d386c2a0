// DeepGEMM and torch._scaled_mm on one problem, through the helper: prepared (inputs, check, graph)
// before the timing, replayed one at a time between the worker's own replays, released after.
import type { GemmLaunch, MqaLaunch, PeerLaunch, TimingOptions } from '../../../../native/index';
import type { PeerAvailability, PeerResult } from '../../../protocol/worker';
import {
  checkPrepare,
  checkReplay,
  PEER_NAMES,
  type HelperProblem,
  type MqaHelperProblem,
  type PrepareResult,
  type PythonPeerId,
} from '../../core/peers/helperProtocol';
import type { AddonModule } from '../addon';
import { cancelledError } from '../bench/errors';
import { HelperError, PREPARE_TIMEOUT_MS, REPLAY_TIMEOUT_MS, type PythonPeerHelper } from './pythonHelper';

export interface PythonPeers {
  helper: PythonPeerHelper;
  /** From the run's hello: which of them can run here. */
  available: PeerAvailability[];
}

export interface PreparedPeer {
  id: PythonPeerId;
  prepared: PrepareResult;
}

/**
 * Prepares every available Python peer for the problem; one that cannot take it (or fails its own
 * correctness check) becomes a skipped column and the rest go on.
 */
export async function preparePythonPeers(
  peers: PythonPeers,
  problem: HelperProblem | MqaHelperProblem,
  seed: number,
  numSms: number | undefined,
  cancelled: () => boolean,
): Promise<{ prepared: PreparedPeer[]; skipped: PeerResult[] }> {
  const prepared: PreparedPeer[] = [];
  const skipped: PeerResult[] = [];
  for (const peer of peers.available) {
    if (peer.id === 'cublaslt') continue;
    if (cancelled()) throw cancelledError();
    const id = peer.id;
    if (!peer.available) {
      skipped.push({ id, name: peer.name, skipped: peer.reason ?? 'not available' });
      continue;
    }
    try {
      const answer = checkPrepare(
        await peers.helper.request(
          'prepare',
          {
            peer: id,
            problem,
            seed,
            ...(numSms ? { numSms } : {}),
          },
          PREPARE_TIMEOUT_MS,
        ),
      );
      if (!answer.accuracy.passed) {
        skipped.push({
          id,
          name: answer.name,
          accuracy: answer.accuracy,
          skipped: `${answer.name} gave a wrong result, so it was not timed`,
        });
        continue;
      }
      prepared.push({ id, prepared: answer });
    } catch (err) {
      skipped.push({
        id,
        name: peer.name,
        skipped: `${PEER_NAMES[id]} could not run this problem: ${(err as Error).message}`,
      });
    }
  }
  return { prepared, skipped };
}

export async function releasePythonPeers(peers: PythonPeers, prepared: readonly PreparedPeer[]): Promise<void> {
  for (const p of prepared)
    await peers.helper.request('release', { handle: p.prepared.handle }, REPLAY_TIMEOUT_MS).catch(() => {});
}

/**
 * Rounds of interleaved timing. Without Python peers: one timeGraphs call, its rounds interleaving
 * our kernel and cuBLASLt (A B A B ...). With them: each round is one timeGraphs round (after one
 * untimed replay per entry) followed by one replay of each Python peer (after one untimed replay of
 * its own), so every implementation runs equally often, never at the same time, at the same clock.
 * A Python peer that fails mid-way loses only its column (`dropped` says why).
 */
export async function timeRounds(
  addon: AddonModule,
  entries: Array<Array<GemmLaunch | PeerLaunch | MqaLaunch>>,
  timing: TimingOptions,
  python: { peers: PythonPeers; prepared: PreparedPeer[] } | undefined,
  cancelled: () => boolean,
): Promise<{ perCallUs: number[][]; pythonUs: Map<PythonPeerId, number[]>; dropped: Map<PythonPeerId, string> }> {
  const pythonUs = new Map<PythonPeerId, number[]>();
  const dropped = new Map<PythonPeerId, string>();
  if (!python || python.prepared.length === 0) {
    const timed = await addon.timeGraphs(entries, timing);
    return { perCallUs: timed.perCallUs, pythonUs, dropped };
  }
  const perCallUs: number[][] = entries.map(() => []);
  let live = [...python.prepared];
  for (const p of live) pythonUs.set(p.id, []);
  for (let r = 0; r < timing.rounds; r++) {
    if (cancelled()) throw cancelledError();
    const round = await addon.timeGraphs(entries, {
      ...timing,
      rounds: 1,
      warmupReplays: r === 0 ? timing.warmupReplays : 1,
    });
    round.perCallUs.forEach((samples, e) => perCallUs[e].push(...samples));
    for (const p of [...live]) {
      try {
        const us = checkReplay(
          await python.peers.helper.request(
            'replay',
            { handle: p.prepared.handle, warmup: r === 0 ? timing.warmupReplays : 1 },
            REPLAY_TIMEOUT_MS,
          ),
        );
        pythonUs.get(p.id)!.push(us);
      } catch (err) {
        dropped.set(p.id, `${PEER_NAMES[p.id]} stopped answering during the timing: ${(err as Error).message}`);
        pythonUs.delete(p.id);
        live = live.filter((x) => x !== p);
        if (err instanceof HelperError) {
          for (const q of live) {
            dropped.set(q.id, (err as Error).message);
            pythonUs.delete(q.id);
          }
          live = [];
        }
      }
    }
  }
  return { perCallUs, pythonUs, dropped };
}
