// The user's path through a real VS Code (code-server + headless Debian Chromium via playwright-core):
// install the packaged .vsix, open a workspace holding a copy of kernels/, run "Run FP8 GEMM
// benchmark" from the palette and read what it shows, open the FP8 GEMM Lab side view and read the
// Config Explorer webview, and check the console for activation failures and uncaught errors.
// Every step is screenshotted into test/out/screenshots/. Waits are on selectors/events only.
//
// CLI: node test/integration/scenario.mjs [path/to/fp8-gemm-lab.vsix]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { activationProblems, collectConsole, installVsix, launchBrowser, makeSandbox, startCodeServer } from './codeServer.mjs';
import { ensureTools } from './tools.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION_ID = 'fp8lab.fp8-gemm-lab';

/** Visible text of the newest notification toasts (or the notification center's list), whitespace-folded. */
async function notificationTexts(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast-container .notification-list-item-message');
  const n = await toasts.count();
  const out = [];
  for (let i = 0; i < n; i++) out.push((await toasts.nth(i).innerText()).replace(/\s+/g, ' ').trim());
  return out;
}

/** Polls fn (an async predicate returning a value or undefined) on animation-frame-like steps until it yields. */
async function waitFor(what, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v !== undefined && v !== false) return v; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not seen within ${timeoutMs} ms${last ? ` (last error: ${last.message})` : ''}`);
}

export async function runScenario({
  vsix = path.join(repo, 'fp8-gemm-lab.vsix'),
  outDir = path.join(repo, 'test/out'),
  print = (l) => console.log(l),
} = {}) {
  const shots = path.join(outDir, 'screenshots');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const results = [];
  let shotIndex = 0;
  let page;
  const shot = async (name) => { if (page) await page.screenshot({ path: path.join(shots, `${String(++shotIndex).padStart(2, '0')}-${name}.png`) }); };
  const step = async (name, fn) => {
    const t = Date.now();
    try {
      const detail = await fn();
      results.push({ title: name, state: 'passed', durationMs: Date.now() - t, detail });
      print(`  ok   ${name} (${Date.now() - t} ms)${detail ? `: ${detail}` : ''}`);
    } catch (e) {
      results.push({ title: name, state: 'failed', durationMs: Date.now() - t, error: String(e?.stack ?? e) });
      print(`  FAIL ${name}: ${String(e?.message ?? e).split('\n').slice(0, 8).join('\n       ')}`);
      await shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
      throw e;
    }
  };

  const tools = await ensureTools();
  const sandbox = makeSandbox('scenario');
  const workspace = path.join(sandbox.root, 'workspace');
  fs.mkdirSync(workspace);
  fs.cpSync(path.join(repo, 'kernels'), path.join(workspace, 'kernels'), { recursive: true });
  let server, browser, consoleLines = [];
  try {
    await step('install the packaged .vsix into code-server', async () => {
      const out = await installVsix(tools, sandbox, vsix);
      const installed = fs.readdirSync(sandbox.extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
      if (installed.length !== 1) throw new Error(`expected one ${EXTENSION_ID}-* folder in the extensions dir, found [${installed}]\n${out}`);
      return installed[0];
    });

    server = await startCodeServer(tools, sandbox, { logFile: path.join(outDir, 'integration', 'code-server-scenario.log') });
    browser = await launchBrowser(tools, sandbox);
    page = browser.pages()[0] ?? await browser.newPage();
    consoleLines = collectConsole(page);

    await step('workbench opens the workspace with kernels/', async () => {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'kernels' }).first().waitFor({ timeout: 60_000 });
      await shot('workbench');
      return `code-server ready in ${server.startMs} ms`;
    });

    await step('palette lists and runs "Run FP8 GEMM benchmark"', async () => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('>Run FP8 GEMM benchmark');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run FP8 GEMM benchmark' }).first();
      await row.waitFor({ timeout: 30_000 });
      await shot('palette');
      const label = (await row.innerText()).replace(/\s+/g, ' ').trim();
      await page.keyboard.press('Enter');
      return `picked "${label}"`;
    });

    await step('the command offers DeepSeek-V3 shape presets', async () => {
      // The palette is a quick input too (its value starts with '>'): wait for the command's own pick.
      const quickInput = page.locator('.quick-input-widget');
      const preset = quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'DeepSeek-V3 decode' }).first();
      await waitFor('the shape quick pick', async () =>
        (await quickInput.isVisible()) && !(await quickInput.locator('input').inputValue()).startsWith('>') && (await preset.isVisible()) || undefined);
      await shot('benchmark-presets');
      const rows = (await quickInput.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      await preset.click();
      return rows.join(' | ');
    });

    await step('without a GPU it says why and offers study mode', async () => {
      // On a Hopper machine the run starts instead (results panel); here there is no driver, so the
      // command must explain itself in a notification. Progress toasts ("checking the GPU…") come first.
      const outcome = await waitFor('the benchmark command\'s verdict', async () => {
        const texts = await notificationTexts(page);
        const verdict = texts.find((t) => /Cannot time|benchmark failed|not trusted/i.test(t));
        if (verdict) return { kind: 'message', text: verdict };
        if (await page.locator('.tabs-container .tab', { hasText: /FP8 GEMM/ }).count()) return { kind: 'panel', text: 'results panel opened' };
        return undefined;
      }, 90_000);
      await shot('benchmark-verdict');
      if (outcome.kind === 'panel') return outcome.text;
      if (/benchmark failed|not trusted/i.test(outcome.text)) throw new Error(`the command failed: ${outcome.text}`);
      if (!/(driver|GPU|Hopper)/.test(outcome.text)) throw new Error(`the message does not say what is missing: ${outcome.text}`);
      const buttons = (await page.locator('.notifications-toasts .notification-toast-container .monaco-button').allInnerTexts()).map((b) => b.trim());
      if (!buttons.some((b) => /Config Explorer/.test(b))) throw new Error(`no "Open Config Explorer" action among [${buttons.join(', ')}]`);
      return `"${outcome.text}" [${buttons.join(' | ')}]`;
    });

    await step('activity bar opens FP8 GEMM Lab and the Config Explorer webview renders', async () => {
      await page.keyboard.press('Escape');
      const item = page.locator('.activitybar .action-item .action-label[aria-label^="FP8 GEMM Lab"], .activitybar .action-item a[aria-label^="FP8 GEMM Lab"]').first();
      await item.waitFor({ timeout: 30_000 });
      await item.click();
      // With one view in the container VS Code hides the pane header and titles the side bar with it.
      await page.locator('.part.sidebar .pane-header[aria-label^="Config Explorer"]').first().waitFor({ state: 'attached', timeout: 30_000 });
      await page.locator('.part.sidebar .title-label', { hasText: /FP8 GEMM Lab/i }).first().waitFor({ timeout: 30_000 });
      // A webview is two nested iframes: the host frame (iframe.webview.ready) and its content (#active-frame).
      const body = page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame').locator('body');
      const text = await waitFor('text rendered in the Config Explorer webview', async () => {
        const t = (await body.innerText({ timeout: 2000 })).replace(/\s+/g, ' ').trim();
        return t.length > 20 ? t : undefined;
      });
      await shot('config-explorer');
      // Without a GPU the view leads with the environment and says what cannot be done.
      if (!/GPU|driver/i.test(text)) throw new Error(`the view does not mention the GPU/driver status: ${text.slice(0, 300)}`);
      return `"${text.slice(0, 160)}${text.length > 160 ? '…' : ''}"`;
    });

    await step('Config Explorer lists the candidate configs of a DeepSeek-V3 shape', async () => {
      // gemm/configs is pure policy (no GPU): the heuristic's candidates, rejected ones with reasons.
      const view = page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
      const shape = view.locator('input#shape');
      await shape.fill('64,2112,7168');
      await shape.press('Enter');
      const heading = view.locator('h2', { hasText: /64x2112x7168/ });
      const message = view.locator('p.form-message');
      // Either the candidate table's heading, or the coded error the view shows under the form.
      const shown = await waitFor('the candidate list (or an error under the shape form)', async () => {
        if (await heading.count()) return 'list';
        const m = (await message.count()) ? (await message.innerText()).trim() : '';
        return m ? `error: ${m}` : undefined;
      });
      if (shown !== 'list') throw new Error(`the view answered with ${shown}`);
      const title = (await heading.innerText()).trim();
      const m = /(\d+) legal of (\d+) candidates/.exec(title);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw new Error(`unexpected heading: ${title}`);
      const why = (await view.locator('p.why').innerText()).replace(/\s+/g, ' ').trim();
      await heading.scrollIntoViewIfNeeded();
      await shot('config-explorer-candidates');
      return `${title}; ${why.slice(0, 140)}${why.length > 140 ? '…' : ''}`;
    });

    await step('no activation failure or uncaught error in the browser console', async () => {
      const bad = [...activationProblems(consoleLines, EXTENSION_ID),
        ...consoleLines.filter((l) => l.startsWith('[error]') && /fp8lab|fp8-gemm-lab/i.test(l))];
      if (bad.length) throw new Error(bad.join('\n'));
      return `${consoleLines.length} console lines checked`;
    });
  } catch {
    /* the failing step was recorded and printed */
  } finally {
    fs.mkdirSync(path.join(outDir, 'integration'), { recursive: true });
    fs.writeFileSync(path.join(outDir, 'integration', 'scenario-console.log'), consoleLines.join('\n'));
    await browser?.close().catch(() => {});
    await server?.stop();
    sandbox.dispose();
  }
  const passed = results.filter((r) => r.state === 'passed').length;
  return { passed, failed: results.length - passed, skipped: 0, tests: results };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await runScenario({ vsix: process.argv[2] ? path.resolve(process.argv[2]) : undefined });
  console.log(`${r.passed} passed, ${r.failed} failed`);
  process.exit(r.failed ? 1 : 0);
}
