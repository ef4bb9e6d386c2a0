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
