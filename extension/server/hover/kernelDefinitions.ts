// Where kernels are defined in a document: `__global__` functions, and the device functions that
// compiled entries instantiate (named in the facts), so lenses and hovers can sit on them.
import type { Token } from './cppLexer';

export interface KernelDefinition {
  name: string;
  /** Document offsets of the name. */
  start: number;
  end: number;
  /** Offset of the first token of the declaration (template/extern/__global__), for the lens line. */
  declarationStart: number;
  global: boolean;
}

const SKIP_SPECIFIERS = new Set([
  'void',
  'static',
  'inline',
  '__forceinline__',
  '__noinline__',
  'extern',
  '__device__',
  '__host__',
  'constexpr',
]);
const PAREN_ATTRIBUTES = new Set([
  '__launch_bounds__',
  '__cluster_dims__',
  '__maxnreg__',
  '__align__',
  '__attribute__',
  'alignas',
]);

/** Kernel definitions in the document; `functionNames` adds device functions defined under those names. */
export function findKernelDefinitions(
  tokens: Token[],
  functionNames: ReadonlySet<string> = new Set(),
): KernelDefinition[] {
  const code = tokens.filter((t) => t.kind !== 'comment');
  const out: KernelDefinition[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < code.length; i++) {
    const t = code[i];
    if (t.kind === 'ident' && t.text === '__global__') {
      let j = i + 1;
      while (j < code.length) {
        const u = code[j];
        if (u.kind === 'ident' && SKIP_SPECIFIERS.has(u.text)) {
          j++;
          continue;
        }
        if (u.kind === 'ident' && PAREN_ATTRIBUTES.has(u.text) && code[j + 1]?.text === '(') {
          j = skipBalanced(code, j + 1);
          continue;
        }
        break;
      }
      const name = code[j];
      if (name?.kind === 'ident' && code[j + 1]?.text === '(' && !seen.has(name.start)) {
        seen.add(name.start);
        out.push({
          name: name.text,
          start: name.start,
          end: name.end,
          declarationStart: declarationStart(code, i),
          global: true,
        });
      }
      continue;
    }
    if (
      t.kind === 'ident' &&
      functionNames.has(t.text) &&
      code[i + 1]?.text === '(' &&
      code[i - 1]?.kind === 'ident' &&
      !seen.has(t.start) &&
      isDefinition(code, i + 1)
    ) {
      seen.add(t.start);
      out.push({
        name: t.text,
        start: t.start,
        end: t.end,
        declarationStart: declarationStart(code, i),
        global: false,
      });
    }
  }
  return out;
}

/** Index after the parenthesis group that starts at code[open]. */
function skipBalanced(code: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k].text === '(') depth++;
    else if (code[k].text === ')') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return code.length;
}

/** True when the parameter list at code[open] is followed by a body `{` (not a declaration `;`). */
function isDefinition(code: Token[], open: number): boolean {
  let k = skipBalanced(code, open);
  while (k < code.length && code[k].kind === 'ident') k++; // const, noexcept, ...
  return code[k]?.text === '{';
}

/** Walks back over `template <...>`, `extern "C"` and specifiers to where the declaration starts. */
function declarationStart(code: Token[], at: number): number {
  let k = at;
  while (k > 0) {
    const p = code[k - 1];
    if (p.text === ';' || p.text === '}' || p.text === '{') break;
    if (p.text === ')' && !PAREN_ATTRIBUTES.has(findParenOwner(code, k - 1))) break;
    k--;
  }
  return code[k].start;
}

function findParenOwner(code: Token[], close: number): string {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    if (code[k].text === ')') depth++;
    else if (code[k].text === '(') {
      depth--;
      if (depth === 0) return code[k - 1]?.text ?? '';
    }
  }
  return '';
}
