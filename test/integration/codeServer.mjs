// code-server (the real VS Code workbench and Node extension host) and Debian's Chromium for the
// integration layer. Every run gets its own temporary user-data, extensions and XDG folders, so a
// test never reads or writes the developer's own VS Code or code-server state.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Workbench settings that keep a fresh profile quiet and offline. */
const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

/** A throw-away folder tree for one code-server run. `trust: true` leaves Workspace Trust on. */
export function makeSandbox(prefix, { trust = false, settings = {} } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `fp8lab-${prefix}-`));
  const userDataDir = path.join(root, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        ...QUIET_SETTINGS,
        'security.workspace.trust.enabled': trust,
        ...settings,
      },
      null,
      2,
    ),
  );
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(extensionsDir);
  return {
    root,
    userDataDir,
    extensionsDir,
    trust,
    // code-server keeps its own config and heartbeat under XDG dirs (~/.config/code-server): keep them here.
    env: {
      XDG_DATA_HOME: path.join(root, 'xdg-data'),
      XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
      XDG_CACHE_HOME: path.join(root, 'xdg-cache'),
      EXTENSIONS_GALLERY: '{}', // no marketplace: nothing is fetched from a gallery
    },
    dispose() {
      if (!process.env.FP8LAB_KEEP_TMP) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

function baseArgs(tools, sandbox) {
  return [
    tools.codeServerEntry,
    '--user-data-dir',
    sandbox.userDataDir,
    '--extensions-dir',
    sandbox.extensionsDir,
    '--config',
    path.join(sandbox.userDataDir, 'code-server.yaml'),
  ];
}

/** A port the OS says is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `code-server --install-extension x.vsix` into the sandbox; resolves with its output. */
export function installVsix(tools, sandbox, vsixPath) {
  if (!fs.existsSync(vsixPath)) throw new Error(`no .vsix at ${vsixPath}: run \`npm run package\` first`);
  return new Promise((resolve, reject) => {
    const p = spawn(tools.node24, [...baseArgs(tools, sandbox), '--install-extension', vsixPath, '--force'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...sandbox.env },
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      out += d;
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`installing ${vsixPath} failed (exit ${code}):\n${out}`)),
    );
  });
}

/**
 * Starts code-server on a free 127.0.0.1 port and resolves once GET /healthz answers 200.
 * It runs in its own process group so stop() ends it together with the VS Code server, the
 * extension host and anything the extension forked (the runtime worker).
 */
export async function startCodeServer(tools, sandbox, { logFile, env = {}, extraArgs = [], timeoutMs = 90000 }) {
  const port = await freePort();
  const args = [
    ...baseArgs(tools, sandbox),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(sandbox.trust ? [] : ['--disable-workspace-trust']),
    ...extraArgs,
  ];
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const proc = spawn(tools.node24, args, {
    stdio: ['ignore', log, log],
    detached: true,
    env: { ...process.env, ...sandbox.env, ...env },
  });
  fs.closeSync(log);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const kill = (sig) => {
      try {
        process.kill(-proc.pid, sig);
      } catch {
        /* group already gone */
      }
    };
    kill('SIGTERM');
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10000).unref()),
    ]);
    if (!gone) kill('SIGKILL');
    // The group may outlive its leader for a moment (extension host, worker): make sure it is gone.
    kill('SIGKILL');
  };

  const started = Date.now();
  let early;
  exited.then((e) => {
    early = e;
  });
  for (;;) {
    if (early)
      throw new Error(
        `code-server exited before it was ready (${early.signal ?? `exit ${early.code}`}); see ${logFile}`,
      );
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { proc, port, url, authority: `127.0.0.1:${port}`, startMs: Date.now() - started, stop };
}

/** Headless Debian Chromium through playwright-core (no browser download), with its own profile. */
export async function launchBrowser(tools, sandbox) {
  const profile = path.join(sandbox.root, 'chromium-profile');
  return chromium.launchPersistentContext(profile, {
    executablePath: tools.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Collects the workbench console. The remote extension host forwards its console.* calls as
 * printf-style messages ('%c INFO', css, fmt, ...args); they are re-assembled into plain lines.
 */
export function collectConsole(page) {
  const lines = [];
  page.on('console', async (m) => {
    let text = m.text();
    try {
      const args = await Promise.all(m.args().map((a) => a.jsonValue()));
      if (typeof args[0] === 'string' && args[0].startsWith('%c')) {
        const rest = args.slice(2);
        text = `${args[0].slice(2).trim()} ${rest.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`;
      }
    } catch {
      /* page navigated: keep m.text() */
    }
    lines.push(`[${m.type()}] ${text}`);
  });
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.stack || e}`));
  return lines;
}

/** Lines that mean our extension failed to activate or the page threw. */
export function activationProblems(lines, extensionId) {
  const failed = new RegExp(`Activating extension '?${extensionId.replace('.', '\\.')}'? failed`, 'i');
  return lines.filter((l) => failed.test(l) || l.startsWith('[pageerror]'));
}
