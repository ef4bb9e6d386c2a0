// Looks PTX opcodes and qualifiers up in the knowledge base.
import { decodePatternQualifier } from '../knowledge/qualifiers';
import type { KnowledgeBase, PtxEntry, SpecialRegisterEntry } from '../knowledge/types';

export interface PtxMatch {
  entry: PtxEntry;
  /** The mnemonic spelling that matched (an alias or the mnemonic). */
  mnemonic: string;
  /** Qualifiers after the mnemonic, each with its leading dot, in the order written. */
  qualifiers: string[];
}

/** The entry whose mnemonic is the longest dot-part prefix of the opcode, or null. */
export function lookupPtx(opcode: string, kb: KnowledgeBase): PtxMatch | null {
  const parts = opcode.split('.');
  let best: PtxMatch | null = null;
  let bestLen = 0;
  for (const entry of kb.ptx) {
    for (const m of [entry.mnemonic, ...(entry.aliases ?? [])]) {
      const mp = m.split('.');
      if (mp.length <= bestLen || mp.length > parts.length) continue;
      if (mp.every((p, k) => p === parts[k])) {
        best = { entry, mnemonic: m, qualifiers: parts.slice(mp.length).map((q) => '.' + q) };
        bestLen = mp.length;
      }
    }
  }
  return best;
}

const TYPE_QUALIFIER = /^\.(b|u|s|f)(8|16|32|64|128)$|^\.(bf16|bf16x2|f16x2|tf32|e4m3|e5m2|e4m3x2|e5m2x2|pred)$/;

export interface DecodedQualifier {
  qualifier: string;
  meaning: string | null;
  /** The operand this type qualifier describes (wgmma: D, A, B), when the entry says. */
  role?: string;
}

/** Each qualifier with its meaning: the entry's own table, then the common one, then its spelling. */
export function decodeQualifiers(match: PtxMatch, kb: KnowledgeBase): DecodedQualifier[] {
  let typeIndex = 0;
  return match.qualifiers.map((q) => {
    const meaning = match.entry.qualifiers?.[q] ?? kb.commonQualifiers[q] ?? decodePatternQualifier(q);
    let role: string | undefined;
    if (match.entry.typeRoles && TYPE_QUALIFIER.test(q)) role = match.entry.typeRoles[typeIndex++];
    return { qualifier: q, meaning, role };
  });
}

export function lookupSpecialRegister(name: string, kb: KnowledgeBase): SpecialRegisterEntry | null {
  const bare = name.replace(/^%+/, '').replace(/\.[xyz]$/, '');
  const exact = kb.specialRegisters.find((r) => r.name === bare);
  if (exact) return exact;
  // %globaltimer_lo / _hi and %clock_hi read halves of a listed register.
  const half = /^(.*)_(lo|hi)$/.exec(bare);
  return half ? (kb.specialRegisters.find((r) => r.name === half[1]) ?? null) : null;
}

/**
 * A C++ wrapper named after its instruction (`mbarrier_try_wait_parity`, `cp_async_bulk_tensor_2d_load`):
 * the Hopper-specific entry whose mnemonic, with dots as underscores, starts the identifier.
 * General instructions (mov, add, ...) are not matched: `add_one` is not a wrapper of `add`.
 */
export function lookupWrapper(
  identifier: string,
  kb: KnowledgeBase,
  generalMnemonics: ReadonlySet<string>,
): PtxMatch | null {
  const id = identifier.toLowerCase();
  let best: PtxMatch | null = null;
  let bestLen = 0;
  for (const entry of kb.ptx) {
    if (generalMnemonics.has(entry.mnemonic)) continue;
    const flat = entry.mnemonic.replace(/::/g, '_').replace(/\./g, '_').toLowerCase();
    if (!(id === flat || id.startsWith(flat + '_')) || flat.length <= bestLen) continue;
    // A one-word mnemonic (prefetch, setmaxnreg, elect) must be followed by one of its qualifiers
    // (prefetch_tensormap, setmaxnreg_dec): prefetch_sfb is not a wrapper of prefetch.
    const next = id.slice(flat.length + 1).split('_')[0];
    const oneWord = !entry.mnemonic.includes('.');
    const knownNext =
      !next || entry.qualifiers?.['.' + next] !== undefined || kb.commonQualifiers['.' + next] !== undefined;
    if (!oneWord || knownNext) {
      best = { entry, mnemonic: entry.mnemonic, qualifiers: [] };
      bestLen = flat.length;
    }
  }
  return best;
}
