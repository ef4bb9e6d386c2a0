// Hover over a legality rule named in a static_assert message: `static_assert(..., "rule
// kgrouped-output: ...")`. The message says what the rule demands; the hover adds why the kernel
// needs it and where the TypeScript heuristics mirror it. Pure.
import type { KernelFamily, KnowledgeBase, RuleEntry } from '../knowledge/types';
import type { Token } from './cppLexer';
import { forFamily } from './kernelFamily';
import { code } from './markdown';

const RULE = /^"rule ([a-z0-9-]+):/;

const FAMILY_NAMES: Record<KernelFamily, string> = {
  fp8: 'the FP8 GEMM kernels',
  bf16: 'the BF16 GEMM kernel',
  mqa: 'the FP8 MQA-logits kernel',
  'paged-mqa': 'the paged FP8 MQA-logits kernel',
};

/** The rule named by the string token at `index`, when that string is a static_assert message. */
export function ruleAt(
  tokens: Token[],
  index: number,
  kb: KnowledgeBase,
  family: () => KernelFamily | undefined,
): { entry: RuleEntry; family: KernelFamily | undefined } | null {
  const m = RULE.exec(tokens[index].text);
  if (!m || !insideStaticAssert(tokens, index)) return null;
  const f = family();
  const entry = forFamily(
    kb.rules.filter((r) => r.id === m[1]),
    f,
  );
  return entry ? { entry, family: f } : null;
}

/** The mirror phrase for the kernel at hand (a shared rule is mirrored per family). */
export function ruleMirror(rule: RuleEntry, family: KernelFamily | undefined): string | undefined {
  if (typeof rule.mirror !== 'object') return rule.mirror;
  return (family && rule.mirror[family]) || Object.values(rule.mirror)[0];
}

/** Repository paths named in a mirror phrase. */
export function mirrorPaths(phrase: string): string[] {
  return phrase.match(/extension\/[\w./-]+\.ts/g) ?? [];
}

export function ruleMarkdown(rule: RuleEntry, family: KernelFamily | undefined): string {
  const where = family ? ` of ${FAMILY_NAMES[family]}` : '';
  const mirror = ruleMirror(rule, family);
  return [
    `**rule ${code(rule.id)}**${where} — ${rule.title}`,
    '',
    rule.body,
    '',
    mirror
      ? `Checked twice: by this static_assert when the kernel compiles, and by ${mirror.replace(/extension\/[\w./-]+\.ts/g, (p) => code(p))}, which rejects ${family === 'mqa' || family === 'paged-mqa' ? 'a case' : 'a candidate config'} that breaks it with the same code before anything is compiled.`
      : `Checked by this static_assert only: ${rule.unmirrored ?? 'no TypeScript rule rejects with this code.'}`,
  ].join('\n');
}

/** True when the string at `index` is an argument of `static_assert(` (walking back over balanced parentheses). */
function insideStaticAssert(tokens: Token[], index: number): boolean {
  let depth = 0;
  for (let k = index - 1; k >= 0 && index - k < 400; k--) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      if (depth === 0) return k > 0 && tokens[k - 1].text === 'static_assert';
      depth--;
    } else if (t.text === ';' || t.text === '{' || t.text === '}') return false;
  }
  return false;
}
