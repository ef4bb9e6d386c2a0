// What a picture of one tile config shows, computed from the same rules the kernel and the
// heuristics use (kernelRules.ts, and the 1D1D and BF16 kernels' own layouts for their kinds): the
// output matrix cut into BLOCK_M x BLOCK_N tiles and the waves the persistent grid runs them in
// (tile t goes to SM t mod numSms in wave floor(t / numSms), in the scheduler's linear order), the
// shared memory of each pipeline stage against the opt-in limit,
// the registers of each warpgroup role against the 64K register file, the cluster's multicast
// pairing, and — for a rejected candidate — which of those its rule is about. Pure: the webview
// draws it (webview/src/charts/configPicture.ts).

import type { GemmConfig, GemmProblem } from '../../protocol/worker';
import { waveInfo, workShape } from './heuristics/tiles';
import { H100_SHARED_MEMORY_BYTES, registerSplit, sharedMemoryLayout, splitKOf } from './kernelRules';
import { is1d1dKind, sharedMemoryLayout1d1d } from './kernelRules1d1d';
import { defaultOutputBf16, dTilesBf16, isBf16Kind, sharedMemoryLayoutBf16 } from './bf16/kernelRulesBf16';
import { bf16Work } from './bf16/heuristicsBf16';

/** Registers of one SM (H100/H200: 64K 32-bit registers). */
export const REGISTER_FILE = 65536;

export type PicturePart = 'tiles' | 'smem' | 'registers' | 'cluster';

export interface SmemSegment {
  /** What the bytes hold: 'D' (output staging), 'A', 'B', 'SFA' (A scales) of a stage, 'barriers', 'SFB', 'exchange'. */
  part: 'D' | 'A' | 'B' | 'SFA' | 'barriers' | 'SFB' | 'exchange';
  /** Pipeline stage (0-based) for A, B and SFA. */
  stage?: number;
  bytes: number;
}

export interface ConfigPictureData {
  label: string;
  tiles: {
    rows: number;
    cols: number;
    total: number;
    numSms: number;
    waves: number;
    lastWaveTiles: number;
    lastWaveUtilisation: number;
  };
  smem: { segments: SmemSegment[]; total: number; limit: number; perStage: number; stages: number };
  registers: {
    roles: Array<{ role: 'producer' | 'math'; warpgroups: number; perThread: number; total: number }>;
    total: number;
    file: number;
  };
  cluster: { m: number; n: number; splitK: number; multicast: 'A' | 'B' | 'none'; text: string };
  rejected?: { rule: string; reason: string; part: PicturePart };
}

/** Which part of the picture a rejection rule is about (the rule codes of kernelRules.ts and the heuristics). */
export function partOfRule(rule: string): PicturePart {
  if (/^(smem|shared-bytes|stages)$/.test(rule)) return 'smem';
  if (/^(registers|math-warpgroups|threads)$/.test(rule)) return 'registers';
  if (/^(cluster|split-k|num-sms)$/.test(rule)) return 'cluster';
  return 'tiles';
}

export function configPicture(
  problem: GemmProblem,
  config: GemmConfig,
  rejected?: { rule: string; reason: string },
): ConfigPictureData {
  // The same tiles and waves the heuristics count (grouped kinds: the hinted sizes, all groups' tiles).
  const work = isBf16Kind(problem.kind) ? bf16Work(problem) : workShape(problem);
  const rows = Math.ceil(work.m / config.blockM) * work.groups;
  const cols = Math.ceil(work.n / config.blockN);
  const splitK = splitKOf(config);
  const wave = waveInfo(work, config.blockM, config.blockN, config.numSms, config.clusterM * config.clusterN * splitK);
  const total = wave.tiles;
  // With split-K the CTAs of a cluster share one tile: the grid works on ctas / splitK tiles at a time.
  const workers = Math.max(1, Math.floor(wave.ctas / splitK));
  const waves = Math.max(1, Math.ceil(total / workers));
  const lastWaveTiles = total - (waves - 1) * workers;
  const smem = smemSegments(problem, config);
  const split = registerSplit(config.numMathWarpgroups);
  const roles = [
    { role: 'producer' as const, warpgroups: 1, perThread: split.producer, total: split.producer * 128 },
    {
      role: 'math' as const,
      warpgroups: config.numMathWarpgroups,
      perThread: split.math,
      total: split.math * 128 * config.numMathWarpgroups,
    },
  ];
  const multicast = config.clusterN > 1 ? 'A' : config.clusterM > 1 ? 'B' : 'none';
  const clusterText =
    splitK > 1
      ? `split-K ${splitK}: the ${splitK} CTAs of a cluster each take 1/${splitK} of a tile's K and add up in shared memory`
      : multicast === 'A'
        ? `cluster ${config.clusterM}x${config.clusterN}: two CTAs on neighbouring N tiles of the same rows; A is loaded once and multicast to both`
        : multicast === 'B'
          ? `cluster ${config.clusterM}x${config.clusterN}: two CTAs on neighbouring M tiles of the same columns; B is loaded once and multicast to both`
          : 'no cluster: each CTA loads its own A and B';
  return {
    label: `${config.blockM}x${config.blockN}, ${config.numStages} stages, ${config.numMathWarpgroups} math WG${config.pingpong ? ' ping-pong' : ''}, cluster ${config.clusterM}x${config.clusterN}${splitK > 1 ? `, split-K ${splitK}` : ''}`,
    tiles: { rows, cols, total, numSms: workers, waves, lastWaveTiles, lastWaveUtilisation: lastWaveTiles / workers },
    smem: { ...smem, limit: H100_SHARED_MEMORY_BYTES, stages: config.numStages },
    registers: { roles, total: roles.reduce((a, r) => a + r.total, 0), file: REGISTER_FILE },
    cluster: { m: config.clusterM, n: config.clusterN, splitK, multicast, text: clusterText },
    ...(rejected ? { rejected: { ...rejected, part: partOfRule(rejected.rule) } } : {}),
  };
}

/**
 * The kind's kernel laid out as it lays itself out: the 1D2D kernel (D, per stage A | B | A-scales,
 * barriers, split-K exchange, B scales), the 1D1D one (fp32 D, per stage A | B | A-scales | B-scales,
 * barriers) or the BF16 one (D, two with ping-pong, per stage A | B, barriers).
 */
function smemSegments(
  problem: GemmProblem,
  config: GemmConfig,
): { segments: SmemSegment[]; total: number; perStage: number } {
  // Segments before the ring, one stage's parts repeated numStages times, segments after it.
  const laid = (
    head: SmemSegment[],
    stage: Array<[SmemSegment['part'], number]>,
    tail: SmemSegment[],
    total: number,
  ) => ({
    segments: [
      ...head,
      ...Array.from({ length: config.numStages }, (_, s) =>
        stage.map(([part, bytes]) => ({ part, stage: s, bytes })),
      ).flat(),
      ...tail,
    ],
    total,
    perStage: stage.reduce((a, [, bytes]) => a + bytes, 0),
  });
  if (isBf16Kind(problem.kind)) {
    const l = sharedMemoryLayoutBf16(config, problem.output ?? defaultOutputBf16(problem.kind));
    const tiles = dTilesBf16(config);
    const d = Array.from({ length: tiles }, () => ({ part: 'D' as const, bytes: l.dBytes / tiles }));
    const stage: Array<[SmemSegment['part'], number]> = [
      ['A', l.aStageBytes],
      ['B', l.bStageBytes],
    ];
    const tail: SmemSegment[] = [
      { part: 'barriers', bytes: l.exchangeOffset - l.barrierOffset },
      ...(l.exchangeBytes ? [{ part: 'exchange' as const, bytes: l.exchangeBytes }] : []),
    ];
    return laid(d, stage, tail, l.totalBytes);
  }
  if (is1d1dKind(problem.kind)) {
    const l = sharedMemoryLayout1d1d(config);
    const stage: Array<[SmemSegment['part'], number]> = [
      ['A', l.aStageBytes],
      ['B', l.bStageBytes],
      ['SFA', l.sfaStageBytes],
      ['SFB', l.sfbStageBytes],
    ];
    return laid(
      [{ part: 'D', bytes: l.dBytes }],
      stage,
      [{ part: 'barriers', bytes: l.totalBytes - l.barrierOffset }],
      l.totalBytes,
    );
  }
  const l = sharedMemoryLayout(config, problem.k);
  const barrierBytes = (splitKOf(config) > 1 ? l.sfbOffset - l.exchangeBytes : l.sfbOffset) - l.barrierOffset;
  const stage: Array<[SmemSegment['part'], number]> = [
    ['A', l.aStageBytes],
    ['B', l.bStageBytes],
    ['SFA', l.sfaStageBytes],
  ];
  const tail: SmemSegment[] = [
    { part: 'barriers', bytes: barrierBytes },
    ...(l.exchangeBytes ? [{ part: 'exchange' as const, bytes: l.exchangeBytes }] : []),
    { part: 'SFB', bytes: l.sfbBytes },
  ];
  return laid([{ part: 'D', bytes: l.dBytes }], stage, tail, l.totalBytes);
}
