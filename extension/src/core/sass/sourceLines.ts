// What each source line became: instruction counts per (file, line) from the line table, the
// tensor-core ones apart, and what was inlined into a line from the functions it calls. Paths are
// made repository-relative ("kernels/include/fp8lab/…") so a listing compiled on another machine
// still lands on the files open in the editor.

import { isTensorCore } from './mix';
import type { SassFunction } from './types';

export interface LineCount {
  /** Instructions whose innermost source position is this line. */
  direct: number;
  /** Of those, tensor-core instructions. */
  directTensor: number;
  /** Instructions inlined into this line from functions it calls (nvdisasm -gi call sites). */
  inlined: number;
  inlinedTensor: number;
}

/** file (repository-relative when recognisable) -> line -> counts. */
export type LineCounts = Record<string, Record<number, LineCount>>;

/** "/home/me/fp8lab/kernels/include/fp8lab/x.cuh" -> "kernels/include/fp8lab/x.cuh"; others unchanged. */
export function repoRelativeSource(path: string): string {
  const norm = path.replace(/\\/g, '/');
  const at = norm.lastIndexOf('/kernels/');
  if (at >= 0) return norm.slice(at + 1);
  return norm.startsWith('kernels/') ? norm : norm;
}

export function countByLine(functions: SassFunction[]): LineCounts {
  const out: LineCounts = {};
  const bump = (file: string, line: number, tensor: boolean, inlined: boolean) => {
    const f = (out[repoRelativeSource(file)] ??= {});
    const c = (f[line] ??= { direct: 0, directTensor: 0, inlined: 0, inlinedTensor: 0 });
    if (inlined) {
      c.inlined++;
      if (tensor) c.inlinedTensor++;
    } else {
      c.direct++;
      if (tensor) c.directTensor++;
    }
  };
  for (const fn of functions) {
    for (const ins of fn.instructions) {
      if (!ins.source || ins.source.line <= 0) continue;
      const tensor = isTensorCore(ins);
      bump(ins.source.file, ins.source.line, tensor, false);
      // Each distinct call site once, even when one line calls the same function twice over.
      const seen = new Set<string>();
      for (const site of ins.source.inlinedAt ?? []) {
        const key = `${site.file}:${site.line}`;
        if (seen.has(key) || (site.file === ins.source.file && site.line === ins.source.line)) continue;
        seen.add(key);
        bump(site.file, site.line, tensor, true);
      }
    }
  }
  return out;
}

/** The counts for a document, matched by its repository-relative path (or by the path's tail). */
export function countsForFile(counts: LineCounts, documentPath: string): Record<number, LineCount> | undefined {
  const rel = repoRelativeSource(documentPath);
  if (counts[rel]) return counts[rel];
  const hit = Object.keys(counts).find((k) => documentPath.replace(/\\/g, '/').endsWith('/' + k));
  return hit ? counts[hit] : undefined;
}

/** "this line became 12 SASS instructions (4 tensor-core); 96 more inlined from the calls on it" */
export function describeLineCount(c: LineCount): string {
  const s = (n: number) => (n === 1 ? '' : 's');
  const parts: string[] = [];
  if (c.direct > 0)
    parts.push(`this line became ${c.direct} SASS instruction${s(c.direct)} (${c.directTensor} tensor-core)`);
  if (c.inlined > 0)
    parts.push(
      `${parts.length ? '' : 'this line became '}${c.inlined} ${parts.length ? 'more ' : ''}SASS instruction${s(c.inlined)} inlined from the calls on it (${c.inlinedTensor} tensor-core)`,
    );
  return parts.join('; ') || 'this line became no SASS instruction';
}
