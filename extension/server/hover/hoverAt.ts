// The hover: document text + position + knowledge base + live facts -> Markdown (or null).
// Pure: no VS Code, no language-server types, no I/O.
import type { KernelFacts } from '../../protocol/languageServer';
import type { ConceptEntry, KernelFamily, KnowledgeBase } from '../knowledge/types';
import { asmAt, findAsmStatements } from './asmStatements';
import { lexCpp, tokenAt, type Token } from './cppLexer';
import { compilesFor, kernelMarkdown, templateParamMarkdown } from './factsHover';
import { findKernelDefinitions } from './kernelDefinitions';
import { forFamily, kernelFamilyAt } from './kernelFamily';
import { ruleAt, ruleMarkdown } from './ruleHover';
import { code, ptxLink, targetText } from './markdown';
import { asmHover, specialRegisterMarkdown, usesLines } from './ptxHover';
import { lookupWrapper } from './ptxLookup';

export interface Position {
  line: number;
  /** UTF-16 code units, as LSP and JavaScript strings count them. */
  character: number;
}

export interface HoverResult {
  markdown: string;
  /** Document offsets of the hovered token. */
  start: number;
  end: number;
}

export function positionToOffset(text: string, pos: Position): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const max = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + pos.character, max);
}

export function offsetToPosition(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, character: offset - lineStart };
}

/** Markdown for the hover at `position`, or null when nothing known is there. */
export function hoverAt(
  text: string,
  position: Position,
  knowledge: KnowledgeBase,
  facts: KernelFacts | undefined,
): string | null {
  return hoverDetailsAt(text, position, knowledge, facts)?.markdown ?? null;
}

/**
 * Documents longer than this get no hover (nor lenses): lexing is linear in the file, and a
 * generated or pasted file of tens of MB would cost seconds and hundreds of MB per hover. The
 * largest kernel header is a few tens of KB.
 */
export const MAX_ANALYSED_CHARS = 2_000_000;

export function hoverDetailsAt(
  text: string,
  position: Position,
  knowledge: KnowledgeBase,
  facts: KernelFacts | undefined,
): HoverResult | null {
  if (text.length > MAX_ANALYSED_CHARS) return null;
  const offset = positionToOffset(text, position);
  const tokens = lexCpp(text);
  const index = tokenAt(tokens, offset);
  if (index < 0) return null;
  const token = tokens[index];
  if (token.kind === 'comment' || token.kind === 'number' || token.kind === 'char' || token.kind === 'punct')
    return null;
  if (token.kind === 'string') {
    const hit = asmAt(findAsmStatements(text, tokens), offset);
    if (!hit) {
      // A legality rule named in a static_assert message ("rule kgrouped-output: ...").
      const rule = ruleAt(tokens, index, knowledge, () => kernelFamilyAt(tokens, offset));
      return rule ? { markdown: ruleMarkdown(rule.entry, rule.family), start: token.start, end: token.end } : null;
    }
    const h = asmHover(hit.statement, hit.ptxIndex, knowledge);
    if (!h) return null;
    const map = hit.statement.ptxOffsets;
    return { markdown: h.markdown, start: map[h.start] ?? token.start, end: (map[h.end - 1] ?? token.end - 1) + 1 };
  }
  const markdown = identifierHover(token, tokens, knowledge, facts, kernelFamilyAt(tokens, offset));
  return markdown ? { markdown, start: token.start, end: token.end } : null;
}

/** Special registers whose bare name is specific enough to identify a C++ wrapper. */
const SPECIFIC_REGISTERS = new Set([
  'smid',
  'nsmid',
  'globaltimer',
  'clock64',
  'clusterid',
  'nclusterid',
  'laneid',
  'warpid',
]);

const GENERAL_MNEMONICS_CACHE = new WeakMap<KnowledgeBase, Set<string>>();

/** Mnemonics of plain PTX (mov, add, ld, ...) that must not be taken for wrapper names. */
function generalMnemonics(kb: KnowledgeBase): Set<string> {
  let s = GENERAL_MNEMONICS_CACHE.get(kb);
  if (!s) {
    s = new Set(
      kb.ptx
        .filter(
          (e) =>
            e.target === 'all' ||
            e.mnemonic === 'bar' ||
            e.mnemonic === 'fence' ||
            e.mnemonic === 'cp.async' ||
            [
              'nanosleep',
              'lop3',
              'shfl.sync',
              'vote.sync',
              'redux.sync',
              'activemask',
              'ldmatrix',
              'cvta',
              'prmt',
            ].includes(e.mnemonic),
        )
        .map((e) => e.mnemonic),
    );
    GENERAL_MNEMONICS_CACHE.set(kb, s);
  }
  return s;
}

function identifierHover(
  token: Token,
  tokens: Token[],
  kb: KnowledgeBase,
  facts: KernelFacts | undefined,
  family: KernelFamily | undefined,
): string | null {
  const id = token.text;
  // 1. Kernel template parameters (as the kernel under the cursor uses them): the last run's values
  //    of that kernel family and what they cost.
  const param = forFamily(
    kb.templateParams.filter((p) => p.identifiers.includes(id)),
    family,
  );
  if (param) return templateParamMarkdown(id, param, factsOfFamily(facts, family));
  // 2. Kernels: registers, spills, stack, shared memory of each instantiation.
  const compiles = compilesFor(id, facts);
  const defined = findKernelDefinitions(tokens, new Set([id])).find((d) => d.name === id);
  if (compiles.length || defined?.global) return kernelMarkdown(id, compiles, defined?.global ?? false);
  // 3. Concepts named exactly.
  const exact = forFamily(
    kb.concepts.filter((c) => c.identifiers?.includes(id)),
    family,
  );
  if (exact) return conceptMarkdown(id, exact);
  // 4. Wrappers named after their PTX instruction.
  const wrapper = lookupWrapper(id, kb, generalMnemonics(kb));
  if (wrapper) {
    const e = wrapper.entry;
    return [
      `**${code(id)}** — C++ wrapper of PTX ${code(e.mnemonic)}: ${e.title}`,
      '',
      e.summary,
      ...usesLines(e),
      '',
      `PTX ISA ${e.ptx}+ · target ${targetText(e.target)} · ${/^[0-9]/.test(e.section) ? '§' + e.section : e.section} · ${ptxLink('PTX ISA reference', e.anchor)}`,
    ].join('\n');
  }
  // 4b. Wrappers reading a special register (cluster_ctarank(), read_globaltimer(), smid()).
  const bare = id.replace(/^(get_|read_)/, '');
  const reg = kb.specialRegisters.find(
    (r) => r.name === bare && (r.name.includes('_') || SPECIFIC_REGISTERS.has(r.name)),
  );
  if (reg)
    return specialRegisterMarkdown(reg, `%${reg.name}`).replace(
      /\(special register\)/,
      `(special register, read by ${code(id)})`,
    );
  // 5. Concepts by pattern (swizzle*, *warpgroup*, promot*, ...).
  const byPattern = forFamily(
    kb.concepts.filter((c) => c.patterns?.some((p) => new RegExp(`^(?:${p})$`).test(id))),
    family,
  );
  if (byPattern) return conceptMarkdown(id, byPattern);
  return null;
}

/** BF16 runs in a BF16 kernel, FP8 runs in an FP8 one (the MQA parameters show no runs). */
function factsOfFamily(facts: KernelFacts | undefined, family: KernelFamily | undefined): KernelFacts | undefined {
  if (!facts || (family !== 'fp8' && family !== 'bf16')) return facts;
  const bf16 = family === 'bf16';
  return { ...facts, configs: facts.configs.filter((r) => r.problem.kind.startsWith('bf16') === bf16) };
}

function conceptMarkdown(id: string, c: ConceptEntry): string {
  const lines = [`**${code(id)}** — ${c.title}`, '', c.body];
  if (c.links?.length) {
    lines.push('');
    lines.push(c.links.map((l) => `[${l.label}](${l.url})`).join(' · '));
  }
  return lines.join('\n');
}
