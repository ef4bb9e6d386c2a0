// Shapes of the knowledge base the hovers explain from. The base itself is data (ptx.ts, concepts.ts,
// ...): our own text, for a reader who knows CUDA but not Hopper.

/** Base of every PTX ISA link; an entry's anchor is appended after '#'. */
export const PTX_DOC_BASE = 'https://docs.nvidia.com/cuda/parallel-thread-execution/';

export interface PtxOperand {
  /** Name as the PTX ISA writes it in the syntax line ("d", "a-desc", "[dstMem]"). */
  name: string;
  meaning: string;
}

export interface PtxEntry {
  /**
   * The mnemonic this entry explains, dot-separated as written in PTX ("wgmma.mma_async",
   * "mbarrier.try_wait", "bar"). An instruction matches the entry whose mnemonic parts are the
   * longest prefix of its own parts; the remaining parts are its qualifiers.
   */
  mnemonic: string;
  /** Other spellings that mean the same instruction ("barrier" for "bar"). */
  aliases?: string[];
  /** One line: what it is. */
  title: string;
  /** Plain words: what it does and why a GEMM kernel uses it. */
  summary: string;
  /** Operands in order, as the ISA's syntax line lists them. */
  operands?: PtxOperand[];
  /** Meanings of qualifiers specific to this instruction, keyed with their dot (".parity"). */
  qualifiers?: Record<string, string>;
  /** Roles of the type qualifiers in the order written (wgmma: D, A, B). */
  typeRoles?: string[];
  /** Minimum PTX ISA version and target, e.g. "8.0" / "sm_90a". */
  ptx: string;
  target: string;
  /** PTX ISA 9.1 section number and anchor under PTX_DOC_BASE. */
  section: string;
  anchor: string;
  /** Extra notes: pitfalls, how the pieces fit. */
  notes?: string[];
  /** What our kernels use this instruction (or a form of it) for, one line each, naming the kernel. */
  uses?: string[];
  /**
   * The written operands follow the ISA's `operands` list position by position (a form may stop
   * early, as FP8 wgmma stops before imm-trans-a), so each written one can be named by its role.
   */
  positionalOperands?: boolean;
}

export interface SpecialRegisterEntry {
  /** Without '%' ("cluster_ctarank"); vector forms take ".x/.y/.z". */
  name: string;
  title: string;
  summary: string;
  ptx: string;
  target: string;
  section: string;
  anchor: string;
}

/**
 * Which kernel a piece of source belongs to (hover/kernelFamily.ts decides from the enclosing kernel
 * struct, or from the one kernel family a file defines). The same name can mean different things in
 * different kernels (BLOCK_K is 128 for FP8 and 64 for BF16; the MQA kernels' kNumMathWarpgroups sets
 * BLOCK_KV), so entries may say where they apply.
 */
export type KernelFamily = 'fp8' | 'bf16' | 'mqa' | 'paged-mqa';

/** A CUDA or Hopper concept met in C++ outside asm strings. */
export interface ConceptEntry {
  id: string;
  /** Kernels this entry is about; absent = any (and the fallback where no family entry fits). */
  families?: KernelFamily[];
  /** Exact identifiers that name it. */
  identifiers?: string[];
  /** Regular expressions (source text, anchored by the matcher) over an identifier. */
  patterns?: string[];
  title: string;
  body: string;
  /** Where to read more (full URLs). */
  links?: Array<{ label: string; url: string }>;
}

/** Which GemmConfig field a kernel template parameter carries. */
export type ConfigField =
  | 'blockM'
  | 'blockN'
  | 'blockK'
  | 'numStages'
  | 'numMathWarpgroups'
  | 'numMathThreads'
  | 'numThreads'
  | 'clusterM'
  | 'clusterN'
  | 'swizzleA'
  | 'swizzleB'
  | 'swizzleD'
  | 'numSms';

export interface TemplateParamEntry {
  /** The GemmConfig field it carries (the last run's values are shown); absent for MQA parameters. */
  field?: ConfigField;
  /** Kernels this entry is about; absent = any (and the fallback where no family entry fits). */
  families?: KernelFamily[];
  /** Identifiers (exact) that carry this field in the kernels. */
  identifiers: string[];
  title: string;
  /** What the value decides and what it costs. */
  body: string;
}

/** A legality rule, as a kernel's static_assert names it ("rule kgrouped-output: ..."). */
export interface RuleEntry {
  /** The code after "rule " in the static_assert message, the same code the TypeScript mirror rejects with. */
  id: string;
  families?: KernelFamily[];
  title: string;
  /** Why the kernel needs it. */
  body: string;
  /**
   * The TypeScript module(s) that reject configs breaking the rule with the same code: repository
   * paths in a short phrase, per kernel family where a shared rule is mirrored in different places.
   */
  mirror?: string | Partial<Record<KernelFamily, string>>;
  /** Where no TypeScript code rejects with it: why no run can break the rule (it guards kernel edits). */
  unmirrored?: string;
}

export interface KnowledgeBase {
  ptx: PtxEntry[];
  /** Meanings of qualifiers shared by many instructions (".sync", ".shared::cta", ".b64"). */
  commonQualifiers: Record<string, string>;
  specialRegisters: SpecialRegisterEntry[];
  concepts: ConceptEntry[];
  templateParams: TemplateParamEntry[];
  rules: RuleEntry[];
}
