// Parses what nvcc prints when it compiles a kernel: the EDG front end's
//   path(line): error: message            (then the source line, a caret line, instantiation context)
//   path(line): warning #177-D: message
// the host compiler's `path:line:col: error: message`, and ptxas / nvcc driver lines without a
// source position (`ptxas error : ...`, `nvcc fatal : ...`). Pure: text in, records out.
import { isAbsolute, resolve } from 'node:path';

export type CompilerSeverity = 'error' | 'warning' | 'remark' | 'note';

export interface RelatedLocation {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface CompilerDiagnostic {
  /** Absolute path (relative paths are resolved against the compiler's working directory). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column when the compiler showed one (caret line or gcc's line:col). */
  column?: number;
  severity: CompilerSeverity;
  /** EDG diagnostic number ("177-D") when printed. */
  code?: string;
  message: string;
  /** "detected during instantiation of ... at line N of file" chains. */
  related: RelatedLocation[];
  origin: 'nvcc' | 'host';
}

/** A message with no source position: ptxas errors, nvcc fatal errors, ptxas warnings. */
export interface UnplacedMessage {
  severity: CompilerSeverity;
  message: string;
  origin: 'ptxas' | 'nvcc';
}

export interface NvccOutput {
  diagnostics: CompilerDiagnostic[];
  unplaced: UnplacedMessage[];
}

const EDG = /^(.+?)\((\d+)\): (catastrophic error|error|warning|remark)(?: #([\w-]+))?: (.*)$/;
const HOST = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$/;
const TOOL = /^(ptxas|nvcc|nvlink|fatbinary)\s+(?:(.+?),\s+line\s+(\d+);\s*)?(fatal|error|warning|info)\s*:\s*(.*)$/;
const CONTEXT =
  /^\s*(?:detected during(?::)?\s*)?(?:instantiation of|implicit generation of|processing of template argument list for)\s+(.*?)\s+at line (\d+) of (.+?)\s*$/;
const CARET = /^\s*\^\s*$/;

/** Parses nvcc's combined stdout/stderr. `cwd` is the directory nvcc ran in. */
export function parseNvccOutput(text: string, cwd: string): NvccOutput {
  const lines = text.split(/\r?\n/);
  const diagnostics: CompilerDiagnostic[] = [];
  const unplaced: UnplacedMessage[] = [];
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  let current: CompilerDiagnostic | undefined;
  let sourceLine: string | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpExecArray | null;
    if ((m = EDG.exec(line))) {
      const severity: CompilerSeverity = m[3] === 'catastrophic error' ? 'error' : (m[3] as CompilerSeverity);
      current = {
        file: abs(m[1]),
        line: Number(m[2]),
        severity,
        code: m[4],
        message: m[5].trim(),
        related: [],
        origin: 'nvcc',
      };
      diagnostics.push(current);
      sourceLine = undefined;
      continue;
    }
    if ((m = HOST.exec(line)) && !line.startsWith(' ')) {
      const sev = m[4] === 'fatal error' ? 'error' : (m[4] as CompilerSeverity);
      if (sev === 'note' && current) {
        current.related.push({ file: abs(m[1]), line: Number(m[2]), message: m[5].trim() });
        continue;
      }
      current = {
        file: abs(m[1]),
        line: Number(m[2]),
        column: Number(m[3]),
        severity: sev,
        message: m[5].trim(),
        related: [],
        origin: 'host',
      };
      diagnostics.push(current);
      sourceLine = undefined;
      continue;
    }
    if ((m = TOOL.exec(line.trim()))) {
      current = undefined;
      const sev = m[4] === 'fatal' ? 'error' : m[4];
      if (sev === 'info') continue; // ptxas -v resource lines belong to the ptxas parser
      const where = m[2] ? ` (${m[2]}, line ${m[3]})` : '';
      unplaced.push({
        severity: sev as CompilerSeverity,
        message: m[5].trim() + where,
        origin: m[1] === 'ptxas' ? 'ptxas' : 'nvcc',
      });
      continue;
    }
    if (!current) continue;
    if (line.trim() === '') {
      sourceLine = undefined;
      continue;
    }
    if ((m = CONTEXT.exec(line))) {
      current.related.push({ file: abs(m[3]), line: Number(m[2]), message: `instantiation of ${m[1]}` });
      continue;
    }
    if (/^\s*detected during:\s*$/.test(line)) continue;
    if (CARET.test(line) && sourceLine !== undefined) {
      // EDG echoes the source line with two extra leading spaces and puts '^' under the column.
      current.column = Math.max(1, line.indexOf('^') - 2 + 1);
      sourceLine = undefined;
      continue;
    }
    if (/^\s/.test(line) && current.column === undefined) {
      // an echoed source line (a caret follows) or a continuation of the message
      if (sourceLine !== undefined) current.message += '\n' + sourceLine.trim();
      sourceLine = line;
      continue;
    }
    if (/^Remark: The warnings can be suppressed/.test(line) || /errors? detected in the compilation of/.test(line))
      current = undefined;
  }
  return { diagnostics, unplaced };
}
