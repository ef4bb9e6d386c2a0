// The shape of a parsed SASS listing (cuobjdump -sass or nvdisasm text). Plain JSON: the CLI
// prints it, the webview receives it, the tests compare it. Pure types.

/** Where an instruction came from, per the line table the compiler wrote (-lineinfo). */
export interface SassSourceRef {
  /** Path as the compiler recorded it (absolute on the machine that compiled). */
  file: string;
  line: number;
  /** The call sites this code was inlined into, innermost first (nvdisasm -gi). */
  inlinedAt?: { file: string; line: number }[];
}

export interface SassInstruction {
  /** Byte offset of the instruction inside its function. */
  offset: number;
  /** The instruction as printed, without the trailing ';' (predicate included). */
  text: string;
  /** Guard predicate as printed ('@P0', '@!UP1'); absent when unconditional. */
  predicate?: string;
  /** Opcode without modifiers ('QGMMA'). */
  opcode: string;
  /** Dot-separated modifiers after the opcode (['64x128x32', 'F32', 'E4M3', 'E4M3']). */
  modifiers: string[];
  /** Operands as printed, split at top-level commas. */
  operands: string[];
  /** The 128-bit encoding as two 64-bit words (hex, 16 digits), low word first, when printed. */
  encoding?: { lo: string; hi: string };
  /** Source line (needs -lineinfo and nvdisasm -g/-gi). */
  source?: SassSourceRef;
  /** Labels that name this address (nvdisasm's .L_x_N). */
  labels?: string[];
  /** Offset a direct branch jumps to, when the target could be resolved. */
  branchTarget?: number;
}

export interface SassFunction {
  name: string;
  instructions: SassInstruction[];
}

export type SassTool = 'cuobjdump' | 'nvdisasm';

export interface SassListing {
  /** Which tool's text format was read. */
  format: SassTool;
  /** Architecture named in the text ('sm_90a'), when it says. */
  arch?: string;
  functions: SassFunction[];
  /** True when at least one instruction carries a source line. */
  hasLineInfo: boolean;
  /** True when the raw encodings were printed (control bits can be decoded). */
  hasEncodings: boolean;
}
