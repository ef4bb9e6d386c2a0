// SVG snapshot helper: renders into a jsdom document and compares the markup exactly with
// test/fixtures/snapshots/<name>.svg. UPDATE_SNAPSHOTS=1 rewrites the stored file instead.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JSDOM } from 'jsdom';
import { repoRoot } from '../repoRoot';

export function newRoot(): { document: Document; root: HTMLElement } {
  const dom = new JSDOM('<!doctype html><html><body><div id="root"></div></body></html>');
  const document = dom.window.document;
  return { document, root: document.getElementById('root') as HTMLElement };
}

export function assertSnapshot(name: string, markup: string): void {
  const file = join(repoRoot(), 'test', 'fixtures', 'snapshots', `${name}.svg`);
  const text = markup.replace(/></g, '>\n<') + '\n';
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing: run the tests once with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(text, readFileSync(file, 'utf8'), `render() output differs from ${file}`);
}
