// activate/deactivate only: build the FeatureContext and hand it to each feature. Activation never
// fails because of one feature (each is caught and reported), never loads the addon (the worker
// does), and starts nothing synchronously that takes time.
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeSettings } from '../protocol/worker';
import type { FeatureContext } from './context';
import { activate as benchmark } from './features/benchmark';
import { activate as configExplorer } from './features/configExplorer';
import { activate as environment } from './features/environment';
import { activate as languageClient } from './features/languageClient';
import { activate as studies } from './features/studies';
import { activate as grouped } from './features/grouped';
import { activate as mqa } from './features/mqa';
import { activate as openFile } from './features/openFile';
import { activate as registers } from './features/registers';
import { activate as runs } from './features/runs';
import { activate as tuning } from './features/tuning';
import { activate as sass } from './features/sass';
import { activate as sweep } from './features/sweep';
import { createRuntimeClient, type WorkerClient } from './runtime/client';
import { resolveSettings, SETTING_KEYS, type SettingValues } from './core/settings';

let runtime: WorkerClient | undefined;

/** What activate returns: `testApi` is for the integration tests (and nothing else). */
export interface ExtensionApi {
  testApi: {
    runtime: FeatureContext['runtime'];
    settings(): RuntimeSettings;
    /** Features whose activate threw: name and message. */
    activationFailures: Array<{ feature: string; message: string }>;
    /** Whatever each feature's activate returned (test hooks), by feature name. */
    features: Record<string, unknown>;
    /** The members of each feature's returned object are also spread here (e.g. `explorer`, `environment`). */
    [member: string]: unknown;
  };
}

const FEATURES: Record<string, (ctx: FeatureContext) => unknown> = {
  environment,
  benchmark,
  configExplorer,
  languageClient,
  studies,
  grouped,
  mqa,
  sass,
  sweep,
  openFile,
  runs,
  registers,
  tuning,
};

export function activate(extension: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('FP8 GEMM Lab', { log: true });
  extension.subscriptions.push(log);
  const config = () => vscode.workspace.getConfiguration('fp8lab');

  const reported = new Set<string>();
  const settings = (): RuntimeSettings => {
    const cfg = config();
    const trusted = vscode.workspace.isTrusted;
    const values: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
      const i = cfg.inspect(key);
      // In an untrusted workspace only the user's own settings count: a repository must not be
      // able to point nvcc or libcuda at a binary of its choosing.
      const v = trusted ? (i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue) : i?.globalValue;
      if (v !== undefined) values[key] = v;
    }
    const cwd =
      vscode.workspace.workspaceFolders?.[0]?.uri.scheme === 'file'
        ? vscode.workspace.workspaceFolders[0].uri.fsPath
        : homedir();
    const { settings: s, warnings } = resolveSettings(values as SettingValues, process.env, {
      kernelsDir: join(extension.extensionPath, 'kernels'),
      homeDir: homedir(),
      cwd,
    });
    for (const w of warnings) {
      if (!reported.has(w)) {
        reported.add(w);
        log.warn(w);
      }
    }
    return s;
  };

  runtime = createRuntimeClient({
    workerPath: join(extension.extensionPath, 'extension', 'dist', 'worker.js'),
    env: { ...process.env, FP8LAB_ROOT: extension.extensionPath },
    requestTimeoutMs: () =>
      Math.max(5, Number(config().get<number>('runtime.requestTimeoutSeconds', 600)) || 600) * 1000,
    isTrusted: () => vscode.workspace.isTrusted,
    log: (level, text) => (level === 'error' ? log.error(text) : level === 'warn' ? log.warn(text) : log.info(text)),
    onWorkerFailure: (message) => {
      void vscode.window.showWarningMessage(message, 'Show log').then((pick) => {
        if (pick) log.show();
      });
    },
  });
  const client = runtime;
  extension.subscriptions.push({
    dispose: () => {
      void client.dispose();
    },
  });

  const ctx: FeatureContext = {
    extension,
    runtime: client,
    settings,
    log,
    isTrusted: () => vscode.workspace.isTrusted,
  };

  const api: ExtensionApi = { testApi: { runtime: client, settings, activationFailures: [], features: {} } };
  const expose = (name: string, hooks: unknown) => {
    if (hooks === undefined) return;
    api.testApi.features[name] = hooks;
    if (hooks && typeof hooks === 'object') {
      for (const [k, v] of Object.entries(hooks)) if (!(k in api.testApi)) api.testApi[k] = v;
    }
  };
  const failed = (feature: string, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    api.testApi.activationFailures.push({ feature, message });
    log.error(`feature ${feature} failed to activate: ${err instanceof Error && err.stack ? err.stack : message}`);
    void vscode.window.showErrorMessage(
      `FP8 GEMM Lab: the ${feature} feature failed to start (${message}). The rest works; see the log.`,
    );
  };
  for (const [name, activateFeature] of Object.entries(FEATURES)) {
    try {
      const result = activateFeature(ctx);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(
          (r) => expose(name, r),
          (err) => failed(name, err),
        );
      } else {
        expose(name, result);
      }
    } catch (err) {
      failed(name, err);
    }
  }
  log.info(`activated (trusted: ${vscode.workspace.isTrusted})`);
  return api;
}

export async function deactivate(): Promise<void> {
  await runtime?.dispose();
  runtime = undefined;
}
