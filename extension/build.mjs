// Bundles every entry point with esbuild. Entries are found by convention, so a new feature needs
// no edit here:
//   extension/src/main.ts            -> extension/dist/main.js     (extension host, CJS, 'vscode' external)
//   extension/src/worker/worker.ts   -> extension/dist/worker.js   (runtime worker, plain Node)
//   extension/src/cli.ts             -> extension/dist/cli.js      (`fp8lab` command line)
//   extension/server/server.ts       -> extension/dist/server.js   (kernel language server)
//   webview/src/apps/<name>.ts       -> webview/dist/<name>.js     (one IIFE per webview app)
//   test/**/*.test.ts, test/integration/suite/index.ts, test/gpu/*.ts -> test/dist/... (tests)
// Flags: --production (minify, no sourcemaps), --no-tests.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const withTests = !process.argv.includes('--no-tests') && !production;

const at = (p) => join(root, p);
const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // The addon is loaded at run time by path (see extension/src/worker/addon.ts), never bundled.
  external: ['vscode', 'mocha', 'playwright-core', 'jsdom', '*.node'],
};

function walk(dir, accept, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'dist' && name !== 'fixtures') walk(p, accept, out);
    } else if (accept(p)) out.push(p);
  }
  return out;
}

const builds = [];
const entry = (src, outfile, extra = {}) => {
  if (existsSync(at(src)))
    builds.push(esbuild.build({ ...node, entryPoints: [at(src)], outfile: at(outfile), ...extra }));
};
entry('extension/src/main.ts', 'extension/dist/main.js');
entry('extension/src/worker/worker.ts', 'extension/dist/worker.js');
entry('extension/src/cli.ts', 'extension/dist/cli.js', { banner: { js: '#!/usr/bin/env node' } });
entry('extension/server/server.ts', 'extension/dist/server.js');

for (const src of walk(at('webview/src/apps'), (p) => p.endsWith('.ts'))) {
  const name = relative(at('webview/src/apps'), src).replace(/\.ts$/, '');
  builds.push(
    esbuild.build({
      entryPoints: [src],
      outfile: at(`webview/dist/${name}.js`),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: production ? false : 'linked',
      minify: production,
      logLevel: 'warning',
    }),
  );
}

if (withTests) {
  // Bundles of tests that were moved or deleted must not run again from an old path.
  rmSync(at('test/dist'), { recursive: true, force: true });
  const tests = [
    ...walk(at('test'), (p) => p.endsWith('.test.ts')),
    ...walk(at('test/integration/suite'), (p) => p.endsWith('index.ts')),
    ...walk(at('test/gpu'), (p) => p.endsWith('.ts')),
  ];
  for (const src of new Set(tests)) {
    const rel = relative(at('test'), src).replace(/\.ts$/, '.js');
    builds.push(esbuild.build({ ...node, entryPoints: [src], outfile: at(join('test/dist', rel)) }));
  }
}

const results = await Promise.allSettled(builds);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed) console.error(f.reason?.message ?? f.reason);
if (failed.length) process.exit(1);
// package.json `bin` points at the CLI bundle: npx runs it directly, so it must be executable.
if (existsSync(at('extension/dist/cli.js'))) chmodSync(at('extension/dist/cli.js'), 0o755);
console.log(`built ${results.length} bundle(s)${production ? ' (production)' : ''}`);
