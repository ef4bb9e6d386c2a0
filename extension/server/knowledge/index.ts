// The default knowledge base the server hovers from.
import { bf16Concepts } from './bf16Concepts';
import { concepts } from './concepts';
import { gemmConcepts } from './gemmConcepts';
import { mqaConcepts } from './mqaConcepts';
import { ptxEntries } from './ptx';
import { ptxUses } from './ptxUses';
import { commonQualifiers } from './qualifiers';
import { rules } from './rules';
import { specialRegisters } from './specialRegisters';
import { templateParams } from './templateParams';
import type { KnowledgeBase } from './types';

export const defaultKnowledge: KnowledgeBase = {
  ptx: ptxEntries.map((e) => (ptxUses[e.mnemonic] ? { ...e, uses: ptxUses[e.mnemonic] } : e)),
  commonQualifiers,
  specialRegisters,
  concepts: [...bf16Concepts, ...mqaConcepts, ...gemmConcepts, ...concepts],
  templateParams,
  rules,
};

export type { KnowledgeBase } from './types';
