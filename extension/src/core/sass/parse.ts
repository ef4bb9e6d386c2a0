// Reads the text cuobjdump -sass and nvdisasm print for a cubin into a SassListing. Neither format
// is specified by NVIDIA beyond examples in the CUDA Binary Utilities guide, so the parser follows
// what the tools print (our fixtures under test/fixtures/sass are real sm_90a output), keeps every
// instruction it recognises and counts the lines it could not place instead of failing.
//
// cuobjdump -sass kernel.cubin:
//   code for sm_90a
//     Function : name
//     /*0040*/   @!P0 BRA 0x1230 ;     /* 0x0000001000008947 */      <- low 64 bits of the encoding
//                                      /* 0x000fea0003800000 */      <- high 64 bits (control bits)
// nvdisasm -c -gi -hex kernel.cubin:
//   .section .text.name,"ax",@progbits  ...  name:
//   .L_x_3:
//     //## File "/abs/kernels/include/x.cuh", line 42 inlined at "/abs/kernels/include/y.cuh", line 9
//     //## File "/abs/kernels/include/y.cuh", line 9 inlined at "/abs/kernel.cu", line 7
//     //## File "/abs/kernel.cu", line 7
//     /*0040*/   @!P0 BRA `(.L_x_3) ;  /* 0x... */
// With -gi every instruction gets such a block: the innermost position first, then each caller out
// to the kernel; with -g only the innermost line, printed before each instruction.
//                                      /* 0x... */

import type { SassFunction, SassInstruction, SassListing, SassSourceRef, SassTool } from './types';

export interface ParseResult {
  listing: SassListing;
  /** Lines that looked like instructions but could not be read (kept for the caller to report). */
  unreadLines: number;
}

const INSTRUCTION = /^\s*\/\*([0-9a-fA-F]{4,})\*\/\s+(.*?)\s*;?\s*(?:\/\*\s*0x([0-9a-fA-F]{16,32})\s*\*\/)?\s*$/;
const HEX_ONLY = /^\s*\/\*\s*0x([0-9a-fA-F]{16})\s*\*\/\s*$/;
const CUOBJDUMP_FUNCTION = /^\s*Function\s*:\s*(\S+)/;
const NVDISASM_SECTION = /^\s*\.section\s+\.text\.([^,\s]+)/;
const ARCH = /code for (sm_\w+)|\.target\s+(sm_\w+)|EF_CUDA_VIRTUAL_SM\(EF_CUDA_(SM\d+\w*)\)/;
const LABEL = /^\s*(\.L_?[\w$.]+):\s*$/;
const FILE_LINE = /\/\/##\s*File\s+"([^"]*)",\s*line\s+(\d+)(.*)$/;
const INLINED_AT = /inlined at\s+"([^"]*)",\s*line\s+(\d+)/g;
const BRANCHING = new Set(['BRA', 'JMP', 'CALL', 'BSSY', 'BREAK', 'BRX', 'JMX']);

/** Splits an operand list at commas that are not inside brackets, braces or parentheses. */
export function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if (ch === ']' || ch === '}' || ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** "@!P0 QGMMA.64x128x32.F32.E4M3.E4M3 R24, gdesc[UR4], R24" -> its parts. */
export function splitInstruction(
  text: string,
): Pick<SassInstruction, 'predicate' | 'opcode' | 'modifiers' | 'operands'> {
  let rest = text.trim();
  let predicate: string | undefined;
  const pm = /^(@!?U?P[T0-9]+)\s+/.exec(rest);
  if (pm) {
    predicate = pm[1];
    rest = rest.slice(pm[0].length);
  }
  const space = rest.search(/\s/);
  const head = space < 0 ? rest : rest.slice(0, space);
  const tail = space < 0 ? '' : rest.slice(space + 1).trim();
  const [opcode, ...modifiers] = head.split('.');
  return { ...(predicate ? { predicate } : {}), opcode, modifiers, operands: tail ? splitOperands(tail) : [] };
}

/** One -g/-gi block (its "//## File" lines in order) -> the instruction's source and call sites. */
function sourceFromBlock(block: RegExpExecArray[]): SassSourceRef {
  const [first, ...callers] = block;
  const ref: SassSourceRef = { file: first[1], line: Number(first[2]) };
  // The callers' own lines are the call sites; a lone line may name its call sites inline.
  const inlined = callers.length
    ? callers.map((m) => ({ file: m[1], line: Number(m[2]) }))
    : [...first[3].matchAll(INLINED_AT)].map((x) => ({ file: x[1], line: Number(x[2]) }));
  if (inlined.length) ref.inlinedAt = inlined;
  return ref;
}

function branchOperand(ins: SassInstruction): { label?: string; offset?: number } | undefined {
  for (let i = ins.operands.length - 1; i >= 0; i--) {
    const op = ins.operands[i];
    const label = /`\((\.?[\w$.]+)\)/.exec(op);
    if (label) return { label: label[1] };
    if (BRANCHING.has(ins.opcode) && /^-?0x[0-9a-fA-F]+$/.test(op) && !op.startsWith('-'))
      return { offset: parseInt(op, 16) };
  }
  return undefined;
}

/** Which tool printed this text: nvdisasm writes assembler directives, cuobjdump "Function :" headers. */
export function detectFormat(text: string): SassTool {
  return /^\s*Function\s*:/m.test(text) ? 'cuobjdump' : 'nvdisasm';
}

export function parseSass(text: string, format: SassTool = detectFormat(text)): ParseResult {
  const functions: SassFunction[] = [];
  let current: SassFunction | undefined;
  let arch: string | undefined;
  let pendingLabels: string[] = [];
  let source: SassSourceRef | undefined;
  let block: RegExpExecArray[] = [];
  let last: SassInstruction | undefined;
  let unreadLines = 0;
  const labelOffsets = new Map<SassFunction, Map<string, number>>();

  const startFunction = (name: string) => {
    current = { name, instructions: [] };
    functions.push(current);
    labelOffsets.set(current, new Map());
    pendingLabels = [];
    source = undefined;
    block = [];
    last = undefined;
  };

  for (const line of text.split(/\r?\n/)) {
    if (!arch) {
      const a = ARCH.exec(line);
      if (a) arch = (a[1] ?? a[2] ?? a[3]).toLowerCase().replace(/^sm(\d)/, 'sm_$1');
    }
    const fn = format === 'cuobjdump' ? CUOBJDUMP_FUNCTION.exec(line) : NVDISASM_SECTION.exec(line);
    if (fn) {
      startFunction(fn[1]);
      continue;
    }
    const hex = HEX_ONLY.exec(line);
    if (hex) {
      // The second word of the instruction printed just above.
      if (last?.encoding && last.encoding.hi === '') last.encoding.hi = hex[1].toLowerCase();
      continue;
    }
    const fl = FILE_LINE.exec(line);
    if (fl) {
      block.push(fl);
      continue;
    }
    const lab = LABEL.exec(line);
    if (lab) {
      pendingLabels.push(lab[1]);
      continue;
    }
    const m = INSTRUCTION.exec(line);
    if (!m) continue;
    if (!current) startFunction('(unnamed)');
    const fnNow = current!;
    const body = m[2].replace(/;\s*$/, '').trim();
    if (!body) {
      unreadLines++;
      continue;
    }
    const ins: SassInstruction = { offset: parseInt(m[1], 16), text: body, ...splitInstruction(body) };
    if (m[3]) {
      const word = m[3].toLowerCase();
      ins.encoding = word.length === 32 ? { lo: word.slice(16), hi: word.slice(0, 16) } : { lo: word, hi: '' };
    }
    if (block.length) {
      source = sourceFromBlock(block);
      block = [];
    }
    if (source) ins.source = source;
    if (pendingLabels.length) {
      ins.labels = pendingLabels;
      for (const l of pendingLabels) labelOffsets.get(fnNow)!.set(l, ins.offset);
      pendingLabels = [];
    }
    fnNow.instructions.push(ins);
    last = ins;
  }

  for (const f of functions) {
    const labels = labelOffsets.get(f)!;
    for (const ins of f.instructions) {
      if (ins.encoding && ins.encoding.hi === '') delete ins.encoding;
      const target = branchOperand(ins);
      if (!target) continue;
      const at = target.label !== undefined ? labels.get(target.label) : target.offset;
      if (at !== undefined) ins.branchTarget = at;
    }
  }
  const all = functions.flatMap((f) => f.instructions);
  return {
    listing: {
      format,
      ...(arch ? { arch } : {}),
      functions: functions.filter((f) => f.instructions.length > 0),
      hasLineInfo: all.some((i) => i.source),
      hasEncodings: all.length > 0 && all.every((i) => i.encoding),
    },
    unreadLines,
  };
}
