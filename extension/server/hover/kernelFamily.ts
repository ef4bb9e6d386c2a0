// Which kernel a position in the source belongs to, so that a name several kernels share (BLOCK_K,
// kNumMathWarpgroups, the rule codes) is explained as the kernel under the cursor uses it. Pure.
//
// A kernel is its struct (Sm90Bf16Gemm, ...) or its entry body (sm90_bf16_gemm_impl): from the
// `template` that opens the declaration to the brace that closes it. A position inside one belongs
// to its family; elsewhere (helpers at file scope, like block_key_range), to the one family the file
// defines, if it defines exactly one.
import type { KernelFamily } from '../knowledge/types';
import type { Token } from './cppLexer';

/** Kernel structs and entry bodies by name, and the family each belongs to. */
export const KERNEL_NAMES: Readonly<Record<string, KernelFamily>> = {
  Sm90Fp8Gemm1D2D: 'fp8',
  Sm90Fp8Gemm1D1D: 'fp8',
  sm90_fp8_gemm_1d2d_impl: 'fp8',
  sm90_fp8_gemm_1d1d_impl: 'fp8',
  Sm90Bf16Gemm: 'bf16',
  sm90_bf16_gemm_impl: 'bf16',
  Sm90Fp8MqaLogits: 'mqa',
  sm90_fp8_mqa_logits_impl: 'mqa',
  sm90_mqa_clean_logits_impl: 'mqa',
  Sm90Fp8PagedMqaLogits: 'paged-mqa',
  sm90_fp8_paged_mqa_logits_impl: 'paged-mqa',
  sm90_paged_mqa_logits_metadata_impl: 'paged-mqa',
};

export interface KernelRegion {
  name: string;
  family: KernelFamily;
  /** Document offsets: the `template` keyword (or the name) .. one past the closing brace. */
  start: number;
  end: number;
}

/** Definitions (not uses) of the known kernels in a token stream. */
export function kernelRegions(tokens: Token[]): KernelRegion[] {
  const out: KernelRegion[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const family = t.kind === 'ident' ? KERNEL_NAMES[t.text] : undefined;
    if (!family) continue;
    const prev = previousCode(tokens, i);
    const isStruct = prev >= 0 && tokens[prev].text === 'struct';
    const isFunction = !isStruct && nextCode(tokens, i) >= 0 && tokens[nextCode(tokens, i)].text === '(';
    if (!isStruct && !isFunction) continue;
    // The body: the first '{' before any ';' (a declaration without a body has none).
    let open = -1;
    for (let k = i + 1; k < tokens.length; k++) {
      if (tokens[k].kind !== 'punct') continue;
      if (tokens[k].text === ';') break;
      if (tokens[k].text === '{') {
        open = k;
        break;
      }
    }
    if (open < 0) continue;
    const close = matchingBrace(tokens, open);
    out.push({
      name: t.text,
      family,
      start: declarationStart(tokens, i),
      end: close >= 0 ? tokens[close].end : Infinity,
    });
  }
  return out;
}

/** The family of the kernel whose definition holds `offset`, else the file's only family. */
export function kernelFamilyAt(tokens: Token[], offset: number): KernelFamily | undefined {
  const regions = kernelRegions(tokens);
  const inside = regions.filter((r) => offset >= r.start && offset < r.end);
  if (inside.length) return inside[inside.length - 1].family;
  const families = new Set(regions.map((r) => r.family));
  return families.size === 1 ? [...families][0] : undefined;
}

/**
 * The entry for the kernel under the cursor: the first whose families include it, else the first
 * without families (entries for other kernels only are never shown: their text would be wrong here).
 */
export function forFamily<T extends { families?: KernelFamily[] }>(
  entries: T[],
  family: KernelFamily | undefined,
): T | undefined {
  return (
    (family ? entries.find((e) => e.families?.includes(family)) : undefined) ??
    entries.find((e) => !e.families) ??
    (family ? undefined : entries[0])
  );
}

function previousCode(tokens: Token[], i: number): number {
  for (let k = i - 1; k >= 0; k--) if (tokens[k].kind !== 'comment') return k;
  return -1;
}

function nextCode(tokens: Token[], i: number): number {
  for (let k = i + 1; k < tokens.length; k++) if (tokens[k].kind !== 'comment') return k;
  return -1;
}

function matchingBrace(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k].kind !== 'punct') continue;
    if (tokens[k].text === '{') depth++;
    else if (tokens[k].text === '}' && --depth === 0) return k;
  }
  return -1;
}

/**
 * Where the declaration of the name at `i` starts: the `template` keyword of the template header
 * just before it (walking back over its balanced `<...>` and the specifiers), else the name itself.
 */
function declarationStart(tokens: Token[], i: number): number {
  for (let k = i - 1; k >= 0; k--) {
    const t = tokens[k];
    if (t.kind === 'comment') continue;
    if (t.kind === 'ident' && t.text === 'template') return t.start;
    if (t.kind === 'punct' && t.text === '>') {
      // Skip the template parameter list back to its '<'.
      let depth = 0;
      for (; k >= 0; k--) {
        const p = tokens[k];
        if (p.kind !== 'punct') continue;
        if (p.text === '>') depth++;
        else if (p.text === '<' && --depth === 0) break;
      }
      continue;
    }
    // Declaration specifiers and the return type may sit between the template header and the name.
    if (t.kind === 'ident' || (t.kind === 'punct' && (t.text === '::' || t.text === '&' || t.text === '*'))) continue;
    break;
  }
  return tokens[i].start;
}
