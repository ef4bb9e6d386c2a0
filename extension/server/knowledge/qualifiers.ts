// Qualifiers that mean the same thing on many PTX instructions. Instruction-specific meanings live
// on the instruction's entry and win over these.

export const commonQualifiers: Record<string, string> = {
  '.sync': "the warp's threads synchronise at the instruction before it executes",
  '.aligned':
    'every thread of the warp (warpgroup for wgmma/setmaxnreg) must execute this same instruction: no divergence around it',
  '.shared': 'shared memory of this CTA',
  '.shared::cta': 'shared memory of this CTA (a 32-bit shared address)',
  '.shared::cluster': "shared memory anywhere in the cluster (distributed shared memory; this CTA's own included)",
  '.global': 'global (device) memory',
  '.param': 'kernel parameter space',
  '.const': 'constant memory',
  '.local': 'per-thread local memory (where spills go)',
  '.cta': 'scope: the threads of this CTA',
  '.cluster': 'scope: the threads of this cluster',
  '.gpu': 'scope: all threads of the GPU',
  '.sys': 'scope: the whole system (GPU and host)',
  '.acquire': 'acquire semantics: later accesses cannot move before it',
  '.release': 'release semantics: earlier accesses cannot move after it',
  '.relaxed': 'no ordering with other memory accesses',
  '.pred': 'a 1-bit predicate',
  '.b8': '8-bit untyped',
  '.b16': '16-bit untyped',
  '.b32': '32-bit untyped',
  '.b64': '64-bit untyped',
  '.b128': '128-bit untyped',
  '.u8': 'unsigned 8-bit',
  '.u16': 'unsigned 16-bit',
  '.u32': 'unsigned 32-bit integer',
  '.u64': 'unsigned 64-bit integer',
  '.s8': 'signed 8-bit',
  '.s16': 'signed 16-bit',
  '.s32': 'signed 32-bit integer',
  '.s64': 'signed 64-bit integer',
  '.f16': 'IEEE half precision',
  '.f16x2': 'two packed halves',
  '.bf16': 'bfloat16 (8-bit exponent, 7-bit mantissa)',
  '.bf16x2': 'two packed bfloat16',
  '.tf32': 'TensorFloat-32',
  '.f32': 'FP32',
  '.f64': 'FP64',
  '.e4m3': 'FP8 E4M3: 4 exponent bits, 3 mantissa bits, largest finite value 448, no infinities',
  '.e5m2': 'FP8 E5M2: 5 exponent bits, 2 mantissa bits (wider range, less precision)',
  '.v2': 'vector of 2',
  '.v4': 'vector of 4',
  '.lo': 'low half of the result',
  '.hi': 'high half of the result',
  '.wide': 'full double-width result',
  '.rn': 'round to nearest even',
  '.rz': 'round towards zero',
  '.uni': 'non-divergent',
  '.eq': 'equal',
  '.ne': 'not equal',
  '.lt': 'less than',
  '.le': 'less or equal',
  '.gt': 'greater than',
  '.ge': 'greater or equal',
  '.ftz': 'flush subnormal inputs and results to zero',
  '.sat': "saturate to the type's range",
  '.L2::cache_hint': 'an extra 64-bit operand carries an L2 eviction policy (createpolicy)',
  '.L2::evict_first': 'L2: evict these lines first',
  '.L2::evict_last': 'L2: keep these lines longest',
  '.L2::evict_normal': 'L2: normal eviction priority',
  '.L2::256B': 'L2: prefetch a 256-byte sector group',
  '.L1::no_allocate': 'do not allocate the line in L1',
  '.L2': 'the L2 cache',
  '.tile': 'tiled mode: the box is a dense sub-tile of the tensor',
  '.im2col': 'im2col mode (convolutions)',
  '.bulk_group': 'completion tracked by bulk async-groups (cp.async.bulk.commit_group / wait_group)',
  '.inc': 'increase',
  '.dec': 'decrease',
  '.all': 'true when the predicate is true in all lanes',
  '.any': 'true when it is true in any lane',
  '.ballot': 'one bit per lane',
  '.idx': 'read from the given lane',
  '.up': 'read from a lower lane',
  '.down': 'read from a higher lane',
  '.bfly': 'read from lane ^ offset',
  '.add': 'add',
  '.min': 'minimum',
  '.max': 'maximum',
  '.exch': 'exchange',
  '.cas': 'compare and swap',
};

/** A qualifier decoded from its spelling when no table names it (shapes, dimensions, counts). */
export function decodePatternQualifier(q: string): string | null {
  const shape = /^\.m(\d+)n(\d+)k(\d+)$/.exec(q);
  if (shape)
    return `shape: M=${shape[1]}, N=${shape[2]}, K=${shape[3]} (D is ${shape[1]}×${shape[2]}, A is ${shape[1]}×${shape[3]}, B is ${shape[3]}×${shape[2]})`;
  const mat = /^\.m(\d+)n(\d+)$/.exec(q);
  if (mat) return `matrix shape ${mat[1]}×${mat[2]}`;
  const dims = /^\.([1-5])d$/.exec(q);
  if (dims) return `${dims[1]}-dimensional tensor (${dims[1]} coordinates, innermost first)`;
  const x = /^\.x(\d+)$/.exec(q);
  if (x) return `${x[1]} matrices at once`;
  return null;
}
