// The kernel configs the FP8 MQA-logits kernels can be instantiated with, around the one the runtime
// runs (pure). Both kernels are templated on heads, dim (and next_n for paged), Q stages, KV stages
// and math warpgroups; the case fixes heads, dim and next_n, so the neighbourhood is math warpgroups
// {1, 2, 4} x Q stages x KV stages. Each candidate is checked against the kernels' static_asserts in
// their order (kernels/include/fp8lab/impls/sm90_fp8_mqa_logits.cuh, sm90_fp8_paged_mqa_logits.cuh)
// and, when one fails, carries the rule and a sentence saying what would work. The runtime always
// runs mqaKernelConfig(c) (fixed stages and warpgroups, no tuning): that one is marked chosen, with
// what it trades.
import type { MqaCandidate, MqaCase, MqaConfigReport, MqaKernelConfig } from '../../../protocol/mqa';
import {
  caseProblems,
  mqaKernelConfig,
  MQA_PAGE_KEYS,
  MQA_WGMMA_N,
  pagedSharedBytes,
  plainSharedBytes,
  SMEM_CAPACITY,
} from './mqaRules';

export const MQA_WARPGROUP_CHOICES: readonly number[] = [1, 2, 4];
/** Stage counts listed: from 1 (refused: no overlap) to a depth past what shared memory holds with 4 warpgroups. */
export const MQA_Q_STAGE_CHOICES: readonly number[] = [1, 2, 3, 4];
export const MQA_KV_STAGE_CHOICES: readonly number[] = [1, 2, 3, 4, 5, 6];
const REGISTER_FILE = 65536;

/** The kernels' setmaxnreg split (kProducerRegisters, kMathRegisters by math warpgroups). */
export const MQA_REGISTER_SPLIT = {
  'mqa-logits': { producer: 32, math: { 1: 240, 2: 208, 4: 112 } as Record<number, number> },
  'paged-mqa-logits': { producer: 40, math: { 1: 232, 2: 200, 4: 104 } as Record<number, number> },
} as const;

type Kind = MqaKernelConfig['kind'];

function sharedBytes(c: MqaCase, q: number, kv: number, wg: number): number {
  return c.kind === 'paged-mqa-logits'
    ? pagedSharedBytes(c.nextN, c.heads, c.dim, q, kv, wg)
    : plainSharedBytes(c.heads, c.dim, q, kv, wg);
}

function configOf(c: MqaCase, q: number, kv: number, wg: number): MqaKernelConfig {
  return {
    kind: c.kind,
    heads: c.heads,
    dim: c.dim,
    nextN: c.kind === 'paged-mqa-logits' ? c.nextN : 1,
    numQStages: q,
    numKVStages: kv,
    numMathWarpgroups: wg,
    sharedBytes: sharedBytes(c, q, kv, wg),
    threads: 128 * (wg + 1),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Most KV stages (≥ 2) that fit beside q Q stages and wg warpgroups, or 0 when not even two do. */
export function maxKvStagesThatFit(c: MqaCase, q: number, wg: number, cap = 32): number {
  let best = 0;
  for (let kv = 2; kv <= cap && sharedBytes(c, q, kv, wg) <= SMEM_CAPACITY; kv++) best = kv;
  return best;
}

/** The first static_assert a config breaks, with what would work; undefined when the kernel takes it. */
export function mqaConfigViolation(c: MqaCase, cfg: MqaKernelConfig): MqaCandidate['rejected'] {
  const { numQStages: q, numKVStages: kv, numMathWarpgroups: wg } = cfg;
  if (!MQA_WARPGROUP_CHOICES.includes(wg))
    return {
      rule: 'math-warpgroups',
      reason: `${wg} math warpgroups: the kernels take 1, 2 or 4 (BLOCK_KV = 64 keys x that); use 2 or 4`,
    };
  if (q < 2 || kv < 2)
    return {
      rule: 'stages',
      reason: `${q} Q and ${kv} KV stage(s): each ring needs at least 2, or the producer waits for the math warpgroups to free the only buffer and no load overlaps the math; use ${Math.max(2, q)} Q and ${Math.max(2, kv)} KV stages`,
    };
  if (cfg.sharedBytes > SMEM_CAPACITY) {
    const fit = maxKvStagesThatFit(c, q, wg);
    const fix =
      fit >= 2
        ? `with ${q} Q stages and ${wg} math warpgroup${wg === 1 ? '' : 's'} at most ${fit} KV stages fit`
        : `use fewer Q stages or fewer math warpgroups`;
    return {
      rule: 'smem',
      reason: `${kb(cfg.sharedBytes)} of shared memory, over the ${kb(SMEM_CAPACITY)} an SM gives one CTA; ${fix}`,
    };
  }
  const align = 8 * c.dim; // one 8-row swizzle pattern of dim-byte rows
  const qStage = (c.kind === 'paged-mqa-logits' ? c.nextN * c.heads : MQA_WGMMA_N) * c.dim;
  const kvStage = (c.kind === 'paged-mqa-logits' ? MQA_PAGE_KEYS : 64 * wg) * c.dim;
  if (qStage % align !== 0 || kvStage % align !== 0 || (q * qStage) % align !== 0)
    return {
      rule: 'swizzle-alignment',
      reason: `a Q or KV stage would not start on an 8-row swizzle pattern (${align} bytes); use heads 32 or 64`,
    };
  const split = registerSplitOf(cfg.kind, wg);
  const total = 128 * split.producer + 128 * wg * split.math;
  if (total > REGISTER_FILE)
    return {
      rule: 'register-split',
      reason: `128 x ${split.producer} producer + ${128 * wg} x ${split.math} math registers = ${total}, over the ${REGISTER_FILE} of the register file; use fewer math warpgroups`,
    };
  return undefined;
}

export function registerSplitOf(kind: Kind, warpgroups: number): { producer: number; math: number } {
  const s = MQA_REGISTER_SPLIT[kind];
  return { producer: s.producer, math: s.math[warpgroups] ?? 0 };
}

/** Every candidate of a (valid) case, in the order math warpgroups, Q stages, KV stages. */
export function enumerateMqaCandidates(c: MqaCase): MqaCandidate[] {
  const out: MqaCandidate[] = [];
  for (const wg of MQA_WARPGROUP_CHOICES)
    for (const q of MQA_Q_STAGE_CHOICES)
      for (const kv of MQA_KV_STAGE_CHOICES) {
        const config = configOf(c, q, kv, wg);
        const split = registerSplitOf(c.kind, wg);
        const rejected = mqaConfigViolation(c, config);
        out.push({
          config,
          keysPerStep: 64 * wg,
          producerRegisters: split.producer,
          mathRegisters: split.math,
          ...(rejected ? { rejected } : {}),
        });
      }
  return out;
}

/** Why the runtime's config: what it is, what it buys, what it trades. */
export function mqaChosenWhy(c: MqaCase, cfg: MqaKernelConfig, legal: number): string {
  const { numQStages: q, numKVStages: kv, numMathWarpgroups: wg } = cfg;
  const split = registerSplitOf(cfg.kind, wg);
  const one = registerSplitOf(cfg.kind, 1);
  const keys = 64 * wg;
  const what =
    c.kind === 'mqa-logits'
      ? `each step the ${wg} math warpgroups cover BLOCK_KV = ${keys} keys, so a Q block (${MQA_WGMMA_N / c.heads} queries x ${c.heads} heads) and its weights are loaded once per ${keys} keys, with ${q} Q and ${kv} KV stages in flight`
      : `each of the ${wg} math warpgroups takes one ${MQA_PAGE_KEYS}-key page of a ${keys}-key split from its own ring of ${kv} KV stages, and ${q} Q stages hold the next requests' ${c.nextN} token(s) x ${c.heads} heads`;
  return (
    `The runtime always runs ${q} Q stages, ${kv} KV stages and ${wg} math warpgroups (a fixed default: these kernels have no tuning): ` +
    `${what}, in ${kb(cfg.sharedBytes)} of the ${kb(SMEM_CAPACITY)} of shared memory. ` +
    `What it trades: ${cfg.threads} threads leave ${split.math} registers per math thread ` +
    `(128 x ${split.producer} + ${128 * wg} x ${split.math} = ${128 * split.producer + 128 * wg * split.math} of ${REGISTER_FILE}), against ${one.math} with one math warpgroup, and one CTA per SM. ` +
    `${legal - 1} other legal config${legal === 2 ? '' : 's'} below would compile; none is measured here.`
  );
}

/** The candidate report of a case; throws a coded Error (E_INVALID_SHAPE, ...) when the case itself is refused. */
export function mqaConfigReport(c: MqaCase): MqaConfigReport {
  const problems = caseProblems(c);
  if (problems.length > 0)
    throw Object.assign(new Error(problems.map((p) => p.message).join('; ')), { code: problems[0].code });
  const candidates = enumerateMqaCandidates(c);
  const chosen = mqaKernelConfig(c);
  const chosenIndex = candidates.findIndex(
    (x) =>
      x.config.numQStages === chosen.numQStages &&
      x.config.numKVStages === chosen.numKVStages &&
      x.config.numMathWarpgroups === chosen.numMathWarpgroups,
  );
  const legal = candidates.filter((x) => !x.rejected).length;
  return { case: c, chosen, chosenIndex, why: mqaChosenWhy(c, chosen, legal), candidates };
}

/** "3Q/3KV x4WG": a config's short label. */
export function mqaConfigLabel(cfg: Pick<MqaKernelConfig, 'numQStages' | 'numKVStages' | 'numMathWarpgroups'>): string {
  return `${cfg.numQStages}Q/${cfg.numKVStages}KV x${cfg.numMathWarpgroups}WG`;
}
