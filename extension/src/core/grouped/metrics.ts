// FLOPs and bytes of the grouped kinds, counted the way DeepGEMM's benchmarks count them, and
// DeepGEMM's own figures from shared/PERF.md for the cases it lists. Pure.
import type { GroupedCase, GroupedDraw, GroupedTiming } from '../../../protocol/grouped';

export interface GroupedWork { flops: number; bytes: number; flopsOver: GroupedTiming['flopsOver'] }

const sum = (xs: readonly number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);

/**
 * contiguous: FLOPs over the padded ΣM (DeepGEMM's convention), bytes A + B (all experts) + D;
 * masked: FLOPs and bytes over the valid rows (A and D rows < masked_m, all of B, the scales);
 * kgrouped: 2·M·N·ΣK_g, bytes A + B + C read + D written (fp32); wgrad: 2·M·N·K, the same bytes.
 */
export function groupedWork(c: GroupedCase, draw: GroupedDraw): GroupedWork {
  const { n, k } = c;
  const kb = k / 128;
  switch (c.kind) {
    case 'contiguous': {
      const rows = draw.totalRows ?? 0;
      return { flops: 2 * rows * n * k, bytes: rows * k + c.numGroups * n * k + rows * n * 2 + rows * kb * 4 + c.numGroups * Math.ceil(n / 128) * kb * 4, flopsOver: 'padded' };
    }
    case 'masked': {
      const rows = sum(draw.maskedM);
      return { flops: 2 * rows * n * k, bytes: rows * k + c.numGroups * n * k + rows * n * 2 + rows * kb * 4 + c.numGroups * Math.ceil(n / 128) * kb * 4, flopsOver: 'valid' };
    }
    case 'kgrouped': {
      const kt = sum(draw.groupK);
      return { flops: 2 * c.m * n * kt, bytes: (c.m + n) * kt + (c.m + n) * (kt / 128) * 4 + 2 * c.numGroups * c.m * n * 4, flopsOver: 'all' };
    }
    case 'wgrad':
      return { flops: 2 * c.m * n * k, bytes: (c.m + n) * k + (c.m + n) * kb * 4 + 2 * c.m * n * 4, flopsOver: 'all' };
  }
}

export interface ReferenceFigure { tflops?: number; tbps?: number; us?: number; source: string }

const PERF = 'DeepGEMM 2.6.1 on the H100 (shared/PERF.md)';

/** DeepGEMM's figure for a case, where PERF.md has one (by kind, groups, expected m, N, K). */
export function deepGemmFigure(c: GroupedCase): ReferenceFigure | undefined {
  if (c.emptyGroup !== undefined || c.psum) return undefined;
  const key = `${c.kind}:${c.numGroups}:${c.kind === 'masked' ? c.expectedM : c.m}:${c.n}:${c.k}`;
  const table: Record<string, ReferenceFigure> = {
    'contiguous:4:8192:6144:7168': { us: 2267, tflops: 1313, source: PERF },
    'contiguous:8:4096:7168:3072': { us: 1320, tflops: 1210, source: `${PERF}, approximate` },
    'masked:32:192:6144:7168': { us: 634, tflops: 795, source: `${PERF}, approximate` },
    'masked:6:1024:7168:3072': { us: 267, tflops: 1100, source: `${PERF}, approximate` },
    'masked:32:20:4096:2048': { us: 102, tbps: 2.7, source: PERF },
  };
  return table[key];
}

/** The speed targets: ≥ 0.9x DeepGEMM's figure. */
export const TARGET_FRACTION = 0.9;
