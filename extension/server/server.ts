// The kernel language server: hovers (PTX in asm strings, Hopper concepts, template parameters with
// the last run's values, kernels with their registers), code lenses with ptxas' register use, and
// compile-on-save diagnostics from nvcc. Its own process, started by the extension over IPC.
// The logic lives in pure modules (hover/, diagnostics/, facts/); this file wires them to LSP.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeLens,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { SassLineFacts } from '../protocol/sass';
import type {
  CompileFacts,
  DidChangeTrustParams,
  DidCompileParams,
  KernelFacts,
  LanguageServerInitOptions,
  LanguageServerNotifications,
} from '../protocol/languageServer';
import { parsePtxas } from '../src/core/ptxas';
import { collectDiagnostics, type FileDiagnostic, type UnitOutput } from './diagnostics/collect';
import { compileUnit, isKernelFile, kernelsRootOf, planUnits, type UnitResult } from './diagnostics/compileUnits';
import { DebouncedRunner } from './diagnostics/debounce';
import { emptyFacts, instantiatedFunctions, mergeCompiles, validateFacts } from '../src/core/facts/derive';
import { lexCpp } from './hover/cppLexer';
import { compilesFor, kernelLensTitle } from './hover/factsHover';
import { hoverDetailsAt, MAX_ANALYSED_CHARS, offsetToPosition } from './hover/hoverAt';
import { findKernelDefinitions } from './hover/kernelDefinitions';
import { sassLensesFor } from './hover/sassLens';
import { sassLineMarkdown, validateSassLines } from './hover/sassLineHover';
import { defaultKnowledge } from './knowledge';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const knowledge = defaultKnowledge;

let options: LanguageServerInitOptions = { trusted: false, cudaHome: '', nvccPath: '', kernelsDir: '' };
let facts: KernelFacts = emptyFacts();
/** Per-line counts of the SASS listing the extension showed last (none until one is shown). */
let sassLines: SassLineFacts | undefined;
let codeLensRefresh = false;
let workRoot: string | undefined;
/** URIs we published diagnostics for, so the next compile can clear them. */
const published = new Set<string>();
let runner = newRunner(500);

function newRunner(delayMs: number): DebouncedRunner {
  return new DebouncedRunner(delayMs, (key, e) =>
    connection.console.error(`background compile (${key}) failed: ${String(e)}`),
  );
}

const notify = <M extends keyof LanguageServerNotifications>(method: M, params: LanguageServerNotifications[M]) =>
  void connection.sendNotification(method, params);

connection.onInitialize((params): InitializeResult => {
  const init = (params.initializationOptions ?? {}) as Partial<LanguageServerInitOptions>;
  options = {
    trusted: init.trusted === true,
    cudaHome: typeof init.cudaHome === 'string' ? init.cudaHome : '',
    nvccPath: typeof init.nvccPath === 'string' ? init.nvccPath : '',
    kernelsDir: typeof init.kernelsDir === 'string' ? init.kernelsDir : '',
    debounceMs: typeof init.debounceMs === 'number' && init.debounceMs >= 0 ? init.debounceMs : 500,
  };
  const saved = validateFacts(init.facts);
  if (saved) facts = saved;
  else if (init.facts !== undefined)
    connection.console.warn('saved facts were not in the expected shape; starting without them');
  codeLensRefresh = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  if (options.debounceMs !== 500) runner = newRunner(options.debounceMs!);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'fp8lab-kernel-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  connection.console.info(
    `FP8 GEMM Lab language server: trusted=${options.trusted}, nvcc=${options.nvccPath || '(none)'}, kernels=${options.kernelsDir || '(none)'}, facts: ${facts.configs.length} run configs, ${facts.compiles.length} compiles`,
  );
});

// ---------------------------------------------------------------------------------------------
// Hovers and lenses

connection.onHover((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const text = doc.getText();
  const h = hoverDetailsAt(text, params.position, knowledge, facts);
  // What the last SASS listing shown made of this line, under the token's hover or on its own.
  const sass = params.textDocument.uri.startsWith('file:')
    ? sassLineMarkdown(sassLines, fileURLToPath(params.textDocument.uri), params.position.line)
    : null;
  if (!h && !sass) return null;
  if (!h) {
    const lineStart = { line: params.position.line, character: 0 };
    return {
      contents: { kind: 'markdown', value: sass! },
      range: {
        start: lineStart,
        end: {
          line: params.position.line,
          character: doc
            .getText({ start: lineStart, end: { line: params.position.line + 1, character: 0 } })
            .replace(/\r?\n$/, '').length,
        },
      },
    };
  }
  return {
    contents: { kind: 'markdown', value: sass ? `${h.markdown}\n\n---\n\n${sass}` : h.markdown },
    range: { start: offsetToPosition(text, h.start), end: offsetToPosition(text, h.end) },
  };
});

connection.onCodeLens((params): CodeLens[] => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || !facts.compiles.length) return [];
  const text = doc.getText();
  if (text.length > MAX_ANALYSED_CHARS) return [];
  const names = new Set(facts.compiles.flatMap((c) => [c.kernelName, ...c.functions]));
  const lenses: CodeLens[] = [];
  for (const def of findKernelDefinitions(lexCpp(text), names)) {
    const compiles = compilesFor(def.name, facts);
    if (!compiles.length) continue;
    const at = offsetToPosition(text, def.declarationStart);
    lenses.push({
      range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } },
      // An empty command id renders as plain text above the kernel.
      command: { title: kernelLensTitle(compiles), command: '' },
    });
    for (const sass of sassLensesFor(compiles, facts))
      lenses.push({
        range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } },
        command: sass,
      });
  }
  return lenses;
});

function refreshLenses(): void {
  if (codeLensRefresh) connection.sendRequest(CodeLensRefreshRequest.type).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// Live facts and trust

connection.onNotification('fp8lab/didUpdateFacts', (params: unknown) => {
  const next = validateFacts(params);
  if (!next) {
    connection.console.warn('fp8lab/didUpdateFacts: ignored facts not in the expected shape');
    return;
  }
  // Compiles this server made on save stay unless the client's facts have a newer record for the entry.
  const ours = facts.compiles.filter((c) => c.origin === 'save');
  facts = { ...next, compiles: mergeCompiles(ours, next.compiles) };
  refreshLenses();
});

connection.onNotification('fp8lab/didUpdateSass', (params: unknown) => {
  const next = validateSassLines(params);
  if (!next) {
    connection.console.warn('fp8lab/didUpdateSass: ignored line counts not in the expected shape');
    return;
  }
  sassLines = next;
});

connection.onNotification('fp8lab/didChangeTrust', (params: DidChangeTrustParams) => {
  options.trusted = params?.trusted === true;
  if (!options.trusted) {
    runner.cancelAll();
    clearDiagnostics(new Set());
  }
  connection.console.info(`workspace trust: ${options.trusted ? 'trusted' : 'untrusted (no background compiles)'}`);
});

// ---------------------------------------------------------------------------------------------
// Compile on save

documents.onDidSave((e) => {
  const uri = e.document.uri;
  if (!uri.startsWith('file:')) return;
  const path = fileURLToPath(uri);
  if (!isKernelFile(path)) return;
  if (!options.trusted) {
    notify('fp8lab/didCompile', {
      uri,
      state: 'skipped',
      message: 'The workspace is not trusted: kernels are not compiled.',
    });
    return;
  }
  if (!options.nvccPath) {
    notify('fp8lab/didCompile', {
      uri,
      state: 'skipped',
      message: 'No nvcc configured (fp8lab.cudaHome / fp8lab.jit.nvccPath): kernels are not compiled.',
    });
    return;
  }
  runner.schedule('save', (signal) => compileOnSave(uri, path, signal));
});

async function compileOnSave(uri: string, path: string, signal: AbortSignal): Promise<void> {
  const kernelsRoot = kernelsRootOf(path) ?? options.kernelsDir;
  const includeDir = join(kernelsRoot, 'include');
  const units = planUnits(path, kernelsRoot, facts);
  const names = units.map((u) => u.name);
  const started = Date.now();
  notify('fp8lab/didCompile', {
    uri,
    state: 'started',
    message: `Compiling ${units.length} instantiation(s) after saving ${path}`,
    instantiations: names,
  });
  workRoot ??= mkdtempSync(join(tmpdir(), 'fp8lab-lsp-'));
  const results: UnitResult[] = [];
  // One nvcc at a time: the machine is shared and a save should not starve the editor.
  for (const unit of units) {
    if (signal.aborted) break;
    results.push(await compileUnit(unit, { nvccPath: options.nvccPath, includeDir, workDir: workRoot, signal }));
  }
  if (signal.aborted || results.some((r) => r.cancelled)) {
    notify('fp8lab/didCompile', {
      uri,
      state: 'cancelled',
      message: 'Cancelled by a newer save.',
      instantiations: names,
    });
    return;
  }
  const outputs: UnitOutput[] = results.map((r) => ({
    name: r.unit.name,
    sourcePath: r.sourcePath,
    generated: !r.unit.sourcePath,
    cwd: workRoot!,
    output: r.output,
  }));
  const byFile = collectDiagnostics(outputs, path);
  const now = new Set<string>();
  for (const [file, ds] of byFile) {
    const fileUri = pathToFileURL(file).toString();
    now.add(fileUri);
    connection.sendDiagnostics({ uri: fileUri, diagnostics: ds.map((d) => toLspDiagnostic(d, fileUri)) });
  }
  clearDiagnostics(now);
  for (const u of now) published.add(u);

  const compiled = results.flatMap((r) => (r.exitCode === 0 ? compileFactsOf(r) : []));
  if (compiled.length) {
    facts = { ...facts, updatedAt: new Date().toISOString(), compiles: mergeCompiles(facts.compiles, compiled) };
    refreshLenses();
  }
  const failed = results.filter((r) => r.exitCode !== 0).length;
  const state: DidCompileParams['state'] = failed ? 'failed' : 'finished';
  const summary = compiled
    .map(
      (c) =>
        `${c.kernelName}: ${c.registers} registers, ${c.spillStoresBytes + c.spillLoadsBytes} B spilled, ${c.stackFrameBytes} B stack`,
    )
    .join('; ');
  notify('fp8lab/didCompile', {
    uri,
    state,
    instantiations: names,
    elapsedMs: Date.now() - started,
    message: failed
      ? `${failed} of ${results.length} instantiation(s) failed to compile (see Problems)`
      : `Compiled ${results.length} instantiation(s). ${summary}`,
  });
}

/** ptxas -v records of a successful compile, as facts for hovers and lenses. */
function compileFactsOf(r: UnitResult): CompileFacts[] {
  const report = parsePtxas(r.output);
  // A generated instantiation names the template functions it runs; a standalone .cu file's
  // entries are its own kernels (their names come from ptxas).
  const functions = r.unit.source !== undefined ? instantiatedFunctions(r.unit.source) : [];
  return report.functions
    .filter((f) => f.entry)
    .map((f) => ({
      kernelName: f.name,
      functions: [...functions, ...demangledName(f.name)],
      kind: r.unit.problem?.kind,
      config: r.unit.config,
      registers: f.registers,
      spillStoresBytes: f.spillStoresBytes,
      spillLoadsBytes: f.spillLoadsBytes,
      stackFrameBytes: f.stackFrameBytes,
      staticSharedBytes: f.sharedBytes,
      dynamicSharedBytes: r.unit.config?.sharedBytes,
      compiledAt: new Date().toISOString(),
      origin: 'save' as const,
    }));
}

/** The plain name inside a simple Itanium-mangled function name (_Z8tile_sumILi1024EEvPfPKfi -> tile_sum). */
function demangledName(name: string): string[] {
  const m = /^_Z(?:N\d+\w*?)?(\d+)([A-Za-z_]\w*)/.exec(name);
  if (!m) return [];
  const n = Number(m[1]);
  return m[2].length >= n ? [m[2].slice(0, n)] : [];
}

function clearDiagnostics(keep: Set<string>): void {
  for (const uri of [...published]) {
    if (keep.has(uri)) continue;
    connection.sendDiagnostics({ uri, diagnostics: [] });
    published.delete(uri);
  }
}

const SEVERITY: Record<FileDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  remark: DiagnosticSeverity.Information,
  note: DiagnosticSeverity.Hint,
};

function fileLines(uri: string): string[] {
  const open = documents.get(uri);
  if (open) return open.getText().split(/\r?\n/);
  try {
    return readFileSync(fileURLToPath(uri), 'utf8').split(/\r?\n/);
  } catch {
    return [];
  }
}

function toLspDiagnostic(d: FileDiagnostic, uri: string): Diagnostic {
  const lines = fileLines(uri);
  const text = lines[d.line] ?? '';
  let start = d.column ?? text.length - text.trimStart().length;
  let end = text.length;
  if (d.column !== undefined) {
    const word = /^[A-Za-z0-9_]+/.exec(text.slice(d.column));
    end = d.column + (word ? word[0].length : 1);
  }
  if (end <= start) {
    start = 0;
    end = Math.max(1, text.length);
  }
  return {
    range: { start: { line: d.line, character: start }, end: { line: d.line, character: end } },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'nvcc',
    message: d.message,
    relatedInformation: d.related.map((r) => ({
      location: {
        uri: pathToFileURL(r.file).toString(),
        range: { start: { line: r.line - 1, character: 0 }, end: { line: r.line - 1, character: 0 } },
      },
      message: r.message,
    })),
  };
}

connection.onShutdown(() => {
  runner.cancelAll();
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
});

documents.listen(connection);
connection.listen();
