// Splits a PTX template (the text of an asm statement) into instructions with their operands.
// Handles `{ ... }` scoping blocks, `.reg` directives, labels (including GCC's `%=` unique suffix),
// predicate guards (`@p`, `@!p`) and vector operands in braces (`{%0, %1}`).

export interface Span {
  text: string;
  /** Index in the PTX text. */
  start: number;
  end: number;
}

export interface PtxInstruction {
  /** The full opcode with its qualifiers, e.g. "mbarrier.try_wait.parity.shared::cta.b64". */
  opcode: Span;
  /** Guard predicate as written ("@!done"), when present. */
  guard?: Span;
  /** Operands split at top-level commas. */
  operands: Span[];
  /** The whole statement without the trailing ';'. */
  statement: Span;
}

const OPCODE_CHAR = /[A-Za-z0-9_.:]/;

/** The instructions of a PTX template, in order. Directives (.reg, .pred ...) and labels are skipped. */
export function parsePtxInstructions(ptx: string): PtxInstruction[] {
  const out: PtxInstruction[] = [];
  const n = ptx.length;
  let i = 0;
  while (i < n) {
    // skip whitespace, block braces and stray semicolons between statements
    while (i < n && (/\s/.test(ptx[i]) || ptx[i] === '{' || ptx[i] === '}' || ptx[i] === ';')) i++;
    if (i >= n) break;
    // PTX comments
    if (ptx.startsWith('//', i)) {
      while (i < n && ptx[i] !== '\n') i++;
      continue;
    }
    if (ptx.startsWith('/*', i)) {
      const e = ptx.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    const stmtStart = i;
    // label: IDENT (possibly with %= inside) followed by ':' (not '::')
    const label = /^[A-Za-z_$][A-Za-z0-9_$%=]*:(?!:)/.exec(ptx.slice(i, i + 128));
    if (label) {
      i += label[0].length;
      continue;
    }
    // find the end of the statement: ';' at brace depth 0 (vector operands use braces)
    let depth = 0;
    let j = i;
    for (; j < n; j++) {
      const c = ptx[j];
      if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (c === ';' && depth === 0) break;
    }
    const stmtEnd = j;
    let k = i;
    let guard: Span | undefined;
    if (ptx[k] === '@') {
      const g = /^@!?%?[A-Za-z0-9_$]+/.exec(ptx.slice(k, stmtEnd));
      if (g) {
        guard = { text: g[0], start: k, end: k + g[0].length };
        k += g[0].length;
      }
      while (k < stmtEnd && /\s/.test(ptx[k])) k++;
    }
    if (ptx[k] === '.' || k >= stmtEnd) {
      i = stmtEnd + 1;
      continue;
    } // directive or empty
    let e = k;
    while (e < stmtEnd && OPCODE_CHAR.test(ptx[e])) e++;
    if (e === k) {
      i = stmtEnd + 1;
      continue;
    }
    const opcode: Span = { text: ptx.slice(k, e), start: k, end: e };
    out.push({
      opcode,
      guard,
      operands: splitOperands(ptx, e, stmtEnd),
      statement: { text: ptx.slice(stmtStart, stmtEnd), start: stmtStart, end: stmtEnd },
    });
    i = stmtEnd + 1;
  }
  return out;
}

function splitOperands(ptx: string, from: number, to: number): Span[] {
  const out: Span[] = [];
  let depth = 0;
  let start = from;
  const flush = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(ptx[s])) s++;
    while (e > s && /\s/.test(ptx[e - 1])) e--;
    if (e > s) out.push({ text: ptx.slice(s, e), start: s, end: e });
  };
  for (let k = from; k < to; k++) {
    const c = ptx[k];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      flush(k);
      start = k + 1;
    }
  }
  flush(to);
  return out;
}

/** A `%` reference inside an operand: an asm operand number (%3) or a special register (%%smid / %smid). */
export interface PercentRef {
  kind: 'operand' | 'special';
  /** Operand number, or the register name without '%' and without a .x/.y/.z suffix. */
  value: string;
  start: number;
  end: number;
}

/** Every `%` reference in [from, to) of the PTX text. `%=` (GCC unique id) is not a reference. */
export function percentRefs(ptx: string, from: number, to: number): PercentRef[] {
  const out: PercentRef[] = [];
  const re = /%{1,2}([0-9]+|[A-Za-z_][A-Za-z0-9_]*)(\.[xyz])?/g;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(ptx)) && m.index < to) {
    const doubled = m[0].startsWith('%%');
    const isNumber = /^[0-9]+$/.test(m[1]);
    // In an asm with operands, '%%name' is a literal '%name'; a single '%name' is only a register
    // name in asm without operands. Numbers are operand references only with a single '%'.
    if (isNumber && !doubled) out.push({ kind: 'operand', value: m[1], start: m.index, end: m.index + m[0].length });
    else if (!isNumber) out.push({ kind: 'special', value: m[1], start: m.index, end: m.index + m[0].length });
  }
  return out;
}
