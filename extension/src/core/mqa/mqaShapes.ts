// The MQA-logits case lists and shape text (pure). The default lists are DeepGEMM's own test shapes
// for sm90 (tests/test_attention.py): plain seq_q {2048, 8192} x seq_kv {8192, 65536} x heads
// {32, 64} x dim {64, 128} (its dim 32 is not taken here) with context-parallel and causal windows;
// paged batch {256, 4096} x next_n {1, 2} x heads {32, 64} x dim 128 x average context {8192, 65536},
// batch x average <= 32 Mi keys.
import type { MqaCase, MqaKind, MqaPagedCase, MqaPlainCase, MqaWindows } from '../../../protocol/mqa';
import { caseProblems } from './mqaRules';

export const MQA_KINDS: readonly MqaKind[] = ['mqa-logits', 'paged-mqa-logits'];
export const MQA_WINDOWS: readonly MqaWindows[] = ['causal', 'cp', 'ragged'];
const MAX_POOL_KEYS = 32 * 1024 * 1024;

export function defaultPlainCases(): MqaPlainCase[] {
  const out: MqaPlainCase[] = [];
  for (const seqQ of [2048, 8192])
    for (const seqKv of [8192, 65536])
      for (const heads of [32, 64])
        for (const dim of [64, 128])
          for (const windows of ['cp', 'causal'] as const) {
            if (windows === 'cp' && (seqKv % seqQ !== 0 || seqQ % 2 !== 0)) continue;
            out.push({ kind: 'mqa-logits', seqQ, seqKv, heads, dim, windows });
          }
  return out;
}

export function defaultPagedCases(): MqaPagedCase[] {
  const out: MqaPagedCase[] = [];
  for (const batch of [256, 4096])
    for (const nextN of [1, 2])
      for (const heads of [32, 64])
        for (const avgKv of [8192, 65536]) {
          if (batch * avgKv > MAX_POOL_KEYS) continue;
          out.push({ kind: 'paged-mqa-logits', batch, nextN, heads, dim: 128, avgKv });
        }
  return out;
}

export function defaultCases(kind: MqaKind): MqaCase[] {
  return kind === 'mqa-logits' ? defaultPlainCases() : defaultPagedCases();
}

/** Shape text: plain SQ,SK,H,D[,causal|cp|ragged] (default causal); paged B,NEXT_N,H,D,AVG_KV. */
export function parseMqaShape(kind: MqaKind, text: string): MqaCase | string {
  const parts = text.split(',').map((t) => t.trim());
  let c: MqaCase;
  if (kind === 'mqa-logits') {
    const windows = parts.length === 5 ? parts[4] : 'causal';
    const nums = parts.slice(0, 4);
    if ((parts.length !== 4 && parts.length !== 5) || nums.some((p) => !/^\d+$/.test(p))) {
      return `an mqa-logits shape is SEQ_Q,SEQ_KV,HEADS,DIM[,causal|cp|ragged]; got "${text}"`;
    }
    if (!(MQA_WINDOWS as readonly string[]).includes(windows))
      return `"${text}": windows must be causal, cp or ragged; got ${windows}`;
    const [seqQ, seqKv, heads, dim] = nums.map(Number);
    c = { kind, seqQ, seqKv, heads, dim, windows: windows as MqaWindows };
  } else {
    if (parts.length !== 5 || parts.some((p) => !/^\d+$/.test(p)))
      return `a paged-mqa-logits shape is BATCH,NEXT_N,HEADS,DIM,AVG_KV; got "${text}"`;
    const [batch, nextN, heads, dim, avgKv] = parts.map(Number);
    c = { kind, batch, nextN, heads, dim, avgKv };
  }
  const bad = caseProblems(c);
  return bad.length > 0 ? `"${text}": ${bad.map((p) => p.message).join('; ')}` : c;
}

/** A case as one line of text (tables, progress). */
export function mqaCaseLabel(c: MqaCase): string {
  return c.kind === 'mqa-logits'
    ? `SQ=${c.seqQ} SK=${c.seqKv} H=${c.heads} D=${c.dim} ${c.windows}`
    : `B=${c.batch} next_n=${c.nextN} H=${c.heads} D=${c.dim} avg_kv=${c.avgKv}`;
}
