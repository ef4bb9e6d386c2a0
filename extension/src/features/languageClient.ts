// Starts the kernel language server (extension/dist/server.js, over IPC) for CUDA sources and keeps
// it fed: workspace trust, the toolkit from settings, and the live facts (last run's configs and
// compiles) that hovers and code lenses show. Facts are saved so the next session starts with them.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { DidCompileParams, KernelFacts, LanguageServerInitOptions } from '../../protocol/languageServer';
import type { SassLineFacts } from '../../protocol/sass';
import type { BenchRun, CompileReport, ShapeResult } from '../../protocol/worker';
import { emptyFacts, factsFromCompile, factsFromRun, validateFacts, type KernelNamer } from '../core/facts/derive';
import type { FeatureContext } from '../context';
import { compiledShapeFor, gemmKernelSource } from '../core/kernelSource';

/** What a run or compile hands to publishFacts. */
export interface FactsUpdate {
  /** A finished (or interrupted) benchmark run: its chosen configs replace the previous run's. */
  run?: BenchRun;
  /** Compiles (config explorer, runtime): each entry's record replaces the previous one. */
  compiles?: CompileReport[];
}

const FACTS_FILE = 'languageServerFacts.json';
// Names as the runtime compiles them by default (N and K compiled into the FP8 1D2D kernels).
const namer: KernelNamer = (problem, config) => {
  const compiledShape = compiledShapeFor(problem);
  return gemmKernelSource(problem.kind, config, compiledShape ? { compiledShape } : {});
};

let client: LanguageClient | undefined;
let facts: KernelFacts | undefined;
let factsPath: string | undefined;
let log: vscode.LogOutputChannel | undefined;

/**
 * Updates the facts the language server shows (hover values, register lenses), saves them, and
 * sends them to the server. Called when a run or compile finishes.
 */
export async function publishFacts(update: FactsUpdate): Promise<KernelFacts> {
  let next = facts ?? emptyFacts();
  if (update.run) next = factsFromRun(update.run, next, namer);
  for (const c of update.compiles ?? []) next = factsFromCompile(c, next, namer);
  facts = next;
  await saveFacts(next);
  if (client?.isRunning()) await client.sendNotification('fp8lab/didUpdateFacts', next);
  return next;
}

let sassLines: SassLineFacts | undefined;

/**
 * Per-line instruction counts of the SASS listing last shown, for the hover "this line became N
 * SASS instructions". Kept in memory only: the counts belong to that build of the kernels.
 */
export async function publishSassLines(lines: SassLineFacts): Promise<void> {
  sassLines = lines;
  if (client?.isRunning()) await client.sendNotification('fp8lab/didUpdateSass', lines);
}

/** The facts as last published or loaded (for tests). */
export function currentFacts(): KernelFacts | undefined {
  return facts;
}

async function saveFacts(value: KernelFacts): Promise<void> {
  if (!factsPath) return;
  try {
    await mkdir(join(factsPath, '..'), { recursive: true });
    const tmp = `${factsPath}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, factsPath);
  } catch (e) {
    log?.warn(`could not save language-server facts to ${factsPath}: ${String(e)}`);
  }
}

async function loadFacts(): Promise<KernelFacts | undefined> {
  if (!factsPath) return undefined;
  try {
    const parsed = validateFacts(JSON.parse(await readFile(factsPath, 'utf8')));
    if (!parsed) log?.warn(`ignoring ${factsPath}: not in the expected shape`);
    return parsed ?? undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log?.warn(`could not read ${factsPath}: ${String(e)}`);
    return undefined;
  }
}

export interface LanguageClientTestApi {
  languageClient: {
    client(): LanguageClient | undefined;
    publishFacts: typeof publishFacts;
    currentFacts: typeof currentFacts;
    /** Background-compile notifications received from the server, newest last. */
    compileEvents: DidCompileParams[];
  };
}

export function activate(ctx: FeatureContext): LanguageClientTestApi {
  log = ctx.log;
  const storage = ctx.extension.storageUri ?? ctx.extension.globalStorageUri;
  factsPath = join(storage.fsPath, FACTS_FILE);
  const compileEvents: DidCompileParams[] = [];
  const output = vscode.window.createOutputChannel('FP8 GEMM Lab Language Server', { log: true });
  ctx.extension.subscriptions.push(output);

  const serverModule = ctx.extension.asAbsolutePath(join('extension', 'dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6019'] },
    },
  };
  const initOptions = (): LanguageServerInitOptions => {
    const s = ctx.settings();
    return {
      trusted: ctx.isTrusted(),
      cudaHome: s.cudaHome,
      nvccPath: s.nvccPath,
      kernelsDir: s.kernelsDir,
      facts,
      debounceMs: 500,
    };
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'cuda-cpp' },
      { scheme: 'file', language: 'cpp', pattern: '**/kernels/**' },
    ],
    outputChannel: output,
    initializationOptions: initOptions,
  };

  const start = async () => {
    // A run that finished while we were loading has newer facts than the file.
    const loaded = await loadFacts();
    facts ??= loaded;
    const c = new LanguageClient(
      'fp8lab.kernelLanguageServer',
      'FP8 GEMM Lab Language Server',
      serverOptions,
      clientOptions,
    );
    client = c;
    await c.start();
    if (sassLines) await c.sendNotification('fp8lab/didUpdateSass', sassLines);
    c.onNotification('fp8lab/didCompile', (p: DidCompileParams) => {
      compileEvents.push(p);
      if (compileEvents.length > 50) compileEvents.shift();
      const line = `background compile ${p.state}: ${p.message}`;
      if (p.state === 'failed') output.warn(line);
      else output.info(line);
    });
  };
  const started = start().catch((e) => ctx.log.error(`the kernel language server did not start: ${String(e)}`));

  // Trust can only be granted while running (VS Code reloads the window when it is revoked).
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void started.then(() => client?.sendNotification('fp8lab/didChangeTrust', { trusted: ctx.isTrusted() }));
    }),
  );
  // The toolkit is fixed at server start: restart it when the settings that pick nvcc change.
  ctx.extension.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('fp8lab.cudaHome') || e.affectsConfiguration('fp8lab.jit.nvccPath')) {
        void started
          .then(() => client?.restart())
          .catch((err) => ctx.log.error(`language server restart failed: ${String(err)}`));
      }
    }),
  );

  // Results measured by the runtime update the facts as they arrive, whichever feature started the
  // run; one job's results form one run.
  let job: { id: string; startedAt: string; results: ShapeResult[] } | undefined;
  ctx.extension.subscriptions.push(
    ctx.runtime.onNotification('job/didMeasure', ({ jobId, result }) => {
      if (!job || job.id !== jobId) job = { id: jobId, startedAt: new Date().toISOString(), results: [] };
      job.results.push(result);
      const run: BenchRun = {
        id: job.id,
        startedAt: job.startedAt,
        mode: job.results.some((r) => r.timing) ? 'gpu' : 'study',
        results: job.results,
      };
      void publishFacts({ run }).catch((e) => ctx.log.warn(`facts update failed: ${String(e)}`));
    }),
  );

  ctx.extension.subscriptions.push({
    dispose: () => {
      void client?.stop();
      client = undefined;
    },
  });
  return { languageClient: { client: () => client, publishFacts, currentFacts, compileEvents } };
}
