// The scheduling ("control") bits that Volta and later GPUs carry in every 128-bit instruction.
// NVIDIA documents none of this. The layout below is the one reverse-engineered for Volta and
// Turing by Jia et al. ("Dissecting the NVIDIA Volta GPU Architecture via Microbenchmarking",
// 2018, and the Turing report, 2019) and used by CuAssembler for sm_7x/sm_8x: bits 105..125 of the
// instruction, i.e. bits 41..61 of its high 64-bit word, are
//   [0:3] stall cycles, [4] yield (0 = the warp may yield), [5:7] write barrier (7 = none),
//   [8:10] read barrier (7 = none), [11:16] wait mask (one bit per barrier 0..5),
//   [17:20] operand reuse cache flags (bit i: the i-th source operand, counted after the destinations).
// For sm_90a the same positions are INFERRED: NVIDIA's disassembler marks reused operands with
// ".reuse", and on our captured H100 kernels the decoded reuse bits agree with those marks on every
// instruction (test/unit/core/sass/controlBits.test.ts checks it). The scoreboard fields are read the
// same way and are consistent on those kernels (every write scoreboard set is waited on by a later
// instruction; variable-latency S2R/MUFU/I2F always set one), but no tool prints them: inferred.

export interface ControlBits {
  /** Cycles the scheduler waits before issuing this warp's next instruction (0-15). */
  stall: number;
  /** The scheduler may switch to another warp after this instruction. */
  yield: boolean;
  /** Scoreboard (0-5) this variable-latency instruction releases when its result is written. */
  writeBarrier?: number;
  /** Scoreboard (0-5) released when this instruction has read its source registers. */
  readBarrier?: number;
  /** Scoreboards (0-5) that must be released before this instruction issues. */
  waitOn: number[];
  /** Source operand slots (0 = first) whose register is kept in the operand reuse cache. */
  reuse: number[];
  /** The raw 21-bit field, for display. */
  raw: number;
}

/** Where each decoded field comes from, shown next to it in the view. */
export const CONTROL_BITS_PROVENANCE = {
  layout:
    'bits 41-61 of the high word: reverse-engineered for Volta/Turing (Jia et al. 2018/2019) and sm_7x/8x (CuAssembler); for sm_90a inferred',
  reuse: 'inferred for sm_90a, and checked: agrees with the .reuse marks nvdisasm prints',
  stall: 'inferred for sm_90a from the Volta/Turing layout; not confirmed by any tool output',
  barriers:
    'inferred for sm_90a from the Volta/Turing layout; consistent on our kernels (each scoreboard set is later waited on), not printed by any tool',
  yield: 'inferred for sm_90a from the Volta/Turing layout (bit clear = yield); not confirmed by any tool output',
} as const;

/** Decodes the control bits from the high 64-bit word of an instruction (16 hex digits). */
export function decodeControlBits(hiWordHex: string): ControlBits | undefined {
  if (!/^[0-9a-fA-F]{16}$/.test(hiWordHex)) return undefined;
  const raw = Number((BigInt('0x' + hiWordHex) >> 41n) & 0x1fffffn);
  const bit = (mask: number, count: number) =>
    Array.from({ length: count }, (_, i) => i).filter((i) => (mask >> i) & 1);
  const write = (raw >> 5) & 7;
  const read = (raw >> 8) & 7;
  return {
    stall: raw & 0xf,
    yield: ((raw >> 4) & 1) === 0,
    ...(write !== 7 ? { writeBarrier: write } : {}),
    ...(read !== 7 ? { readBarrier: read } : {}),
    waitOn: bit((raw >> 11) & 0x3f, 6),
    reuse: bit((raw >> 17) & 0xf, 4),
    raw,
  };
}

/** CuAssembler-style one-word summary: "B0-2---:R1:W-:Y:S04" (wait mask, read, write, yield, stall). */
export function formatControlBits(c: ControlBits): string {
  const wait = Array.from({ length: 6 }, (_, i) => (c.waitOn.includes(i) ? String(i) : '-')).join('');
  return `B${wait}:R${c.readBarrier ?? '-'}:W${c.writeBarrier ?? '-'}:${c.yield ? 'Y' : '-'}:S${String(c.stall).padStart(2, '0')}`;
}

/** One sentence per field, for the hover in the SASS view. */
export function describeControlBits(c: ControlBits): string[] {
  const out = [
    `stall ${c.stall} cycle(s) before this warp issues again${c.yield ? '; may yield to another warp' : '; no yield'}`,
  ];
  if (c.writeBarrier !== undefined)
    out.push(`sets scoreboard ${c.writeBarrier} until its result is written (variable latency)`);
  if (c.readBarrier !== undefined) out.push(`sets scoreboard ${c.readBarrier} until its sources are read`);
  if (c.waitOn.length) out.push(`waits for scoreboard(s) ${c.waitOn.join(', ')} before issuing`);
  if (c.reuse.length) out.push(`keeps source operand slot(s) ${c.reuse.join(', ')} in the reuse cache`);
  return out;
}

/**
 * Source operand slots (0 = first source) the text marks ".reuse". The destination comes first,
 * then any predicate destinations (IADD3 R9, P2, R12.reuse, ...); sources are counted after them.
 */
export function textReuseSlots(operands: string[]): number[] {
  let i = 1;
  while (i < operands.length && /^!?U?P([0-6]|T)$/.test(operands[i])) i++;
  const slots: number[] = [];
  operands.slice(i).forEach((op, k) => {
    if (/\.reuse\b/.test(op)) slots.push(k);
  });
  return slots;
}
