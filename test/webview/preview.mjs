// Renders each webview app (webview/dist/<app>.js) in headless Chromium with a stand-in for the
// VS Code webview API that answers `ready` with an `init` snapshot read from a JSON file, then
// screenshots it and fails on any page error or console error. For looking at the views outside
// VS Code (the real-VS Code scenario lives in test/integration).
//
//   node test/webview/preview.mjs <app> <snapshot.json> <out.png> [width] [height]
//
// Uses playwright-core with the system Chromium (/usr/bin/chromium or $CHROMIUM).
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [app, snapFile, out, width = '1100', height = '800'] = process.argv.slice(2);
if (!app || !snapFile || !out) {
  console.error(
    'usage: node test/webview/preview.mjs <results|explorer|registers> <snapshot.json> <out.png> [width] [height]',
  );
  process.exit(2);
}
const snapshot = JSON.parse(readFileSync(snapFile, 'utf8'));
// A dark theme's variables, so the page looks as it does in VS Code's default dark theme.
const theme = `
  --vscode-foreground:#cccccc; --vscode-editor-background:#1f1f1f; --vscode-font-family:system-ui,sans-serif; --vscode-font-size:13px;
  --vscode-descriptionForeground:#9d9d9d; --vscode-badge-background:#616161; --vscode-badge-foreground:#f8f8f8;
  --vscode-inputValidation-warningBackground:#352a05; --vscode-inputValidation-warningBorder:#b89500; --vscode-inputValidation-errorBorder:#be1100;
  --vscode-button-background:#0078d4; --vscode-button-foreground:#fff; --vscode-button-hoverBackground:#026ec1;
  --vscode-button-secondaryBackground:#313131; --vscode-button-secondaryForeground:#ccc; --vscode-button-secondaryHoverBackground:#3c3c3c;
  --vscode-input-background:#313131; --vscode-input-foreground:#ccc; --vscode-input-border:#3c3c3c; --vscode-focusBorder:#0078d4;
  --vscode-panel-border:#2b2b2b; --vscode-editorGroup-border:#2b2b2b; --vscode-list-hoverBackground:#2a2d2e;
  --vscode-charts-blue:#3794ff; --vscode-charts-orange:#d18616; --vscode-charts-green:#89d185; --vscode-charts-red:#f14c4c;
  --vscode-charts-purple:#b180d7; --vscode-charts-yellow:#cca700; --vscode-errorForeground:#f85149; --vscode-editorWarning-foreground:#cca700;
  --vscode-disabledForeground:#6b6b6b;`;
const dir = mkdtempSync(join(tmpdir(), 'fp8lab-preview-'));
const page = `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${root}/media/webview.css"><link rel="stylesheet" href="file://${root}/media/charts.css"><link rel="stylesheet" href="file://${root}/media/trace.css">
<style>html{${theme}}</style>
<script>
  window.__sent = [];
  const snapshot = ${JSON.stringify(snapshot)};
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage(m) {
      window.__sent.push(m);
      if (m.kind === 'notification' && m.method === 'ready') window.postMessage({ kind: 'notification', method: 'init', params: { version: 1, snapshot } }, '*');
      if (m.kind === 'request') window.postMessage({ kind: 'response', id: m.id, error: { code: 'E_BAD_ARGUMENT', message: 'preview: no host' } }, '*');
    },
    getState() { return state; },
    setState(s) { state = s; },
  });
</script></head><body><main id="app"><p>Loading…</p></main>
<script src="file://${root}/webview/dist/${app}.js"></script></body></html>`;
const file = join(dir, `${app}.html`);
writeFileSync(file, page);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--allow-file-access-from-files'],
});
const errors = [];
try {
  const p = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await p.goto(`file://${file}`);
  // Rendered when the loading text is gone and the page sent 'ready'.
  await p.waitForFunction(
    () => !document.body.textContent.includes('Loading…') && window.__sent.some((m) => m.method === 'ready'),
  );
  await p.screenshot({ path: out, fullPage: true });
  const logs = await p.evaluate(() => window.__sent.filter((m) => m.method === 'log/didWrite'));
  for (const l of logs) errors.push(`view log: ${l.params.text}`);
  const text = await p.evaluate(() => document.body.innerText);
  console.log(text.split('\n').slice(0, 12).join('\n'));
} finally {
  await browser.close();
}
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
console.log(`wrote ${out}`);
