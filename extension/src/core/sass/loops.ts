// Loops in a SASS function, from its control-flow graph: basic blocks split at branch targets and
// after branches, dominators by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple,
// Fast Dominance Algorithm"), and a loop for each back edge u -> h where h dominates u. A backward
// branch alone is not enough: ptxas moves the retry path of an mbarrier wait to the end of the
// function and jumps back from it, which is not a loop. The view folds each loop over the
// contiguous range from its header to its last back edge; nested loops become children.

import type { SassFunction, SassInstruction } from './types';

export interface SassLoop {
  /** Offset of the header (the first instruction of the loop). */
  start: number;
  /** Offset of the last back-edge branch inside the contiguous range. */
  end: number;
  /** Index range in the function's instruction list, inclusive. */
  first: number;
  last: number;
  /** Label of the header, when the listing names it. */
  label?: string;
  depth: number;
  children: SassLoop[];
}

/** Branches that can jump (BSSY only names a reconvergence point; CALL returns; BRX targets are unknown). */
const JUMPS = new Set(['BRA', 'JMP']);
const ENDS = new Set(['EXIT', 'RET', 'KILL']);

function unconditional(ins: SassInstruction): boolean {
  return !ins.predicate || ins.predicate === '@PT';
}

interface Cfg {
  starts: number[];
  succ: number[][];
}

function buildCfg(ins: SassInstruction[]): Cfg {
  const indexOf = new Map(ins.map((x, i) => [x.offset, i] as const));
  const leader = new Set<number>([0]);
  ins.forEach((x, i) => {
    const jump = JUMPS.has(x.opcode) || ENDS.has(x.opcode) || x.opcode === 'BRX';
    if (jump && i + 1 < ins.length) leader.add(i + 1);
    if (JUMPS.has(x.opcode) && x.branchTarget !== undefined && indexOf.has(x.branchTarget))
      leader.add(indexOf.get(x.branchTarget)!);
  });
  const starts = [...leader].sort((a, b) => a - b);
  const blockOf = new Int32Array(ins.length);
  starts.forEach((s, b) => {
    const e = b + 1 < starts.length ? starts[b + 1] : ins.length;
    for (let i = s; i < e; i++) blockOf[i] = b;
  });
  const succ = starts.map((s, b) => {
    const lastIdx = (b + 1 < starts.length ? starts[b + 1] : ins.length) - 1;
    const x = ins[lastIdx];
    const out: number[] = [];
    if (JUMPS.has(x.opcode) && x.branchTarget !== undefined && indexOf.has(x.branchTarget))
      out.push(blockOf[indexOf.get(x.branchTarget)!]);
    const fallsThrough = !((JUMPS.has(x.opcode) || ENDS.has(x.opcode)) && unconditional(x));
    if (fallsThrough && b + 1 < starts.length) out.push(b + 1);
    void s;
    return out;
  });
  return { starts, succ };
}

/** Immediate dominators (-1 for unreachable blocks), entry = block 0. */
function dominators(succ: number[][]): Int32Array {
  const n = succ.length;
  const order: number[] = [];
  const seen = new Uint8Array(n);
  // Iterative DFS for the postorder (functions have thousands of blocks: no recursion).
  const stack: Array<[number, number]> = [[0, 0]];
  seen[0] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [b, k] = top;
    if (k < succ[b].length) {
      top[1]++;
      const s = succ[b][k];
      if (!seen[s]) {
        seen[s] = 1;
        stack.push([s, 0]);
      }
    } else {
      order.push(b);
      stack.pop();
    }
  }
  const rpo = order.reverse();
  const rank = new Int32Array(n).fill(-1);
  rpo.forEach((b, i) => {
    rank[b] = i;
  });
  const preds: number[][] = Array.from({ length: n }, () => []);
  succ.forEach((ss, b) => {
    if (rank[b] >= 0) for (const s of ss) preds[s].push(b);
  });
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (rank[a] > rank[b]) a = idom[a];
      while (rank[b] > rank[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const b of rpo) {
      if (b === 0) continue;
      let d = -1;
      for (const p of preds[b]) if (idom[p] >= 0) d = d < 0 ? p : intersect(p, d);
      if (d >= 0 && idom[b] !== d) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  return idom;
}

function dominates(idom: Int32Array, h: number, u: number): boolean {
  if (idom[u] < 0) return false;
  for (let b = u; ; b = idom[b]) {
    if (b === h) return true;
    if (b === 0) return h === 0;
  }
}

export function findLoops(fn: SassFunction): SassLoop[] {
  const ins = fn.instructions;
  if (ins.length === 0) return [];
  const { starts, succ } = buildCfg(ins);
  const idom = dominators(succ);
  const lastOf = (b: number) => (b + 1 < starts.length ? starts[b + 1] : ins.length) - 1;
  // Header block -> index of its furthest back-edge source that lies after it.
  const spans = new Map<number, number>();
  succ.forEach((ss, u) => {
    for (const h of ss) {
      if (!dominates(idom, h, u) || starts[h] > lastOf(u)) continue;
      spans.set(h, Math.max(spans.get(h) ?? -1, lastOf(u)));
    }
  });
  const flat: SassLoop[] = [...spans.entries()]
    .map(([h, last]) => {
      const first = starts[h];
      const label = ins[first].labels?.[0];
      return {
        start: ins[first].offset,
        end: ins[last].offset,
        first,
        last,
        ...(label ? { label } : {}),
        depth: 0,
        children: [] as SassLoop[],
      };
    })
    .sort((a, b) => a.first - b.first || b.last - a.last);
  const roots: SassLoop[] = [];
  const stack: SassLoop[] = [];
  for (const loop of flat) {
    while (stack.length && stack[stack.length - 1].last < loop.last) stack.pop();
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
