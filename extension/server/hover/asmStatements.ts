// Finds GNU-style inline assembly statements in C++ source: `asm [volatile] ( "..." "..." : outputs
// : inputs : clobbers )`. The template may be several adjacent literals over many lines; they are
// concatenated into one PTX text with a map back to document offsets.
import { decodeStringLiteral, lexCpp, type Token } from './cppLexer';

export interface AsmOperandBinding {
  /** %N number: outputs first, then inputs, in order. */
  index: number;
  constraint: string;
  /** The C++ expression inside the parentheses, as written. */
  expression: string;
  role: 'output' | 'input';
}

export interface AsmStatement {
  /** Document offset of the `asm` keyword and one past the closing parenthesis. */
  start: number;
  end: number;
  /** The template's string literal tokens. */
  literals: Token[];
  /** The concatenated, unescaped PTX template. */
  ptx: string;
  /** ptx[i] came from document offset ptxOffsets[i]. */
  ptxOffsets: number[];
  operands: AsmOperandBinding[];
}

const ASM_KEYWORDS = new Set(['asm', '__asm__', '__asm']);
const ASM_QUALIFIERS = new Set(['volatile', '__volatile__', 'goto', 'inline', '__inline__']);

/** Every asm statement of the document, in order. */
export function findAsmStatements(text: string, tokens: Token[] = lexCpp(text)): AsmStatement[] {
  const code = tokens.filter((t) => t.kind !== 'comment');
  const out: AsmStatement[] = [];
  for (let i = 0; i < code.length; i++) {
    if (code[i].kind !== 'ident' || !ASM_KEYWORDS.has(code[i].text)) continue;
    let j = i + 1;
    while (j < code.length && code[j].kind === 'ident' && ASM_QUALIFIERS.has(code[j].text)) j++;
    if (code[j]?.text !== '(') continue;
    j++;
    const literals: Token[] = [];
    while (j < code.length && code[j].kind === 'string') literals.push(code[j++]);
    if (literals.length === 0) continue;
    const parsed = parseOperandSections(code, j);
    let ptx = '';
    const ptxOffsets: number[] = [];
    for (const lit of literals) {
      const d = decodeStringLiteral(lit);
      ptx += d.value;
      ptxOffsets.push(...d.offsets);
    }
    out.push({ start: code[i].start, end: parsed.end, literals, ptx, ptxOffsets, operands: parsed.operands });
    i = Math.max(i, parsed.nextIndex - 1);
  }
  return out;
}

/** Reads `: outputs : inputs : clobbers )` starting at code[j]. */
function parseOperandSections(
  code: Token[],
  j: number,
): { operands: AsmOperandBinding[]; end: number; nextIndex: number } {
  const operands: AsmOperandBinding[] = [];
  let section = 0; // 0 = template, 1 = outputs, 2 = inputs, 3 = clobbers, 4 = labels
  let index = 0;
  while (j < code.length) {
    const t = code[j];
    if (t.text === ')') return { operands, end: t.end, nextIndex: j + 1 };
    if (t.text === ':') {
      section++;
      j++;
      continue;
    }
    if (t.text === ',') {
      j++;
      continue;
    }
    if ((section === 1 || section === 2) && t.text === '[') {
      // symbolic operand name: [name]
      while (j < code.length && code[j].text !== ']') j++;
      j++;
      continue;
    }
    if ((section === 1 || section === 2) && t.kind === 'string') {
      let constraint = '';
      while (j < code.length && code[j].kind === 'string') constraint += decodeStringLiteral(code[j++]).value;
      let expression = '';
      if (code[j]?.text === '(') {
        let depth = 0;
        let k = j;
        for (; k < code.length; k++) {
          if (code[k].text === '(') depth++;
          else if (code[k].text === ')') {
            depth--;
            if (depth === 0) break;
          }
        }
        expression = sourceBetween(code, j + 1, k);
        j = k + 1;
      }
      operands.push({ index: index++, constraint, expression, role: section === 1 ? 'output' : 'input' });
      continue;
    }
    if (t.text === '(') {
      // unexpected nesting (macros): skip balanced
      let depth = 0;
      for (; j < code.length; j++) {
        if (code[j].text === '(') depth++;
        else if (code[j].text === ')') {
          depth--;
          if (depth === 0) {
            j++;
            break;
          }
        }
      }
      continue;
    }
    if (t.text === ';' || t.text === '{' || t.text === '}') return { operands, end: t.start, nextIndex: j };
    j++;
  }
  return { operands, end: code.length ? code[code.length - 1].end : 0, nextIndex: code.length };
}

/** Joins tokens [from, to) with single spaces where the source had whitespace. */
function sourceBetween(code: Token[], from: number, to: number): string {
  let s = '';
  for (let k = from; k < to && k < code.length; k++) {
    if (k > from && code[k].start > code[k - 1].end) s += ' ';
    s += code[k].text;
  }
  return s;
}

/** The asm statement whose template literals contain `offset`, and the PTX index of it. */
export function asmAt(
  statements: AsmStatement[],
  offset: number,
): { statement: AsmStatement; ptxIndex: number } | null {
  for (const st of statements) {
    if (offset < st.start || offset > st.end) continue;
    const inside = st.literals.some((l) => offset > l.start && offset < l.end);
    if (!inside) return null;
    // nearest PTX character at or before the offset
    let best = -1;
    for (let k = 0; k < st.ptxOffsets.length; k++) {
      if (st.ptxOffsets[k] <= offset) best = k;
      else break;
    }
    if (best < 0) return null;
    return { statement: st, ptxIndex: best };
  }
  return null;
}
