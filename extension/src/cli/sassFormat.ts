// Text forms of SASS reports for the terminal: the listing with source lines, loops and decoded
// control bits; the instruction mix; the mix deltas and aligned listing of a diff. Pure.
import type { SassReport } from '../../protocol/sass';
import { decodeControlBits, formatControlBits } from '../core/sass/controlBits';
import { diffFunctions, type SassDiff } from '../core/sass/diff';
import { findLoops, flattenLoops } from '../core/sass/loops';
import { FAMILY_LABELS, functionMix, type InstructionMix } from '../core/sass/mix';
import { describeLineCount, repoRelativeSource, type LineCounts } from '../core/sass/sourceLines';
import type { SassFunction } from '../core/sass/types';
import { formatConfig } from '../core/runRows';
import { shapeLabel } from '../core/shapes';

export function reportHeader(r: SassReport): string {
  const lines: string[] = [];
  if (r.kernelName) lines.push(`kernel      ${r.kernelName}`);
  if (r.problem) lines.push(`shape       ${shapeLabel(r.problem)} (${r.problem.kind})`);
  if (r.config) lines.push(`config      ${formatConfig(r.config)}`);
  lines.push(`sass        ${r.command.join(' ')}${r.listing.arch ? ` (${r.listing.arch})` : ''}`);
  lines.push(
    `functions   ${r.listing.functions.map((f) => `${f.name} (${f.instructions.length} instructions)`).join(', ')}`,
  );
  if (!r.listing.hasLineInfo)
    lines.push('source      no line info in this listing (nvdisasm -gi of a -lineinfo build has it)');
  if (r.unreadLines) lines.push(`unread      ${r.unreadLines} line(s) looked like instructions but could not be read`);
  return lines.join('\n') + '\n';
}

export function formatMix(mix: InstructionMix): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, mix.total)).toFixed(1)}%`;
  const rows = [`${mix.total} instructions`, '', 'family'.padEnd(40) + 'count'.padStart(8) + 'share'.padStart(8)];
  for (const f of mix.families)
    rows.push(FAMILY_LABELS[f.family].padEnd(40) + String(f.count).padStart(8) + pct(f.count).padStart(8));
  rows.push('', 'instruction'.padEnd(40) + 'count'.padStart(8) + 'share'.padStart(8));
  for (const e of mix.entries) rows.push(e.key.padEnd(40) + String(e.count).padStart(8) + pct(e.count).padStart(8));
  return rows.join('\n') + '\n';
}

export function formatListing(fn: SassFunction): string {
  const loops = flattenLoops(findLoops(fn));
  const opens = new Map<number, string[]>();
  const closes = new Map<number, number>();
  for (const l of loops) {
    const text = `${'  '.repeat(l.depth)}// loop ${l.label ?? ''} 0x${l.start.toString(16)}-0x${l.end.toString(16)}: ${l.last - l.first + 1} instructions`;
    opens.set(l.first, [...(opens.get(l.first) ?? []), text]);
    closes.set(l.last, (closes.get(l.last) ?? 0) + 1);
  }
  const out = [`// function ${fn.name}`];
  let lastSource = '';
  fn.instructions.forEach((ins, i) => {
    for (const t of opens.get(i) ?? []) out.push(t);
    if (ins.source) {
      const s = `${repoRelativeSource(ins.source.file)}:${ins.source.line}`;
      if (s !== lastSource) {
        out.push(`        // ${s}`);
        lastSource = s;
      }
    }
    const c = ins.encoding ? decodeControlBits(ins.encoding.hi) : undefined;
    out.push(
      `/*${ins.offset.toString(16).padStart(4, '0')}*/  ${(ins.text + ' ;').padEnd(64)} ${c ? formatControlBits(c) : ''}`.trimEnd(),
    );
    for (let k = 0; k < (closes.get(i) ?? 0); k++) out.push('        // end of loop');
  });
  return out.join('\n') + '\n';
}

export function formatMixDelta(d: SassDiff, leftLabel: string, rightLabel: string): string {
  const rows = [
    `aligned: ${d.same} matched, ${d.leftOnly} only in ${leftLabel} or changed, ${d.rightOnly} only in ${rightLabel} or changed${d.truncated ? ' (too different to align; paired by position)' : ''}`,
    '',
    'instruction'.padEnd(40) +
      leftLabel.slice(0, 12).padStart(14) +
      rightLabel.slice(0, 12).padStart(14) +
      'delta'.padStart(8),
  ];
  for (const m of d.mix)
    if (m.delta !== 0)
      rows.push(
        m.key.padEnd(40) +
          String(m.left).padStart(14) +
          String(m.right).padStart(14) +
          `${m.delta > 0 ? '+' : ''}${m.delta}`.padStart(8),
      );
  return rows.join('\n') + '\n';
}

export function formatAligned(d: SassDiff, left: SassFunction, right: SassFunction): string {
  const mark = { same: ' ', changed: '~', left: '<', right: '>' } as const;
  return (
    d.rows
      .map((r) => {
        const l = r.left !== undefined ? left.instructions[r.left].text : '';
        const rt = r.right !== undefined ? right.instructions[r.right].text : '';
        return `${mark[r.kind]} ${l.slice(0, 70).padEnd(70)} | ${rt}`;
      })
      .join('\n') + '\n'
  );
}

/** The source lines that became the most instructions (direct + inlined), most first. */
export function formatLineCounts(counts: LineCounts, top = 40): string {
  const rows = Object.entries(counts).flatMap(([file, lines]) =>
    Object.entries(lines).map(([line, c]) => ({ at: `${file}:${line}`, c })),
  );
  if (rows.length === 0)
    return 'no source lines in this listing (compile with -lineinfo and disassemble with nvdisasm -g or -gi)\n';
  rows.sort((a, b) => b.c.direct + b.c.inlined - (a.c.direct + a.c.inlined) || a.at.localeCompare(b.at));
  return (
    rows
      .slice(0, top)
      .map((r) => `${r.at.padEnd(60)} ${describeLineCount(r.c)}`)
      .join('\n') + '\n'
  );
}

/** The function to show: the one matching the filter, else the largest (the GEMM kernel). */
export function pickFunction(r: SassReport, filter?: string): SassFunction | undefined {
  const fns = r.listing.functions.filter((f) => !filter || f.name.includes(filter));
  return fns.sort((a, b) => b.instructions.length - a.instructions.length)[0];
}

export { diffFunctions, functionMix };
