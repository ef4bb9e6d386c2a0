// The int32 `groupedLayout` each kind passes to the kernel, built from a draw, and the reverse (a
// caller's own layout turned into a draw after it passed validation). Pure.
import type { GroupedCase, GroupedDraw } from '../../../protocol/grouped';
import { alignUp, contiguousStarts, DEFAULT_MK_ALIGNMENT, expertIndex, psumLayout } from './layout';
import { BF16_KGROUPED_K_ALIGNMENT, layoutKindOf } from '../bf16/kernelRulesBf16';
import {
  BF16_GROUP_K_REASON,
  checkExpertIndex,
  checkGroupK,
  checkMaskedM,
  checkPsum,
  type GroupedProblem,
} from './validate';

/** contiguous: expert per row (or psum[G]); masked: masked_m[G]; kgrouped: K_g[G]; wgrad: none. */
export function groupedLayout(
  c: GroupedCase,
  draw: GroupedDraw,
  alignment = DEFAULT_MK_ALIGNMENT,
): Int32Array | undefined {
  switch (c.kind) {
    case 'bf16-contiguous':
    case 'bf16-masked':
    case 'bf16-kgrouped':
      return groupedLayout({ ...c, kind: layoutKindOf(c.kind) }, draw, alignment);
    case 'contiguous':
      return c.psum ? psumLayout(draw.groupRows ?? [], alignment) : expertIndex(draw.groupRows ?? [], alignment);
    case 'masked':
      return Int32Array.from(draw.maskedM ?? []);
    case 'kgrouped':
      return Int32Array.from(draw.groupK ?? []);
    case 'wgrad':
    case 'bf16':
      return undefined;
  }
}

/**
 * A caller-given layout for a case: validated like any user input (the first problem is returned),
 * then turned into the draw the reference and the checks use. `hostChecks: false` skips the masked_m
 * range check only (the device then clamps and flags), for the test of that path.
 */
export function drawFromLayout(
  c: GroupedCase,
  layout: readonly number[],
  seed: number,
  options: { alignment?: number; totalRows?: number; hostChecks?: boolean } = {},
): { draw: GroupedDraw } | { problem: GroupedProblem } {
  const alignment = options.alignment ?? DEFAULT_MK_ALIGNMENT;
  const g = c.numGroups;
  switch (c.kind) {
    case 'bf16-contiguous':
    case 'bf16-masked':
      return drawFromLayout({ ...c, kind: layoutKindOf(c.kind) }, layout, seed, options);
    case 'contiguous': {
      if (c.psum) {
        const totalRows = options.totalRows ?? alignUp(layout[layout.length - 1] ?? 0, alignment);
        const p = checkPsum(layout, g, totalRows, alignment);
        if (p) return { problem: p };
        const groupRows = layout.map((end, i) => end - (i === 0 ? 0 : alignUp(layout[i - 1], alignment)));
        const { starts } = contiguousStarts(groupRows, alignment);
        return { draw: { seed, groupRows, groupStart: starts, totalRows } };
      }
      const p = checkExpertIndex(layout, g, alignment);
      if (p) return { problem: p };
      const groupRows = new Array<number>(g).fill(0);
      const groupStart = new Array<number>(g).fill(-1);
      layout.forEach((e, r) => {
        if (e >= 0) {
          groupRows[e]++;
          if (groupStart[e] < 0) groupStart[e] = r;
        }
      });
      // An expert with no rows starts where the next one does (nothing of it is read).
      for (let i = g - 1; i >= 0; i--)
        if (groupStart[i] < 0) groupStart[i] = i + 1 < g ? groupStart[i + 1] : layout.length;
      return { draw: { seed, groupRows, groupStart, totalRows: layout.length } };
    }
    case 'masked': {
      if (options.hostChecks !== false) {
        const p = checkMaskedM(layout, g, c.m);
        if (p) return { problem: p };
      } else if (layout.length !== g) {
        return { problem: checkMaskedM(layout, g, c.m)! };
      }
      return { draw: { seed, maskedM: [...layout] } };
    }
    case 'kgrouped': {
      const p = checkGroupK(layout, g, undefined, alignment);
      if (p) return { problem: p };
      return { draw: { seed, groupK: [...layout] } };
    }
    case 'bf16-kgrouped': {
      // The BF16 kernel's K-blocks are 64 deep: any K_g % 64 == 0 (DeepGEMM's sm90 form needs 128).
      const p = checkGroupK(layout, g, undefined, BF16_KGROUPED_K_ALIGNMENT, BF16_GROUP_K_REASON);
      if (p) return { problem: p };
      return { draw: { seed, groupK: [...layout] } };
    }
    case 'wgrad':
    case 'bf16':
      return { draw: { seed } };
  }
}
