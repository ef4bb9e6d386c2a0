// The instruction mix of a SASS function: what a Hopper GEMM engineer counts first. Tensor-core
// instructions are split by opcode and shape (QGMMA.64x128x32 vs QGMMA.64x256x32); the rest fall in
// a few families named after the opcodes they hold.

import type { SassFunction, SassInstruction } from './types';

export type MixFamily =
  | 'tensor'
  | 'warpgroup'
  | 'fp32'
  | 'convert'
  | 'integer'
  | 'uniform'
  | 'shared'
  | 'global'
  | 'constant'
  | 'local'
  | 'tma'
  | 'sync'
  | 'branch'
  | 'registers'
  | 'move'
  | 'other';

export const FAMILY_LABELS: Record<MixFamily, string> = {
  tensor: 'tensor core (HGMMA/QGMMA/…)',
  warpgroup: 'warpgroup arrive/wait',
  fp32: 'FP32 math (FFMA/FADD/FMUL/…)',
  convert: 'conversions (F2F/F2FP/I2F/…)',
  integer: 'integer and logic',
  uniform: 'uniform datapath (U…)',
  shared: 'shared memory (LDS/STS/LDSM/STSM)',
  global: 'global memory (LDG/STG/RED)',
  constant: 'constant loads (LDC/ULDC)',
  local: 'local memory (spills)',
  tma: 'TMA (UTMALDG/UTMASTG/…)',
  sync: 'SYNCS / barriers / fences',
  branch: 'branches and control flow',
  registers: 'register reallocation (setmaxnreg)',
  move: 'moves and special registers',
  other: 'other',
};

const FAMILIES: [MixFamily, RegExp][] = [
  ['tensor', /^(HGMMA|QGMMA|IGMMA|BGMMA|HMMA|IMMA|QMMA|DMMA|BMMA|OMMA|UTCHMMA|UTCQMMA|UTCOMMA)$/],
  ['warpgroup', /^WARPGROUP$/],
  ['tma', /^(UTMALDG|UTMASTG|UTMAPF|UTMACCTL|UTMACMDFLUSH|UTMAREDG|UBLKCP|UBLKRED|UBLKPF)$/],
  [
    'sync',
    /^(SYNCS|WARPSYNC|BAR|BARRIER|MEMBAR|FENCE|DEPBAR|ERRBAR|CGAERRBAR|UCGABAR_ARV|UCGABAR_WAIT|CCTL|ARRIVES|ACQBULK|NANOSLEEP|ELECT|VOTE|VOTEU|MATCH|REDUX|CREDUX)$/,
  ],
  ['registers', /^(USETMAXREG|SETMAXREG)$/],
  ['fp32', /^(FFMA|FFMA2|FADD|FADD2|FMUL|FMUL2|FMNMX|FMNMX3|FSEL|FSET|FSETP|FCHK|MUFU|FRND|FSWZADD)$/],
  ['convert', /^(F2F|F2FP|I2F|I2FP|F2I|F2IP|I2I|I2IP|FRND)$/],
  ['shared', /^(LDS|STS|LDSM|STSM|ATOMS|STAS|LDGSTS)$/],
  ['global', /^(LDG|STG|LD|ST|RED|REDG|ATOM|ATOMG|LDGDEPBAR)$/],
  ['constant', /^(LDC|ULDC|LDCU)$/],
  ['local', /^(LDL|STL)$/],
  ['branch', /^(BRA|BRX|BRXU|JMP|JMX|CALL|RET|EXIT|PREEXIT|BREAK|BSSY|BSYNC|BMOV|YIELD|KILL|BPT|WARPSYNC)$/],
  [
    'move',
    /^(MOV|MOV32I|S2R|S2UR|CS2R|CS2UR|R2UR|R2P|P2R|SHFL|PRMT|SEL|NOP|UP2UR|UR2UP|B2R|R2B|LEPC|GETLMEMBASE|SETLMEMBASE)$/,
  ],
  ['uniform', /^U[A-Z0-9_]+$/],
  [
    'integer',
    /^(IMAD|IMAD\w*|IADD|IADD3|IADD32I|LEA|LOP|LOP3|SHF|SHL|SHR|ISETP|ICMP|IMNMX|VIMNMX|VIMNMX3|VIADD|VIADDMNMX|IABS|IDP|IMUL|POPC|FLO|BREV|BMSK|SGXT|PLOP3|PSETP|ISCADD|VABSDIFF4?|HADD2|HFMA2|HMUL2|HSET2|HSETP2|HMNMX2)$/,
  ],
];

export function familyOf(opcode: string): MixFamily {
  for (const [family, re] of FAMILIES) if (re.test(opcode)) return family;
  return 'other';
}

export function isTensorCore(ins: Pick<SassInstruction, 'opcode'>): boolean {
  return familyOf(ins.opcode) === 'tensor';
}

/** "QGMMA.64x128x32.F32.E4M3.E4M3" -> "QGMMA 64x128x32 F32.E4M3.E4M3" (opcode, shape, types). */
export function tensorKey(ins: Pick<SassInstruction, 'opcode' | 'modifiers'>): string {
  const shape = ins.modifiers.find((m) => /^\d+x\d+x\d+$/.test(m));
  const types = ins.modifiers.filter((m) => /^(F32|F16|BF16|E4M3|E5M2|S8|U8|S32|TF32)$/.test(m));
  return [ins.opcode, shape, types.join('.')].filter(Boolean).join(' ');
}

/** The key an instruction is counted under: tensor-core ones by shape, others by opcode. */
export function mixKey(ins: Pick<SassInstruction, 'opcode' | 'modifiers'>): string {
  return isTensorCore(ins) ? tensorKey(ins) : ins.opcode;
}

export interface MixEntry {
  key: string;
  family: MixFamily;
  count: number;
}

export interface InstructionMix {
  total: number;
  /** One entry per key, most frequent first (ties by key). */
  entries: MixEntry[];
  /** Totals per family, most frequent first. */
  families: { family: MixFamily; count: number }[];
}

export function instructionMix(instructions: Pick<SassInstruction, 'opcode' | 'modifiers'>[]): InstructionMix {
  const byKey = new Map<string, MixEntry>();
  const byFamily = new Map<MixFamily, number>();
  for (const ins of instructions) {
    const key = mixKey(ins);
    const family = familyOf(ins.opcode);
    const e = byKey.get(key) ?? { key, family, count: 0 };
    e.count++;
    byKey.set(key, e);
    byFamily.set(family, (byFamily.get(family) ?? 0) + 1);
  }
  const entries = [...byKey.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const families = [...byFamily.entries()]
    .map(([family, count]) => ({ family, count }))
    .sort((a, b) => b.count - a.count || a.family.localeCompare(b.family));
  return { total: instructions.length, entries, families };
}

export function functionMix(fn: SassFunction): InstructionMix {
  return instructionMix(fn.instructions);
}

export interface MixDelta {
  key: string;
  family: MixFamily;
  left: number;
  right: number;
  delta: number;
}

/** Per-key counts of two mixes side by side, largest absolute change first. */
export function mixDelta(left: InstructionMix, right: InstructionMix): MixDelta[] {
  const rows = new Map<string, MixDelta>();
  for (const e of left.entries)
    rows.set(e.key, { key: e.key, family: e.family, left: e.count, right: 0, delta: -e.count });
  for (const e of right.entries) {
    const r = rows.get(e.key) ?? { key: e.key, family: e.family, left: 0, right: 0, delta: 0 };
    r.right = e.count;
    r.delta = r.right - r.left;
    rows.set(e.key, r);
  }
  return [...rows.values()].sort(
    (a, b) =>
      Math.abs(b.delta) - Math.abs(a.delta) || b.left + b.right - (a.left + a.right) || a.key.localeCompare(b.key),
  );
}
