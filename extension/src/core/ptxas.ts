// Parses the resource report of `ptxas -v` (nvcc --cubin -Xptxas -v writes it to stderr).
// Pure: takes the text, returns one record per function, in the order ptxas reported them.
//
// The report is a sequence of "ptxas info    :" lines; the ones we read are
//   Compiling entry function 'NAME' for 'sm_90a'        (entry kernels only)
//   Function properties for NAME                          (entries and non-inlined device functions)
//       S bytes stack frame, X bytes spill stores, Y bytes spill loads
//   Used R registers, used B barriers, Z bytes smem, C bytes cmem[0], ... , Q bytes cumulative stack size
// Anything else (warnings, "Overriding maximum register limit", compile times, gmem) is tolerated;
// warnings are collected per function when they name one.

export interface PtxasFunction {
  /** Name as ptxas prints it (mangled for C++ functions; plain for extern "C"). */
  name: string;
  /** True when ptxas said "Compiling entry function" for it (a __global__ kernel). */
  entry: boolean;
  /** Target from the "Compiling entry function ... for 'sm_90a'" line. */
  arch?: string;
  registers: number;
  barriers: number;
  stackFrameBytes: number;
  spillStoresBytes: number;
  spillLoadsBytes: number;
  /** Static shared memory (dynamic shared memory is set at launch and never appears here). */
  sharedBytes: number;
  /** Constant banks as printed: cmem[bank] -> bytes (CUDA 12 printed these; CUDA 13 does not). */
  constantBytes: Record<number, number>;
  cumulativeStackBytes: number;
  /** ptxas warnings that name this function (spills, local memory). */
  warnings: string[];
}

export interface PtxasReport {
  functions: PtxasFunction[];
  /** Module-scope global memory ("N bytes gmem"), when reported. */
  globalBytes: number;
  /** Every "ptxas warning" / "ptxas error" line, verbatim (trimmed). */
  warnings: string[];
  errors: string[];
}

const PREFIX = /^ptxas\s+(info|warning|error)\s*:\s*(.*)$/;
const ENTRY = /^Compiling entry function '([^']+)' for '([^']+)'/;
const PROPERTIES = /^Function properties for (\S+)/;
const FRAME = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/;
const USED = /^Used (\d+) registers\b(.*)$/;
const GMEM = /^(\d+) bytes gmem/;
const QUOTED_FUNCTION = /function '([^']+)'/;

function emptyFunction(name: string): PtxasFunction {
  return {
    name,
    entry: false,
    registers: 0,
    barriers: 0,
    stackFrameBytes: 0,
    spillStoresBytes: 0,
    spillLoadsBytes: 0,
    sharedBytes: 0,
    constantBytes: {},
    cumulativeStackBytes: 0,
    warnings: [],
  };
}

/** Reads the comma-separated tail of a "Used N registers, ..." line into the record. */
function readUsedTail(tail: string, fn: PtxasFunction): void {
  for (const part of tail
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^used (\d+) barriers?$/))) fn.barriers = Number(m[1]);
    else if ((m = part.match(/^(\d+) bytes smem$/))) fn.sharedBytes = Number(m[1]);
    else if ((m = part.match(/^(\d+) bytes cmem\[(\d+)\]$/))) fn.constantBytes[Number(m[2])] = Number(m[1]);
    else if ((m = part.match(/^(\d+) bytes cumulative stack size$/))) fn.cumulativeStackBytes = Number(m[1]);
  }
}

export function parsePtxas(text: string): PtxasReport {
  const report: PtxasReport = { functions: [], globalBytes: 0, warnings: [], errors: [] };
  const byName = new Map<string, PtxasFunction>();
  const get = (name: string) => {
    let fn = byName.get(name);
    if (!fn) {
      fn = emptyFunction(name);
      byName.set(name, fn);
      report.functions.push(fn);
    }
    return fn;
  };
  // "Used ..." follows the properties of the function most recently named by an entry/properties line.
  let current: PtxasFunction | undefined;
  const pendingWarnings: Array<{ name: string; text: string }> = [];

  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const frame = line.match(FRAME);
    if (frame && !PREFIX.test(line)) {
      // the indented line under "Function properties for NAME"
      if (current) {
        current.stackFrameBytes = Number(frame[1]);
        current.spillStoresBytes = Number(frame[2]);
        current.spillLoadsBytes = Number(frame[3]);
      }
      continue;
    }
    const prefixed = line.match(PREFIX);
    if (!prefixed) continue;
    const [, level, body] = prefixed;
    if (level === 'warning' || level === 'error') {
      (level === 'warning' ? report.warnings : report.errors).push(line);
      const named = body.match(QUOTED_FUNCTION);
      if (named) pendingWarnings.push({ name: named[1], text: body });
      continue;
    }
    let m: RegExpMatchArray | null;
    if ((m = body.match(ENTRY))) {
      current = get(m[1]);
      current.entry = true;
      current.arch = m[2];
    } else if ((m = body.match(PROPERTIES))) {
      current = get(m[1]);
    } else if ((m = body.match(USED))) {
      if (current) {
        current.registers = Number(m[1]);
        readUsedTail(m[2], current);
      }
    } else if ((m = body.match(GMEM))) {
      report.globalBytes = Number(m[1]);
    }
  }
  // Warnings come before the report of the function they name; attach them once all are known.
  for (const w of pendingWarnings) byName.get(w.name)?.warnings.push(w.text);
  return report;
}

/** The entry function with this exact name, or the only entry when the report has just one. */
export function findEntry(report: PtxasReport, name?: string): PtxasFunction | undefined {
  const entries = report.functions.filter((f) => f.entry);
  if (name !== undefined) return entries.find((f) => f.name === name);
  return entries.length === 1 ? entries[0] : undefined;
}

/** True when the function touches local memory at all (what FP8LAB_JIT_PTXAS_CHECK rejects). */
export function usesLocalMemory(fn: PtxasFunction): boolean {
  return fn.spillStoresBytes > 0 || fn.spillLoadsBytes > 0 || fn.stackFrameBytes > 0;
}
