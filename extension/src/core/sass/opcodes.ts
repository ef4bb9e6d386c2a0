// What each Hopper SASS opcode does, in a sentence, for hovers in the SASS view. NVIDIA's "CUDA
// Binary Utilities" instruction set reference lists the Hopper opcodes with a short meaning each;
// the one-line meanings here are written after it (paraphrased, not copied), and the notes about
// how our GEMM kernels use an opcode are ours and say so ("in these kernels").

export interface OpcodeDoc {
  /** The opcode's meaning, after NVIDIA's instruction set reference (Hopper). */
  summary: string;
  /** How the GEMM kernels here use it, when that helps reading the listing. */
  note?: string;
}

export const OPCODE_DOCS_SOURCE =
  "paraphrased from NVIDIA's CUDA Binary Utilities instruction set reference (Hopper); notes 'in these kernels' are ours";

const D: Record<string, OpcodeDoc> = {
  HGMMA: {
    summary: 'Matrix multiply and accumulate across a warpgroup (FP16/BF16 operands)',
    note: 'wgmma.mma_async with 16-bit inputs; the shape modifier is MxNxK of one instruction',
  },
  QGMMA: {
    summary: 'Matrix multiply and accumulate across a warpgroup (FP8 operands)',
    note: 'in these kernels: wgmma.mma_async.m64nNk32.f32.e4m3.e4m3, A and B read from shared memory through descriptors (gdesc)',
  },
  IGMMA: { summary: 'Integer matrix multiply and accumulate across a warpgroup' },
  BGMMA: { summary: 'Bit matrix multiply and accumulate across a warpgroup' },
  HMMA: { summary: 'Matrix multiply and accumulate (warp level, FP16/BF16/TF32)' },
  IMMA: { summary: 'Integer matrix multiply and accumulate (warp level)' },
  DMMA: { summary: 'FP64 matrix multiply and accumulate (warp level)' },
  WARPGROUP: {
    summary: 'Warpgroup synchronisation: ARRIVE fences registers before wgmma, DEPBAR waits for committed wgmma groups',
    note: 'wgmma.fence / wgmma.wait_group; gsb0 is the wgmma group scoreboard',
  },
  WARPSYNC: { summary: 'Synchronise the threads of a warp named by a mask' },
  FFMA: {
    summary: 'FP32 fused multiply and add',
    note: 'in these kernels: the promotion of each K block, accumulator += wgmma partial × (scale A × scale B)',
  },
  FADD: { summary: 'FP32 add' },
  FMUL: { summary: 'FP32 multiply', note: 'in these kernels: scale A × scale B per K block' },
  FMNMX: { summary: 'FP32 minimum / maximum' },
  FSEL: { summary: 'Select between two FP32 values by a predicate' },
  FSETP: { summary: 'Compare FP32 values and set a predicate' },
  FCHK: { summary: 'Check the range of an FP32 division' },
  MUFU: { summary: 'Multi-function unit: reciprocal, square root, exp2, log2, sine, cosine' },
  F2F: { summary: 'Convert between floating-point formats' },
  F2FP: {
    summary: 'Convert and pack two FP32 values into a packed 16-bit or 8-bit pair',
    note: 'in these kernels: the BF16 output of the epilogue',
  },
  I2F: { summary: 'Convert an integer to floating point' },
  F2I: { summary: 'Convert floating point to an integer' },
  I2FP: { summary: 'Convert an integer to FP32 (fast path)' },
  F2IP: { summary: 'Convert and pack FP32 to 8-bit integers' },
  IMAD: { summary: 'Integer multiply and add (also used for moves, shifts and adds: IMAD.MOV, IMAD.SHL, IMAD.IADD)' },
  IADD3: { summary: 'Add three integers' },
  VIADD: { summary: 'Integer add (vector unit)' },
  LEA: { summary: 'Load effective address: shift and add' },
  LOP3: { summary: 'Any logic function of three inputs (truth table in the last operand)' },
  SHF: { summary: 'Funnel shift' },
  ISETP: { summary: 'Compare integers and set a predicate' },
  IMNMX: { summary: 'Integer minimum / maximum' },
  VIMNMX: { summary: 'Integer minimum / maximum (vector unit)' },
  SEL: { summary: 'Select between two values by a predicate' },
  PRMT: { summary: 'Permute bytes of two registers' },
  PLOP3: { summary: 'Any logic function of three predicates' },
  POPC: { summary: 'Population count' },
  FLO: { summary: 'Find the leading one' },
  BMSK: { summary: 'Build a bit mask' },
  SGXT: { summary: 'Sign-extend a bit field' },
  IABS: { summary: 'Integer absolute value' },
  MOV: { summary: 'Move a register, constant or immediate' },
  S2R: { summary: 'Read a special register (thread index, lane id, clock, …)' },
  S2UR: { summary: 'Read a special register into a uniform register' },
  CS2R: { summary: 'Read a special register into a register pair (fast path; also zeroes registers)' },
  R2UR: { summary: 'Move a register into a uniform register' },
  SHFL: { summary: 'Exchange registers between the lanes of a warp' },
  VOTE: { summary: 'Vote across the lanes of a warp' },
  VOTEU: { summary: 'Vote across the lanes of a warp into a uniform register or predicate' },
  ELECT: {
    summary: 'Elect one active lane of the warp (elect.sync)',
    note: 'in these kernels: one thread issues TMA and mbarrier work',
  },
  LDS: { summary: 'Load from shared memory' },
  STS: { summary: 'Store to shared memory' },
  LDSM: { summary: 'Load a matrix from shared memory (ldmatrix)' },
  STSM: {
    summary: 'Store a matrix to shared memory (stmatrix)',
    note: 'in these kernels: the epilogue writes the output tile for the TMA store',
  },
  ATOMS: { summary: 'Atomic operation on shared memory' },
  LDG: { summary: 'Load from global memory' },
  LDGSTS: {
    summary: 'Asynchronous copy from global to shared memory (cp.async)',
    note: 'in these kernels: loads of the B scales',
  },
  LDGDEPBAR: {
    summary: 'Commit the outstanding LDGSTS copies as a group (cp.async.commit_group); DEPBAR waits on the groups',
  },
  STG: { summary: 'Store to global memory' },
  LD: { summary: 'Load from a generic address' },
  ST: { summary: 'Store to a generic address' },
  RED: { summary: 'Reduction to global memory (atomic without a result)' },
  REDG: { summary: 'Reduction to global memory' },
  ATOMG: { summary: 'Atomic operation on global memory' },
  LDC: { summary: 'Load from constant memory (kernel parameters live there)' },
  ULDC: { summary: 'Load from constant memory into a uniform register' },
  LDL: { summary: 'Load from local memory (a register spill being read back, or a stack variable)' },
  STL: { summary: 'Store to local memory (a register spill or a stack variable)' },
  UTMALDG: {
    summary: 'Tensor memory access: load a tile from global to shared memory (TMA, cp.async.bulk.tensor)',
    note: 'in these kernels: the producer warp loads A, B and the A scales; completion is counted on an mbarrier',
  },
  UTMASTG: {
    summary: 'Tensor memory access: store a tile from shared to global memory (TMA)',
    note: 'in these kernels: the epilogue stores the output tile',
  },
  UTMAPF: { summary: 'Tensor memory access: prefetch a tile into L2' },
  UTMACCTL: { summary: 'Tensor memory access: descriptor cache control (e.g. prefetch a tensor map)' },
  UTMACMDFLUSH: { summary: 'Tensor memory access: flush issued commands (commit a bulk group)' },
  UTMAREDG: { summary: 'Tensor memory access: reduce a tile from shared into global memory' },
  UBLKCP: { summary: 'Bulk copy between global and shared memory (non-tensor cp.async.bulk)' },
  SYNCS: {
    summary: 'Synchronisation unit: mbarrier operations (arrive, expect-tx, phase check / try-wait)',
    note: 'in these kernels: full_barriers / empty_barriers of the TMA pipeline; PHASECHK.TRANS64.TRYWAIT is the consumer wait',
  },
  BAR: { summary: 'Barrier synchronisation of the CTA or of a named barrier (bar.sync / bar.arrive)' },
  MEMBAR: { summary: 'Memory barrier' },
  FENCE: { summary: 'Memory fence (e.g. fence.proxy.async between generic and async proxies)' },
  DEPBAR: { summary: 'Wait for a dependency scoreboard to drop to a count' },
  ERRBAR: { summary: 'Error barrier' },
  CGAERRBAR: { summary: 'Cluster (CGA) error barrier' },
  UCGABAR_ARV: { summary: 'Arrive at the cluster barrier (barrier.cluster.arrive)' },
  UCGABAR_WAIT: { summary: 'Wait at the cluster barrier (barrier.cluster.wait)' },
  ACQBULK: { summary: 'Wait for bulk (TMA) operations to finish reading shared memory' },
  ARRIVES: { summary: 'Arrive on an mbarrier when earlier asynchronous copies complete' },
  NANOSLEEP: { summary: 'Suspend the thread for about the given number of nanoseconds' },
  CCTL: { summary: 'Cache control' },
  USETMAXREG: {
    summary: 'Change the registers per thread of this warpgroup (setmaxnreg)',
    note: 'in these kernels: the producer gives registers back (DEALLOC), the math warpgroups take them (TRYALLOC)',
  },
  BRA: { summary: 'Relative branch' },
  BRX: { summary: 'Relative branch to an address in a register' },
  JMP: { summary: 'Absolute jump' },
  CALL: { summary: 'Call a function' },
  RET: { summary: 'Return from a call' },
  EXIT: { summary: 'End the thread' },
  PREEXIT: {
    summary: 'Signal early that dependent grids may launch (griddepcontrol.launch_dependents)',
    note: 'in these kernels: programmatic dependent launch (PDL)',
  },
  BPT: { summary: 'Breakpoint or trap (BPT.TRAP ends the kernel with an error)' },
  BSSY: { summary: 'Set up a convergence barrier (where divergent threads will meet again)' },
  BSYNC: { summary: 'Wait at a convergence barrier until the threads of the warp reconverge' },
  BREAK: { summary: 'Leave a convergence barrier' },
  BMOV: { summary: 'Move a convergence barrier state' },
  YIELD: { summary: 'Give the scheduler a chance to run another warp' },
  NOP: { summary: 'No operation (padding)' },
  HADD2: { summary: 'Add two FP16 pairs' },
  HFMA2: { summary: 'Fused multiply and add of FP16 pairs (HFMA2.MMA is also used as a move)' },
  UMOV: { summary: 'Move into a uniform register' },
  UIADD3: { summary: 'Add three uniform integers' },
  UIMAD: { summary: 'Uniform integer multiply and add' },
  ULEA: { summary: 'Uniform load effective address' },
  ULOP3: { summary: 'Any logic function of three uniform inputs' },
  USHF: { summary: 'Uniform funnel shift' },
  UISETP: { summary: 'Compare uniform integers and set a uniform predicate' },
  USEL: { summary: 'Select between uniform values' },
  UPRMT: { summary: 'Permute bytes of uniform registers' },
  UPLOP3: { summary: 'Any logic function of three uniform predicates' },
  R2P: { summary: 'Move a register into predicates' },
  P2R: { summary: 'Move predicates into a register' },
  CS2UR: { summary: 'Read a special register into a uniform register pair' },
  LEPC: { summary: 'Load the effective program counter' },
};

export function opcodeDoc(opcode: string): OpcodeDoc | undefined {
  return D[opcode];
}

/** The opcodes documented here (for tests: every opcode in our fixtures has a line). */
export const DOCUMENTED_OPCODES: readonly string[] = Object.keys(D);
