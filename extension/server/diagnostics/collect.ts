// Turns the compiles of one save into diagnostics per file: merges what several instantiations
// report at the same place, moves what points into a generated (temporary) source onto the saved
// file, and places ptxas/nvcc messages without a position there too. Pure.
import { parseNvccOutput, type CompilerSeverity, type RelatedLocation } from './nvccOutput';

export interface UnitOutput {
  /** Entry or file name, for "in N of M instantiations". */
  name: string;
  /** The .cu nvcc compiled, and whether it is a generated temporary file. */
  sourcePath: string;
  generated: boolean;
  /** Directory nvcc ran in (relative paths in its output resolve against it). */
  cwd: string;
  output: string;
}

export interface FileDiagnostic {
  /** 0-based line and column (column undefined: the whole line). */
  line: number;
  column?: number;
  severity: CompilerSeverity;
  code?: string;
  message: string;
  related: RelatedLocation[];
  /** Instantiations that reported it. */
  units: string[];
}

export function collectDiagnostics(outputs: UnitOutput[], savedPath: string): Map<string, FileDiagnostic[]> {
  const byFile = new Map<string, Map<string, FileDiagnostic>>();
  const generated = new Map(outputs.filter((o) => o.generated).map((o) => [o.sourcePath, o.name]));
  const add = (file: string, d: Omit<FileDiagnostic, 'units'>, unit: string) => {
    let m = byFile.get(file);
    if (!m) byFile.set(file, (m = new Map()));
    const key = `${d.line}:${d.column ?? ''}:${d.severity}:${d.message}`;
    const existing = m.get(key);
    if (existing) {
      if (!existing.units.includes(unit)) existing.units.push(unit);
      for (const r of d.related)
        if (!existing.related.some((e) => e.file === r.file && e.line === r.line && e.message === r.message))
          existing.related.push(r);
    } else {
      m.set(key, { ...d, units: [unit] });
    }
  };
  for (const o of outputs) {
    const parsed = parseNvccOutput(o.output, o.cwd);
    for (const d of parsed.diagnostics) {
      const base = { severity: d.severity, code: d.code, related: d.related };
      const inGenerated = generated.get(d.file);
      if (inGenerated !== undefined) {
        add(
          savedPath,
          { ...base, line: 0, message: `in the generated instantiation ${inGenerated} (line ${d.line}): ${d.message}` },
          o.name,
        );
      } else {
        add(
          d.file,
          { ...base, line: d.line - 1, column: d.column !== undefined ? d.column - 1 : undefined, message: d.message },
          o.name,
        );
      }
    }
    for (const u of parsed.unplaced) {
      add(savedPath, { line: 0, severity: u.severity, message: `${u.origin}: ${u.message}`, related: [] }, o.name);
    }
    if (
      !parsed.diagnostics.length &&
      !parsed.unplaced.length &&
      /\berror\b/i.test(o.output) &&
      !/^\s*$/.test(o.output)
    ) {
      // nvcc failed in a way none of the formats above describe: show its last lines rather than nothing
      const tail = o.output.trim().split(/\r?\n/).slice(-3).join(' | ');
      if (!/ptxas info/.test(tail))
        add(savedPath, { line: 0, severity: 'error', message: `nvcc: ${tail}`, related: [] }, o.name);
    }
  }
  const total = outputs.length;
  const out = new Map<string, FileDiagnostic[]>();
  for (const [file, m] of byFile) {
    out.set(
      file,
      [...m.values()].map((d) =>
        total > 1 && d.units.length < total
          ? {
              ...d,
              message: `${d.message}\n(in ${d.units.length} of ${total} instantiations: ${d.units.slice(0, 3).join(', ')}${d.units.length > 3 ? ', …' : ''})`,
            }
          : d,
      ),
    );
  }
  return out;
}
