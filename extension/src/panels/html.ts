// The HTML page every FP8 GEMM Lab webview loads: a strict Content-Security-Policy with a fresh
// nonce per load, our own script and stylesheets only (no remote resources, no inline code
// without the nonce). Pure string building: no vscode import, so it is unit-tested directly.

import { randomBytes } from 'node:crypto';

export interface PageOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  title: string;
  /** asWebviewUri of webview/dist/<app>.js */
  scriptUri: string;
  /** asWebviewUri of media/*.css */
  styleUris: string[];
}

/**
 * The stylesheets every view links, in cascade order: the shared look, the chart marks, the
 * timeline/accuracy/config-picture styles, the SASS view's. One list for all views, so a view never renders with a
 * sheet missing (the installed extension once showed the timeline unstyled because one was).
 */
export const STYLE_SHEETS: readonly string[] = ['webview.css', 'charts.css', 'trace.css', 'sass.css'];

/** 128 bits of randomness, base64 without padding characters that would need escaping. */
export function makeNonce(): string {
  return randomBytes(16)
    .toString('base64')
    .replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return (
    [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${cspSource} 'nonce-${nonce}'`,
      `img-src ${cspSource} data:`,
      `font-src ${cspSource}`,
    ].join('; ') + ';'
  );
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function pageHtml(o: PageOptions): string {
  const styles = o.styleUris
    .map((u) => `  <link rel="stylesheet" href="${escapeAttr(u)}" nonce="${o.nonce}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, o.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${escapeAttr(o.title)}</title>
</head>
<body>
  <main id="app" aria-live="polite"><p>Loading…</p></main>
  <script nonce="${o.nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
