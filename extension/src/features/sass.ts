// The SASS features: "Show SASS of a config" and "Compare the SASS of two configs" (compiled here
// with line info, disassembled by nvdisasm or cuobjdump), "Open a saved SASS listing" and "Compare
// two saved SASS listings" (text a GPU server printed; nothing is compiled or run). Where neither
// tool is found the commands say where they looked and offer NVIDIA's wheels (pip, into the tools
// cache) or a saved listing; everything else in the extension works without them. Each listing
// shown feeds the language server's per-line counts.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SassReport, SassSnapshot } from '../../protocol/sass';
import type { Candidate, GemmConfig, GemmProblem } from '../../protocol/worker';
import { RuntimeError, type FeatureContext } from '../context';
import { formatConfig } from '../core/runRows';
import { countByLine, repoRelativeSource } from '../core/sass/sourceLines';
import { parseShape, shapeLabel } from '../core/shapes';
import { createSassPanel } from '../panels/sassPanel';
import { toCodedError } from '../panels/webviewHost';
import { compiledSass, type CompileFn } from '../runtime/sass/compiledSass';
import { listingText, reportFromText } from '../runtime/sass/disassemble';
import { findSassTools, installSassTools, type SassTools } from '../runtime/sass/tools';
import { missingToolsMessage } from '../core/sass/toolSearch';
import { publishSassLines } from './languageClient';
import { runStoreFor } from '../storage/runStore';

export const SASS_COMMANDS = {
  show: 'fp8lab.showSass',
  diff: 'fp8lab.diffSass',
  openListing: 'fp8lab.openSassListing',
  diffListings: 'fp8lab.diffSassListings',
} as const;

/** Saved listings the "open" commands offer from the workspace. */
const LISTING_GLOB = '**/*.{sass,nvdisasm.txt,cuobjdump.txt,sass.gz,nvdisasm.txt.gz,cuobjdump.txt.gz}';

const configLabel = (c: GemmConfig | undefined) => (c ? formatConfig(c) : 'heuristic');

export function activate(ctx: FeatureContext) {
  const panel = createSassPanel({
    extensionUri: ctx.extension.extensionUri,
    storageUri: ctx.extension.globalStorageUri,
    log: ctx.log,
    openSource: (file, line) => openSource(ctx, file, line),
  });
  ctx.extension.subscriptions.push(panel);

  const show = (snapshot: SassSnapshot) => {
    panel.show(snapshot);
    const report = snapshot.mode === 'listing' ? snapshot.report : snapshot.right;
    if (report.listing.hasLineInfo) {
      void publishSassLines({ label: snapshot.title, counts: countByLine(report.listing.functions) }).catch((e) =>
        ctx.log.warn(`SASS line counts were not sent to the language server: ${String(e)}`),
      );
    }
  };

  const tools = (): SassTools => {
    const s = ctx.settings();
    const i = vscode.workspace.getConfiguration('fp8lab').inspect<string>('sass.toolsDir');
    // In an untrusted workspace only the user's own setting counts (a repository must not pick binaries).
    const dir =
      (ctx.isTrusted() ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue) : i?.globalValue) ||
      process.env.FP8LAB_SASS_TOOLS_DIR;
    return findSassTools({ ...(dir ? { toolsDir: dir } : {}), nvccPath: s.nvccPath, cudaHome: s.cudaHome });
  };

  /** The tools, or undefined after telling the user what is missing (and offering the wheels). */
  async function toolsOrExplain(): Promise<SassTools | undefined> {
    const found = tools();
    if (found.nvdisasm || found.cuobjdump) return found;
    const install = 'Install from the Python package index';
    const saved = 'Open a saved listing…';
    const choice = await vscode.window.showWarningMessage(missingToolsMessage(found.searched), install, saved);
    if (choice === saved) {
      await openListing();
      return undefined;
    }
    if (choice !== install) return undefined;
    const s = ctx.settings();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Installing nvdisasm and cuobjdump (pip)…' },
      () => installSassTools({ nvccPath: s.nvccPath, cudaHome: s.cudaHome }),
    );
    ctx.log.info(`SASS tools: ${result.message}`);
    if (!result.ok) {
      void vscode.window.showErrorMessage(`${result.message} ${missingToolsMessage(result.tools.searched)}`);
      return undefined;
    }
    void vscode.window.showInformationMessage(result.message);
    return result.tools;
  }

  async function shapeFor(arg: unknown): Promise<GemmProblem | undefined> {
    const given = (arg as { problem?: GemmProblem } | undefined)?.problem;
    if (given && [given.m, given.n, given.k].every((v) => Number.isInteger(v) && v > 0))
      return {
        kind: given.kind ?? 'normal',
        m: given.m,
        n: given.n,
        k: given.k,
        ...(given.config ? { config: given.config } : {}),
      };
    const last = (
      await runStoreFor(ctx)
        .latest()
        .catch(() => undefined)
    )?.results.find((r) => !r.error);
    const text = await vscode.window.showInputBox({
      title: 'Shape (M N K)',
      prompt: 'M N K, "M,N,K" or "MxNxK"',
      value: last ? shapeLabel(last.problem) : '4096x7168x2048',
      validateInput: (v) => {
        const p = parseShape(v);
        return p.ok ? undefined : p.message;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseShape(text);
    return parsed.ok ? parsed.problem : undefined;
  }

  /** A legal candidate of the shape (the heuristic's choice first). */
  async function pickConfig(
    problem: GemmProblem,
    title: string,
    exclude?: GemmConfig,
  ): Promise<GemmConfig | undefined> {
    const report = await ctx.runtime.request('gemm/configs', { settings: ctx.settings(), problem });
    const same = (a: GemmConfig, b: GemmConfig) => formatConfig(a) === formatConfig(b);
    const legal = report.candidates
      .filter((c) => !c.rejected && !(exclude && same(c.config, exclude)))
      .sort(
        (a, b) =>
          Number(same(b.config, report.chosen)) - Number(same(a.config, report.chosen)) ||
          (a.predicted?.us ?? Infinity) - (b.predicted?.us ?? Infinity),
      );
    const items = legal.map((c: Candidate) => ({
      label: formatConfig(c.config),
      description: same(c.config, report.chosen) ? 'chosen by the heuristic' : '',
      detail: c.predicted ? `predicted ${c.predicted.us.toFixed(1)} µs, ${c.waves} wave(s)` : undefined,
      config: c.config,
    }));
    return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.config;
  }

  const compileFn: CompileFn = (settings, job) => ctx.runtime.request('kernel/compile', { settings, job });

  async function withSassProgress<T>(title: string, body: () => Promise<T>): Promise<T | undefined> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async () => {
      try {
        return await body();
      } catch (e) {
        const err = e instanceof RuntimeError ? e.data : toCodedError(e);
        ctx.log.warn(`${title}: ${err.code}: ${err.message}`);
        void vscode.window.showErrorMessage(`${title} failed: [${err.code}] ${err.message}`);
        return undefined;
      }
    });
  }

  function requireTrust(what: string): boolean {
    if (ctx.isTrusted()) return true;
    void vscode.window.showWarningMessage(
      `${what} compiles the kernel, which is off in an untrusted workspace. A saved listing can still be opened ("Open a saved SASS listing").`,
    );
    return false;
  }

  async function showSass(arg?: unknown): Promise<SassSnapshot | undefined> {
    if (arg instanceof vscode.Uri) return openListing(arg);
    if (!requireTrust('Showing SASS')) return undefined;
    const t = await toolsOrExplain();
    if (!t) return undefined;
    const problem = await shapeFor(arg);
    if (!problem) return undefined;
    const config = problem.config ?? (await pickConfig(problem, `Config of ${shapeLabel(problem)} to disassemble`));
    if (!config) return undefined;
    const report = await withSassProgress(`SASS of ${shapeLabel(problem)} ${configLabel(config)}`, () =>
      compiledSass(compileFn, ctx.settings(), { problem, config }, t),
    );
    if (!report) return undefined;
    const snapshot: SassSnapshot = {
      view: 'sass',
      mode: 'listing',
      title: `SASS · ${shapeLabel(problem)} · ${configLabel(report.config)}`,
      source: { kind: 'config', problem, config },
      report,
    };
    show(snapshot);
    return snapshot;
  }

  async function diffSass(arg?: unknown): Promise<SassSnapshot | undefined> {
    if (!requireTrust('Comparing SASS')) return undefined;
    const t = await toolsOrExplain();
    if (!t) return undefined;
    const problem = await shapeFor(arg);
    if (!problem) return undefined;
    const a = await pickConfig(problem, `First config of ${shapeLabel(problem)}`);
    if (!a) return undefined;
    const b = await pickConfig(
      problem,
      `Second config of ${shapeLabel(problem)} (compared with ${formatConfig(a)})`,
      a,
    );
    if (!b) return undefined;
    const reports = await withSassProgress(
      `SASS of ${shapeLabel(problem)}: ${formatConfig(a)} vs ${formatConfig(b)}`,
      async () =>
        [
          await compiledSass(compileFn, ctx.settings(), { problem, config: a }, t),
          await compiledSass(compileFn, ctx.settings(), { problem, config: b }, t),
        ] as const,
    );
    if (!reports) return undefined;
    const snapshot: SassSnapshot = {
      view: 'sass',
      mode: 'diff',
      title: `SASS diff · ${shapeLabel(problem)}`,
      source: { kind: 'config', problem, config: a, againstConfig: b },
      left: reports[0],
      right: reports[1],
      leftLabel: formatConfig(a),
      rightLabel: formatConfig(b),
    };
    show(snapshot);
    return snapshot;
  }

  async function pickListing(title: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const found = (await vscode.workspace.findFiles(LISTING_GLOB, '**/node_modules/**', 200)).filter(
      (u) => u.toString() !== exclude?.toString(),
    );
    const browse = {
      label: 'Browse…',
      description: 'any cuobjdump -sass or nvdisasm output',
      uri: undefined as vscode.Uri | undefined,
    };
    const items = [
      ...found
        .sort((x, y) => x.fsPath.localeCompare(y.fsPath))
        .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      browse,
    ];
    const choice = await vscode.window.showQuickPick(items, { title });
    if (!choice) return undefined;
    if (choice.uri) return choice.uri;
    return (await vscode.window.showOpenDialog({ canSelectMany: false, title }))?.[0];
  }

  async function readReport(uri: vscode.Uri): Promise<SassReport> {
    const text = listingText(await vscode.workspace.fs.readFile(uri));
    return reportFromText(text, vscode.workspace.asRelativePath(uri));
  }

  async function openListing(arg?: unknown): Promise<SassSnapshot | undefined> {
    const uri =
      arg instanceof vscode.Uri
        ? arg
        : await pickListing('Open a saved SASS listing (cuobjdump -sass or nvdisasm output)');
    if (!uri) return undefined;
    try {
      const report = await readReport(uri);
      const snapshot: SassSnapshot = {
        view: 'sass',
        mode: 'listing',
        title: `SASS · ${vscode.workspace.asRelativePath(uri)}`,
        source: { kind: 'file', path: uri.fsPath },
        report,
      };
      show(snapshot);
      return snapshot;
    } catch (e) {
      const err = toCodedError(e);
      void vscode.window.showErrorMessage(`Could not open ${uri.fsPath} as a SASS listing: ${err.message}`);
      return undefined;
    }
  }

  async function diffListings(left?: vscode.Uri, right?: vscode.Uri): Promise<SassSnapshot | undefined> {
    const a = left ?? (await pickListing('First SASS listing'));
    if (!a) return undefined;
    const b =
      right ?? (await pickListing(`Second SASS listing (compared with ${vscode.workspace.asRelativePath(a)})`, a));
    if (!b) return undefined;
    try {
      const [ra, rb] = [await readReport(a), await readReport(b)];
      const la = vscode.workspace.asRelativePath(a).split('/').pop()!,
        lb = vscode.workspace.asRelativePath(b).split('/').pop()!;
      const snapshot: SassSnapshot = {
        view: 'sass',
        mode: 'diff',
        title: `SASS diff · ${la} vs ${lb}`,
        source: { kind: 'file', path: a.fsPath, againstPath: b.fsPath },
        left: ra,
        right: rb,
        leftLabel: la,
        rightLabel: lb,
      };
      show(snapshot);
      return snapshot;
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not compare the listings: ${toCodedError(e).message}`);
      return undefined;
    }
  }

  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand(SASS_COMMANDS.show, showSass),
    vscode.commands.registerCommand(SASS_COMMANDS.diff, diffSass),
    vscode.commands.registerCommand(SASS_COMMANDS.openListing, (arg?: unknown) => openListing(arg)),
    vscode.commands.registerCommand(SASS_COMMANDS.diffListings, (a?: unknown, b?: unknown) =>
      diffListings(a instanceof vscode.Uri ? a : undefined, b instanceof vscode.Uri ? b : undefined),
    ),
  );

  // Test hooks (integration tests open listings from the fixtures).
  return {
    sass: {
      openListing: (path: string) => openListing(vscode.Uri.file(path)),
      diffListings: (a: string, b: string) => diffListings(vscode.Uri.file(a), vscode.Uri.file(b)),
      tools,
      shown: () => (panel.current ? { title: panel.current.title, ready: panel.ready } : undefined),
    },
  };
}

/** Opens the source line of an instruction: the workspace's copy of kernels/…, else the extension's, else the path itself. */
async function openSource(ctx: FeatureContext, file: string, line: number): Promise<boolean> {
  const rel = repoRelativeSource(file);
  const candidates: string[] = [];
  if (rel.startsWith('kernels/')) {
    for (const f of vscode.workspace.workspaceFolders ?? [])
      if (f.uri.scheme === 'file') candidates.push(join(f.uri.fsPath, rel));
    candidates.push(join(ctx.extension.extensionPath, rel));
  }
  candidates.push(file);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    void vscode.window.showWarningMessage(
      `The source ${file} is not on this machine (the listing was made elsewhere, or the cache entry's generated kernel.cu is gone).`,
    );
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(doc, {
    selection: new vscode.Range(pos, pos),
    viewColumn: vscode.ViewColumn.Beside,
    preserveFocus: false,
  });
  return true;
}
