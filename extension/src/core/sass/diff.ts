// Two configs' SASS side by side: an aligned listing (instructions matched by opcode and modifiers,
// registers and addresses ignored, so a renamed register or moved address still lines up) and the
// instruction-mix deltas. The alignment is Myers' shortest edit script over the opcode sequences;
// runs of deletions and insertions between matches are paired into "changed" rows.

import { instructionMix, mixDelta, type MixDelta } from './mix';
import type { SassFunction, SassInstruction } from './types';

export type DiffRowKind = 'same' | 'changed' | 'left' | 'right';

export interface DiffRow {
  kind: DiffRowKind;
  /** Instruction indices in the left / right function. */
  left?: number;
  right?: number;
}

export interface SassDiff {
  rows: DiffRow[];
  mix: MixDelta[];
  /** Instructions matched / only on the left / only on the right. */
  same: number;
  leftOnly: number;
  rightOnly: number;
  /** True when the sequences were too different to align within the limit (rows then pair by index). */
  truncated: boolean;
}

export const alignKey = (ins: Pick<SassInstruction, 'opcode' | 'modifiers'>): string =>
  [ins.opcode, ...ins.modifiers].join('.');

/** Myers' O((N+M)·D) edit script, keeping only each round's band of V (memory ~ D² integers). */
function myers(a: string[], b: string[], maxD: number): Array<[number, number]> | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] = V as it stood when round d began, for k in [-d-1, d+1] (band[k + d + 1]).
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, d, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], dEnd: number, n: number, m: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let x = n,
    y = m;
  for (let d = dEnd; d >= 0; d--) {
    const band = trace[d];
    const at = (k: number) => band[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    // The diagonal (matching) run that ended this round.
    const startX = d === 0 ? 0 : prevK === k + 1 ? prevX : prevX + 1;
    while (x > startX) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  return pairs.reverse();
}

function rowsFromPairs(n: number, m: number, pairs: Array<[number, number]>): DiffRow[] {
  const rows: DiffRow[] = [];
  let i = 0,
    j = 0;
  const flushGap = (toI: number, toJ: number) => {
    const dels: number[] = [];
    const ins: number[] = [];
    while (i < toI) dels.push(i++);
    while (j < toJ) ins.push(j++);
    const paired = Math.min(dels.length, ins.length);
    for (let p = 0; p < paired; p++) rows.push({ kind: 'changed', left: dels[p], right: ins[p] });
    for (let p = paired; p < dels.length; p++) rows.push({ kind: 'left', left: dels[p] });
    for (let p = paired; p < ins.length; p++) rows.push({ kind: 'right', right: ins[p] });
  };
  for (const [x, y] of pairs) {
    flushGap(x, y);
    rows.push({ kind: 'same', left: x, right: y });
    i = x + 1;
    j = y + 1;
  }
  flushGap(n, m);
  return rows;
}

export function diffFunctions(left: SassFunction, right: SassFunction, maxEdits = 8000): SassDiff {
  const a = left.instructions.map(alignKey);
  const b = right.instructions.map(alignKey);
  const pairs = myers(a, b, maxEdits);
  const truncated = pairs === undefined;
  const rows = rowsFromPairs(a.length, b.length, pairs ?? []);
  const count = (k: DiffRowKind) => rows.filter((r) => r.kind === k).length;
  const changed = count('changed');
  return {
    rows,
    mix: mixDelta(instructionMix(left.instructions), instructionMix(right.instructions)),
    same: count('same'),
    leftOnly: count('left') + changed,
    rightOnly: count('right') + changed,
    truncated,
  };
}
