// The kernel problem `fp8lab configs|compile --kernel contiguous|masked|kgrouped|bf16-contiguous|...` and
// the Config Explorer plan for a grouped case typed as the grouped bench takes it (G,M,N,K, ...):
// the case drawn exactly as `fp8lab bench --kernel KIND CASE` draws its first case at the default
// seed, so the chosen config is the one that bench run would use (pure).
import type { GroupedCase, GroupedKind } from '../../../protocol/grouped';
import type { GemmProblem } from '../../../protocol/worker';
import { caseSeed, drawCase, kernelProblem } from './cases';
import { parseGroupedShape } from './cliArgs';
import { DEFAULT_MK_ALIGNMENT } from './layout';
import { GROUPED_KINDS, shapeLabel } from '../shapes';
import { defaultBenchFlags } from '../benchFlags';

/** The seed a bench run draws with when none is given. */
const DEFAULT_SEED = defaultBenchFlags(1).seed;

/** The kinds whose candidates `configs` and the explorer list from a grouped case: every grouped kind. */
export const GROUPED_CONFIG_KINDS = GROUPED_KINDS;
export type GroupedConfigKind = (typeof GROUPED_CONFIG_KINDS)[number];

export function isGroupedConfigKind(kind: string): kind is GroupedConfigKind {
  return (GROUPED_CONFIG_KINDS as readonly string[]).includes(kind);
}

/** The shape text each kind takes (placeholders, usage lines). */
export function groupedShapeSyntax(kind: GroupedConfigKind): string {
  return kind === 'masked' || kind === 'bf16-masked' ? 'G,EXPECTED_M,N,K[,MMAX]' : 'G,M,N,K';
}

/** An example case of the kind, as the grouped bench takes it. */
export function groupedShapeExample(kind: GroupedConfigKind): string {
  return kind === 'masked' || kind === 'bf16-masked' ? '6,1024,4096,7168' : '4,4096,7168,8192';
}

/** A case's kernel problem: its groups drawn as the bench's first case at `seed` (default the bench's). */
export function configProblemOfCase(
  c: GroupedCase,
  seed = DEFAULT_SEED,
  alignment = DEFAULT_MK_ALIGNMENT,
): GemmProblem {
  return kernelProblem(c, drawCase(c, caseSeed(seed, 0), alignment));
}

/** Shape text -> the kernel problem, or the grouped bench's message saying what would work. */
export function parseGroupedConfigShape(
  kind: GroupedConfigKind,
  text: string,
): { ok: true; problem: GemmProblem; case: GroupedCase } | { ok: false; code: 'E_INVALID_SHAPE'; message: string } {
  const c = parseGroupedShape(kind as GroupedKind, text.trim());
  if (typeof c === 'string') return { ok: false, code: 'E_INVALID_SHAPE', message: c };
  return { ok: true, problem: configProblemOfCase(c), case: c };
}

/**
 * How a problem is named in headers: one GEMM "MxNxK"; the grouped kinds with their groups and the
 * drawn total ("4 groups, ΣM=33024 (~8192 each), N=6144, K=7168").
 */
export function problemLabel(p: GemmProblem): string {
  const g = p.numGroups ?? 1;
  switch (p.kind) {
    case 'contiguous':
    case 'bf16-contiguous':
      return `${g} groups, ΣM=${p.m} (~${p.expectedM ?? p.m} each), N=${p.n}, K=${p.k}`;
    case 'masked':
    case 'bf16-masked':
      return `${g} groups of ≤${p.m} rows (~${p.expectedM ?? p.m} each), N=${p.n}, K=${p.k}`;
    case 'kgrouped':
    case 'bf16-kgrouped':
      return `${g} groups, M=${p.m}, N=${p.n}, ΣK=${p.k}`;
    default:
      return shapeLabel(p);
  }
}
