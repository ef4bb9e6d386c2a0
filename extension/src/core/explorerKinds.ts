// The kinds the Config Explorer lists candidates for, in its picker's order, and the shape text each
// takes (pure: the webview, the host and the message guard share it).
import type { ExplorerKind } from '../../protocol/webview';
import type { MqaKind } from '../../protocol/mqa';
import { groupedShapeExample, groupedShapeSyntax, isGroupedConfigKind } from './grouped/configProblem';
import { MQA_KINDS } from './mqa/mqaShapes';
import { KERNEL_KINDS } from './shapes';

export const EXPLORER_KINDS: readonly ExplorerKind[] = [...KERNEL_KINDS, ...MQA_KINDS];

export function isExplorerKind(kind: unknown): kind is ExplorerKind {
  return (EXPLORER_KINDS as readonly unknown[]).includes(kind);
}

export function isMqaKind(kind: string): kind is MqaKind {
  return (MQA_KINDS as readonly string[]).includes(kind);
}

/** The shape field's placeholder for a kind: its syntax and an example. */
export function shapePlaceholder(kind: ExplorerKind): string {
  if (kind === 'mqa-logits') return 'SEQ_Q,SEQ_KV,HEADS,DIM e.g. 2048,8192,64,128';
  if (kind === 'paged-mqa-logits') return 'BATCH,NEXT_N,HEADS,DIM,AVG_KV e.g. 256,2,64,128,8192';
  if (isGroupedConfigKind(kind)) return `${groupedShapeSyntax(kind)} e.g. ${groupedShapeExample(kind)}`;
  return 'M,N,K e.g. 4096,7168,2048';
}

/** What the explorer's per-candidate buttons can do for a kind here (before the machine's own limits). */
export interface ExplorerActions {
  compile: boolean;
  time: boolean;
  /** The pipeline timeline: the Normal FP8 and the BF16 kernels carry its trace points. */
  timeline: boolean;
  /** The accuracy study: an FP8 Normal GEMM study. */
  accuracy: boolean;
  /** Where the kind's kernels are compiled or timed instead, for a disabled button's tooltip. */
  whyNot?: string;
}

/**
 * The Normal FP8 GEMM is compiled, timed and studied in the explorer; every other GEMM kind is
 * compiled there and timed by its own bench (BF16's timeline too). The MQA kinds list kernel configs
 * only: their bench compiles and times them.
 */
export function explorerActions(kind: ExplorerKind): ExplorerActions {
  if (kind === 'normal') return { compile: true, time: true, timeline: true, accuracy: true };
  if (isMqaKind(kind))
    return {
      compile: false,
      time: false,
      timeline: false,
      accuracy: false,
      whyNot: `${kind} kernels are compiled and timed by their bench: "Run FP8 MQA-logits benchmark" or fp8lab bench --kernel ${kind}`,
    };
  const bench = `its bench: "Run grouped GEMM benchmark" or fp8lab bench --kernel ${kind}`;
  return {
    compile: true,
    time: false,
    timeline: kind === 'bf16',
    accuracy: false,
    whyNot: `${kind} GEMMs are timed by ${bench}`,
  };
}
