// FLOPs and bytes of the grouped kinds, counted the way DeepGEMM's benchmarks count them. Pure.
import type { GroupedCase, GroupedDraw, GroupedTiming } from '../../../protocol/grouped';

export interface GroupedWork {
  flops: number;
  bytes: number;
  flopsOver: GroupedTiming['flopsOver'];
}

const sum = (xs: readonly number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);

/**
 * contiguous: FLOPs over the padded ΣM (DeepGEMM's convention), bytes A + B (all experts) + D;
 * masked: FLOPs and bytes over the valid rows (A and D rows < masked_m, all of B, the scales);
 * kgrouped: 2·M·N·ΣK_g, bytes A + B + C read + D written (fp32); wgrad: 2·M·N·K, the same bytes;
 * bf16-kgrouped: 2·M·N·ΣK_g, bytes A + B (bf16) + C read + D written (fp32), DeepGEMM's count_bytes(a, b, c, d).
 */
export function groupedWork(c: GroupedCase, draw: GroupedDraw): GroupedWork {
  const { n, k } = c;
  const kb = k / 128;
  switch (c.kind) {
    case 'contiguous': {
      const rows = draw.totalRows ?? 0;
      return {
        flops: 2 * rows * n * k,
        bytes:
          rows * k + c.numGroups * n * k + rows * n * 2 + rows * kb * 4 + c.numGroups * Math.ceil(n / 128) * kb * 4,
        flopsOver: 'padded',
      };
    }
    case 'masked': {
      const rows = sum(draw.maskedM);
      return {
        flops: 2 * rows * n * k,
        bytes:
          rows * k + c.numGroups * n * k + rows * n * 2 + rows * kb * 4 + c.numGroups * Math.ceil(n / 128) * kb * 4,
        flopsOver: 'valid',
      };
    }
    case 'kgrouped': {
      const kt = sum(draw.groupK);
      return {
        flops: 2 * c.m * n * kt,
        bytes: (c.m + n) * kt + (c.m + n) * (kt / 128) * 4 + 2 * c.numGroups * c.m * n * 4,
        flopsOver: 'all',
      };
    }
    case 'wgrad':
      return { flops: 2 * c.m * n * k, bytes: (c.m + n) * k + (c.m + n) * kb * 4 + 2 * c.m * n * 4, flopsOver: 'all' };
    case 'bf16-contiguous':
    case 'bf16-masked': {
      // bf16 A, B and D, no scales; FLOPs and rows as the FP8 kind of the same layout.
      const fp8 = groupedWork({ ...c, kind: c.kind === 'bf16-contiguous' ? 'contiguous' : 'masked' }, draw);
      const rows = c.kind === 'bf16-contiguous' ? (draw.totalRows ?? 0) : sum(draw.maskedM);
      return {
        flops: fp8.flops,
        bytes: rows * k * 2 + c.numGroups * n * k * 2 + rows * n * 2,
        flopsOver: fp8.flopsOver,
      };
    }
    case 'bf16-kgrouped': {
      const kt = sum(draw.groupK);
      return { flops: 2 * c.m * n * kt, bytes: (c.m + n) * kt * 2 + 2 * c.numGroups * c.m * n * 4, flopsOver: 'all' };
    }
    case 'bf16': {
      // bf16 A and B; D bf16 or fp32 (accumulate: C read and D written).
      const out = c.output === 'fp32' ? 4 : c.output === 'fp32-accumulate' ? 8 : 2;
      return { flops: 2 * c.m * n * k, bytes: (c.m + n) * k * 2 + c.m * n * out, flopsOver: 'all' };
    }
  }
}
