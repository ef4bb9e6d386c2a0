// The hover line "this line became N SASS instructions (M tensor-core)" for kernel sources, from the
// per-line counts of the SASS listing the extension showed last. Pure.
import type { SassLineFacts } from '../../protocol/sass';
import { countsForFile, describeLineCount, type LineCount } from '../../src/core/sass/sourceLines';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is LineCount =>
  isRecord(v) &&
  ['direct', 'directTensor', 'inlined', 'inlinedTensor'].every((k) => Number.isInteger(v[k]) && (v[k] as number) >= 0);

/** The notification's params, or undefined when they are not SassLineFacts. */
export function validateSassLines(raw: unknown): SassLineFacts | undefined {
  if (!isRecord(raw) || typeof raw.label !== 'string' || !isRecord(raw.counts)) return undefined;
  for (const lines of Object.values(raw.counts)) {
    if (!isRecord(lines)) return undefined;
    for (const [line, c] of Object.entries(lines)) if (!/^\d+$/.test(line) || !isCount(c)) return undefined;
  }
  return raw as unknown as SassLineFacts;
}

/** Markdown for 0-based `line` of the document at `documentPath`, or null when the listing has none there. */
export function sassLineMarkdown(facts: SassLineFacts | undefined, documentPath: string, line: number): string | null {
  if (!facts) return null;
  const c = countsForFile(facts.counts, documentPath)?.[line + 1];
  if (!c || c.direct + c.inlined === 0) return null;
  return `**SASS**: ${describeLineCount(c)} — in ${facts.label}`;
}
