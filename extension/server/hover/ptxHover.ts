// Hover text for what sits under the cursor inside an asm template: an instruction (with its
// qualifiers decoded as written), a special register, or an %N operand and what it is bound to.
import type { KnowledgeBase, PtxEntry, SpecialRegisterEntry } from '../knowledge/types';
import type { AsmOperandBinding, AsmStatement } from './asmStatements';
import { abbreviateOperand, cell, code, ptxLink, targetText } from './markdown';
import { decodeQualifiers, lookupPtx, lookupSpecialRegister, type PtxMatch } from './ptxLookup';
import { parsePtxInstructions, percentRefs, type PtxInstruction } from './ptxStatements';

export interface AsmHover {
  markdown: string;
  /** PTX-text range the hover is about (mapped to the document by the caller). */
  start: number;
  end: number;
}

/** Hover for PTX index `at` of an asm statement, or null when nothing known is there. */
export function asmHover(statement: AsmStatement, at: number, kb: KnowledgeBase): AsmHover | null {
  const instructions = parsePtxInstructions(statement.ptx);
  const instr = instructions.find((i) => at >= i.statement.start && at <= i.statement.end);
  if (!instr) return null;
  if (at >= instr.opcode.start && at <= instr.opcode.end) {
    const match = lookupPtx(instr.opcode.text, kb);
    if (!match) return null;
    return {
      markdown: instructionMarkdown(instr, match, at, statement, kb),
      start: instr.opcode.start,
      end: instr.opcode.end,
    };
  }
  const ref = percentRefs(statement.ptx, instr.statement.start, instr.statement.end).find(
    (r) => at >= r.start && at < r.end,
  );
  if (!ref) return null;
  if (ref.kind === 'special') {
    const reg = lookupSpecialRegister(ref.value, kb);
    return reg
      ? {
          markdown: specialRegisterMarkdown(reg, statement.ptx.slice(ref.start, ref.end)),
          start: ref.start,
          end: ref.end,
        }
      : null;
  }
  const binding = statement.operands.find((o) => o.index === Number(ref.value));
  if (!binding) return null;
  return { markdown: operandMarkdown(binding, instr, ref.start, kb), start: ref.start, end: ref.end };
}

export function instructionMarkdown(
  instr: PtxInstruction,
  match: PtxMatch,
  at: number,
  statement: AsmStatement,
  kb: KnowledgeBase,
): string {
  const e = match.entry;
  const lines: string[] = [];
  lines.push(`**${code(match.mnemonic)}** — ${e.title}`);
  lines.push('');
  lines.push(e.summary);
  lines.push(...usesLines(e));
  lines.push('');
  lines.push(`As written: ${code(instr.opcode.text)}`);
  if (instr.guard)
    lines.push(
      `\nGuarded by ${code(instr.guard.text)}: executes only in threads where that predicate is ${instr.guard.text.startsWith('@!') ? 'false' : 'true'}.`,
    );
  const decoded = decodeQualifiers(match, kb);
  if (decoded.length) {
    // Which qualifier the cursor is on: count dots from the mnemonic's end.
    const mnemonicEnd = instr.opcode.start + match.mnemonic.length;
    let cursorQualifier = -1;
    let pos = mnemonicEnd;
    decoded.forEach((q, k) => {
      if (at >= pos && at < pos + q.qualifier.length) cursorQualifier = k;
      pos += q.qualifier.length;
    });
    lines.push('');
    lines.push('| qualifier | meaning |');
    lines.push('|---|---|');
    decoded.forEach((q, k) => {
      const name = k === cursorQualifier ? `**${code(q.qualifier)}** ◀` : code(q.qualifier);
      const role = q.role ? `${q.role}: ` : '';
      const meaning = q.meaning ?? 'not described here — see the PTX ISA section below';
      lines.push(`| ${name} | ${cell(role + meaning)} |`);
    });
  }
  lines.push('');
  lines.push(...operandLines(instr, e, statement.operands));
  if (e.notes?.length) {
    lines.push('');
    for (const n of e.notes) lines.push(`- ${n}`);
  }
  lines.push('');
  lines.push(footer(e));
  return lines.join('\n');
}

/** "In our kernels:" — what this project's kernels use the instruction for. */
export function usesLines(e: PtxEntry): string[] {
  if (!e.uses?.length) return [];
  return ['', '**In our kernels:**', ...e.uses.map((u) => `- ${u}`)];
}

function operandLines(instr: PtxInstruction, e: PtxEntry, bindings: AsmOperandBinding[]): string[] {
  const out: string[] = [];
  // Name each written operand by its ISA role when the form lists them in the ISA's order.
  const roles =
    e.positionalOperands && e.operands && instr.operands.length <= e.operands.length
      ? e.operands.map((o) => o.name)
      : [];
  if (instr.operands.length) {
    out.push('Operands here:');
    instr.operands.forEach((op, k) => {
      const role = roles[k] ? ` (${code(roles[k])})` : '';
      const refs = [...op.text.matchAll(/(?<!%)%([0-9]+)/g)].map((m) => Number(m[1]));
      const bound = refs
        .map((r) => bindings.find((b) => b.index === r))
        .filter((b): b is AsmOperandBinding => !!b)
        .slice(0, 4)
        .map((b) => `%${b.index} = ${code(b.expression || '?')}`);
      const more = refs.length > 4 ? ', …' : '';
      out.push(
        `${k + 1}. ${code(abbreviateOperand(op.text))}${role}${bound.length ? ' — ' + bound.join(', ') + more : ''}`,
      );
    });
  }
  if (e.operands?.length) {
    out.push('');
    out.push("The ISA's operands:");
    for (const o of e.operands) out.push(`- ${code(o.name)}: ${o.meaning}`);
  }
  return out;
}

function footer(e: PtxEntry): string {
  const section = /^[0-9]/.test(e.section) ? `§${e.section}` : e.section;
  return `PTX ISA ${e.ptx}+ · target ${targetText(e.target)} · ${section} · ${ptxLink('PTX ISA reference', e.anchor)}`;
}

export function specialRegisterMarkdown(reg: SpecialRegisterEntry, written: string): string {
  return [
    `**${code('%' + reg.name)}** — ${reg.title} (special register)`,
    '',
    reg.summary,
    '',
    `As written: ${code(written)}`,
    '',
    `PTX ISA ${reg.ptx}+ · target ${targetText(reg.target)} · §${reg.section} · ${ptxLink('PTX ISA reference', reg.anchor)}`,
  ].join('\n');
}

const CONSTRAINTS: Record<string, string> = {
  r: '32-bit integer register',
  l: '64-bit integer register',
  h: '16-bit register',
  f: '32-bit float register',
  d: '64-bit float register',
  n: 'integer constant known at compile time',
  c: '8-bit register',
  q: '128-bit register',
};

export function describeConstraint(constraint: string): string {
  const access = constraint.startsWith('+') ? 'read and written' : constraint.startsWith('=') ? 'written' : 'read';
  const letter = constraint.replace(/^[=+&]+/, '');
  return `${CONSTRAINTS[letter] ?? `constraint "${letter}"`}, ${access} by the asm`;
}

function operandMarkdown(b: AsmOperandBinding, instr: PtxInstruction, refStart: number, kb: KnowledgeBase): string {
  const lines = [
    `**${code('%' + b.index)}** — ${b.role} operand ${b.index} of this asm statement`,
    '',
    `Bound to ${code(b.expression || '?')} with ${code('"' + b.constraint + '"')}: ${describeConstraint(b.constraint)}.`,
  ];
  const position = instr.operands.findIndex((o) => refStart >= o.start && refStart < o.end);
  const match = lookupPtx(instr.opcode.text, kb);
  if (match && position >= 0) {
    lines.push('');
    lines.push(
      `Used in operand ${position + 1} of ${code(match.mnemonic)} (${code(abbreviateOperand(instr.operands[position].text))}).`,
    );
  }
  return lines.join('\n');
}
