// Loops in a SASS function, found from its backward branches: a branch at offset E whose target T
// is at or before it closes a loop over [T, E]. Loops sharing a head are merged; the result is a
// forest ordered by start, each loop holding the loops nested inside it (what the view folds).

import type { SassFunction } from './types';

export interface SassLoop {
  /** Offset of the first instruction (the branch target). */
  start: number;
  /** Offset of the (last) backward branch. */
  end: number;
  /** Index range in the function's instruction list, inclusive. */
  first: number;
  last: number;
  /** Label of the head, when the listing names it. */
  label?: string;
  depth: number;
  children: SassLoop[];
}

export function findLoops(fn: SassFunction): SassLoop[] {
  const indexOf = new Map(fn.instructions.map((ins, i) => [ins.offset, i] as const));
  const spans = new Map<number, number>(); // start -> furthest end
  for (const ins of fn.instructions) {
    if (ins.branchTarget === undefined || ins.branchTarget > ins.offset) continue;
    if (ins.opcode !== 'BRA' && ins.opcode !== 'JMP') continue;
    if (!indexOf.has(ins.branchTarget)) continue;
    spans.set(ins.branchTarget, Math.max(spans.get(ins.branchTarget) ?? -1, ins.offset));
  }
  const flat: SassLoop[] = [...spans.entries()]
    .map(([start, end]) => {
      const first = indexOf.get(start)!;
      const label = fn.instructions[first].labels?.[0];
      return { start, end, first, last: indexOf.get(end)!, ...(label ? { label } : {}), depth: 0, children: [] as SassLoop[] };
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: SassLoop[] = [];
  const stack: SassLoop[] = [];
  for (const loop of flat) {
    while (stack.length && stack[stack.length - 1].end < loop.start) stack.pop();
    // A loop that starts inside another but ends after it (irreducible flow) is kept at the outer level.
    while (stack.length && stack[stack.length - 1].end < loop.end) stack.pop();
    loop.depth = stack.length;
    (stack.length ? stack[stack.length - 1].children : roots).push(loop);
    stack.push(loop);
  }
  return roots;
}

/** Every loop of the forest, outer ones first. */
export function flattenLoops(loops: SassLoop[]): SassLoop[] {
  return loops.flatMap((l) => [l, ...flattenLoops(l.children)]);
}
