// core/ is the pure layer: every file there imports only other core files and the protocol's
// types, never 'vscode', a node: module (files, processes), the addon or the DOM, so it runs and
// is tested anywhere. Read from the sources, so a new import of I/O into core/ fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../repoRoot';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g;

test('core/ imports only core/ and protocol/ (no vscode, no node: modules, no addon, no DOM)', () => {
  const root = repoRoot();
  const core = join(root, 'extension/src/core');
  const protocol = join(root, 'extension/protocol');
  const files = tsFiles(core);
  assert.ok(files.length > 50, `found the core sources (${files.length} files)`);
  const bad: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = spec.startsWith('.') ? resolve(dirname(file), spec) : undefined;
      const inside = target !== undefined && [core, protocol].some((d) => !relative(d, target).startsWith('..'));
      if (!inside) bad.push(`${relative(root, file)}: '${spec}'`);
    }
    if (/\b(document|window)\.\w/.test(text.replace(/\/\/.*$/gm, '')))
      bad.push(`${relative(root, file)}: uses the DOM`);
  }
  assert.deepEqual(bad, []);
});
