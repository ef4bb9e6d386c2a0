import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, pageHtml } from '../../../extension/src/panels/html';

describe('webview page', () => {
  it('uses a fresh nonce per load', () => {
    const a = makeNonce(),
      b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{20,}$/);
  });
  it('has a strict CSP: nothing by default, scripts only by nonce, styles from the extension', () => {
    const csp = contentSecurityPolicy('https://cs.example', 'N0NCE');
    assert.equal(
      csp,
      "default-src 'none'; script-src 'nonce-N0NCE'; style-src https://cs.example 'nonce-N0NCE'; img-src https://cs.example data:; font-src https://cs.example;",
    );
    assert.doesNotMatch(csp, /unsafe-/);
  });
  it('loads only the given script (with the nonce) and stylesheets, and escapes attribute text', () => {
    const html = pageHtml({
      cspSource: 'https://cs.example',
      nonce: 'N0NCE',
      title: 'A "quoted" <title>',
      scriptUri: 'https://cs.example/webview/dist/results.js',
      styleUris: ['https://cs.example/media/webview.css'],
    });
    assert.match(html, /<script nonce="N0NCE" src="https:\/\/cs.example\/webview\/dist\/results.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/cs.example\/media\/webview.css" nonce="N0NCE">/);
    assert.match(html, /<title>A &quot;quoted&quot; &lt;title&gt;<\/title>/);
    assert.doesNotMatch(html, /https?:\/\/(?!cs\.example)/);
  });
});

describe('stylesheets of the views', () => {
  it('every stylesheet the extension ships in media/ is linked by every view', async () => {
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { repoRoot } = await import('../repoRoot');
    const root = repoRoot();
    const { STYLE_SHEETS } = await import('../../../extension/src/panels/html');
    const shipped = readdirSync(join(root, 'media'))
      .filter((f) => f.endsWith('.css'))
      .sort();
    assert.deepEqual([...STYLE_SHEETS].sort(), shipped);
  });
});
