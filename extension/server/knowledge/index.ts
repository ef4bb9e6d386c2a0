// The default knowledge base the server hovers from.
import { concepts } from './concepts';
import { mqaConcepts } from './mqaConcepts';
import { ptxEntries } from './ptx';
import { commonQualifiers } from './qualifiers';
import { specialRegisters } from './specialRegisters';
import { templateParams } from './templateParams';
import type { KnowledgeBase } from './types';

export const defaultKnowledge: KnowledgeBase = {
  ptx: ptxEntries,
  commonQualifiers,
  specialRegisters,
  concepts: [...concepts, ...mqaConcepts],
  templateParams,
};

export type { KnowledgeBase } from './types';
