// The peers of one benchmark run: which were asked for, which can run here (each missing one with
// the line that says why and what would fix it), and the Python helper's lifetime (started once per
// run, killed with it on cancel, closed at its end).
import type { EnvironmentReport, PeerAvailability, PeerId, RuntimeSettings } from '../../../protocol/worker';
import { missingPeerLines, PEER_NAMES, PYTHON_PEERS, wantedPeers } from '../../core/peers/helperProtocol';
import type { ShapePeers } from '../bench/shapeBench';
import type { Logger } from '../bench/jit';
import { cublasLtVersionText } from '../../core/environmentText';
import { PythonPeerHelper } from './pythonHelper';

export interface RunPeers {
  shape: ShapePeers;
  availability: PeerAvailability[];
  /** Kills the helper at once (cancel). */
  kill(): void;
  close(): Promise<void>;
}

export async function openPeers(
  settings: RuntimeSettings,
  options: { peer: boolean; peers?: PeerId[]; timing: boolean },
  env: EnvironmentReport,
  log: Logger,
  startHelper: typeof PythonPeerHelper.start = PythonPeerHelper.start,
): Promise<RunPeers> {
  const wanted = wantedPeers(options);
  const availability: PeerAvailability[] = [];
  const shape: ShapePeers = {};
  if (wanted.includes('cublaslt')) {
    const version = env.cublasLt.version ? cublasLtVersionText(env.cublasLt.version) : undefined;
    const name = `${PEER_NAMES.cublaslt}${version ? ` ${version}` : ''}`;
    if (env.cublasLt.available) {
      shape.cublaslt = {
        ok: true,
        name,
        winners: new Map(),
        ...(env.cublasLt.path ? { path: env.cublasLt.path } : {}),
      };
      availability.push({ id: 'cublaslt', name, available: true, ...(version ? { version } : {}) });
    } else {
      // Said once for the run (no column of 'skipped' cells).
      const reason = `cuBLASLt is not available: ${env.cublasLt.problem ?? 'not found'}`;
      availability.push({ id: 'cublaslt', name, available: false, reason });
    }
  }
  let helper: PythonPeerHelper | undefined;
  const pythonWanted = PYTHON_PEERS.filter((id) => wanted.includes(id));
  // The Python peers only time; a correctness-only run has nothing to compare them on.
  if (pythonWanted.length && options.timing) {
    helper = startHelper(settings.pythonPath);
    const { peers } = await helper.hello(wanted);
    availability.push(...peers);
    const usable = peers.filter((p) => p.available);
    if (usable.length) shape.python = { helper, available: usable };
    else {
      helper.kill('not needed');
      helper = undefined;
    }
  }
  for (const line of missingPeerLines(availability)) log('warn', line);
  return {
    shape,
    availability,
    kill: () => helper?.kill('stopped with the run'),
    close: async () => {
      await helper?.close();
    },
  };
}
