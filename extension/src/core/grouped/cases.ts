// The standard grouped test cases (shapes follow DeepGEMM's tests/generators.py) and the per-group
// draws: contiguous M_g = int(expected x U(0.7, 1.3)) padded to the alignment; masked
// masked_m[g] = int(expected x U(0.7, 1.3)); K-grouped K_g = align(int(expected x U(0.7, 1.3)), 128)
// (FP8 and BF16 alike: DeepGEMM's sm90 K alignment).
// Pure: the draws come from a seeded generator and are recorded with the result.
import type { GroupedCase, GroupedDraw, GroupedKind } from '../../../protocol/grouped';
import type { GemmProblem } from '../../../protocol/worker';
import { DEEPSEEK_M } from '../deepseekShapes';
import { KERNEL_KINDS } from '../shapes';
import { layoutKindOf } from '../bf16/kernelRulesBf16';
import { DEEPSEEK_NK } from '../deepseekShapes';
import { alignUp, contiguousStarts, DEFAULT_MK_ALIGNMENT } from './layout';
import { seededUniform, uniformIn } from './random';

/** Every kind but the one-GEMM FP8 'normal' (the grouped bench's own runs). */
export const GROUPED_KINDS: readonly GroupedKind[] = KERNEL_KINDS.filter((k): k is GroupedKind => k !== 'normal');

/** The grouped BF16 kinds: the FP8 contiguous / masked / K-grouped layouts and draws, BF16 operands. */
const asLayoutKind = (c: GroupedCase): GroupedCase => ({ ...c, kind: layoutKindOf(c.kind) });

/** (N, K) of the M-grouped cases. */
export const M_GROUPED_NK: ReadonlyArray<readonly [number, number]> = [
  [6144, 7168],
  [7168, 3072],
  [4096, 4096],
  [4096, 2048],
];
export const CONTIGUOUS_GROUPS: ReadonlyArray<readonly [groups: number, expectedM: number]> = [
  [4, 8192],
  [8, 4096],
];
export const MASKED_MAX_M = 4096;
export const MASKED_GROUPS: ReadonlyArray<readonly [groups: number, expectedM: number]> = [
  [32, 192],
  [6, 1024],
  [32, 20],
  [6, 20],
];
export const KGROUPED_CASES: ReadonlyArray<readonly [groups: number, m: number, n: number, expectedK: number]> = [
  [4, 4096, 7168, 8192],
  [4, 7168, 2048, 8192],
  [8, 4096, 7168, 4096],
  [8, 7168, 2048, 4096],
  [16, 4096, 7168, 2048],
  [16, 7168, 2048, 2048],
];
export const WGRAD_M = 4096;
/** The BF16 GEMM's extra square shape beside the DeepSeek list (as the FP8 bench's 8192³). */
export const BF16_SQUARE = 8192;

/** The standard list for a kind (default shapes of `fp8lab bench --kernel KIND`). */
export function standardCases(kind: GroupedKind): GroupedCase[] {
  switch (kind) {
    case 'contiguous':
      return CONTIGUOUS_GROUPS.flatMap(([g, m]) => M_GROUPED_NK.map(([n, k]) => ({ kind, numGroups: g, m, n, k })));
    case 'masked':
      return MASKED_GROUPS.flatMap(([g, e]) =>
        M_GROUPED_NK.map(([n, k]) => ({ kind, numGroups: g, m: MASKED_MAX_M, n, k, expectedM: e })),
      );
    case 'kgrouped':
      return KGROUPED_CASES.map(([g, m, n, k]) => ({ kind, numGroups: g, m, n, k }));
    case 'wgrad':
      return DEEPSEEK_NK.map(([n, k]) => ({ kind, numGroups: 1, m: WGRAD_M, n, k }));
    case 'bf16':
      return [
        ...DEEPSEEK_M.flatMap((m) => DEEPSEEK_NK.map(([n, k]) => ({ kind, numGroups: 1, m, n, k }))),
        { kind, numGroups: 1, m: BF16_SQUARE, n: BF16_SQUARE, k: BF16_SQUARE },
      ];
    case 'bf16-contiguous':
    case 'bf16-masked':
    case 'bf16-kgrouped':
      // The FP8 lists' groups and sizes, BF16 operands (DeepGEMM's test_bf16.py uses the same generators;
      // its sm90 K-grouped shapes are the FP8 K-grouped list).
      return standardCases(layoutKindOf(kind)).map((c) => ({ ...c, kind }));
  }
}

/** The edge cases the GPU tests add: an empty group of each grouped kind, and the psum layout. */
export function edgeCases(): GroupedCase[] {
  return [
    { kind: 'contiguous', numGroups: 4, m: 1024, n: 4096, k: 2048, emptyGroup: 1 },
    { kind: 'contiguous', numGroups: 4, m: 1024, n: 4096, k: 2048, emptyGroup: 2, psum: true },
    { kind: 'masked', numGroups: 6, m: 1024, n: 4096, k: 2048, expectedM: 200, emptyGroup: 0 },
    { kind: 'kgrouped', numGroups: 4, m: 4096, n: 2048, k: 2048, emptyGroup: 2 },
    { kind: 'bf16-kgrouped', numGroups: 4, m: 4096, n: 2048, k: 2048, emptyGroup: 2 },
  ];
}

/** Seed of one case's draws: the run's seed mixed with the case's position, so cases differ. */
export function caseSeed(runSeed: number, index: number): number {
  return (Math.imul(runSeed >>> 0, 0x9e3779b1) + index * 0x85ebca6b) >>> 0;
}

/** Draws the per-group sizes of a case. */
export function drawCase(c: GroupedCase, seed: number, alignment = DEFAULT_MK_ALIGNMENT): GroupedDraw {
  const next = seededUniform(seed);
  const scaled = (expected: number) => Math.floor(expected * uniformIn(next, 0.7, 1.3));
  const groups = Array.from({ length: c.numGroups }, (_, g) => g);
  switch (c.kind) {
    case 'bf16-contiguous':
    case 'bf16-masked':
    case 'bf16-kgrouped':
      return drawCase(asLayoutKind(c), seed, alignment);
    case 'contiguous': {
      const groupRows = groups.map((g) => {
        const v = scaled(c.m);
        return g === c.emptyGroup ? 0 : v;
      });
      const { starts, totalRows } = contiguousStarts(groupRows, alignment);
      return { seed, groupRows, groupStart: starts, totalRows };
    }
    case 'masked': {
      const expected = c.expectedM ?? c.m;
      const maskedM = groups.map((g) => {
        const v = Math.min(c.m, scaled(expected));
        return g === c.emptyGroup ? 0 : v;
      });
      return { seed, maskedM };
    }
    case 'kgrouped': {
      const groupK = groups.map((g) => {
        const v = alignUp(scaled(c.k), alignment);
        return g === c.emptyGroup ? 0 : v;
      });
      return { seed, groupK };
    }
    case 'wgrad':
    case 'bf16':
      return { seed };
  }
}

/** The problem the kernel runs for a drawn case (what the heuristics and the launch see). */
export function kernelProblem(c: GroupedCase, draw: GroupedDraw): GemmProblem {
  switch (c.kind) {
    case 'contiguous':
      return { kind: 'contiguous', m: draw.totalRows ?? 0, n: c.n, k: c.k, numGroups: c.numGroups, expectedM: c.m };
    case 'masked':
      return { kind: 'masked', m: c.m, n: c.n, k: c.k, numGroups: c.numGroups, expectedM: c.expectedM ?? c.m };
    case 'kgrouped':
      return {
        kind: 'kgrouped',
        m: c.m,
        n: c.n,
        k: (draw.groupK ?? []).reduce((a, b) => a + b, 0),
        numGroups: c.numGroups,
      };
    case 'wgrad':
      return { kind: 'wgrad', m: c.m, n: c.n, k: c.k, numGroups: 1 };
    case 'bf16':
      return {
        kind: 'bf16',
        m: c.m,
        n: c.n,
        k: c.k,
        numGroups: 1,
        ...(c.output && c.output !== 'bf16' ? { output: c.output } : {}),
      };
    case 'bf16-contiguous':
    case 'bf16-masked':
    case 'bf16-kgrouped':
      return { ...kernelProblem(asLayoutKind(c), draw), kind: c.kind };
  }
}

/** One line naming a case, e.g. "contiguous 4x~8192 N=6144 K=7168". */
export function caseLabel(c: GroupedCase): string {
  const empty = c.emptyGroup !== undefined ? ` (group ${c.emptyGroup} empty)` : '';
  const psum = c.psum ? ' psum' : '';
  switch (c.kind) {
    case 'contiguous':
      return `contiguous ${c.numGroups}x~${c.m} N=${c.n} K=${c.k}${psum}${empty}`;
    case 'masked':
      return `masked ${c.numGroups}x${c.m} m~${c.expectedM ?? c.m} N=${c.n} K=${c.k}${empty}`;
    case 'kgrouped':
      return `kgrouped ${c.numGroups} M=${c.m} N=${c.n} K~${c.k}${empty}`;
    case 'wgrad':
      return `wgrad M=${c.m} N=${c.n} K=${c.k}`;
    case 'bf16':
      return `bf16 M=${c.m} N=${c.n} K=${c.k}${c.output && c.output !== 'bf16' ? ` (${c.output})` : ''}`;
    case 'bf16-contiguous':
    case 'bf16-masked':
    case 'bf16-kgrouped':
      return `bf16 ${caseLabel(asLayoutKind(c))}`;
  }
}
