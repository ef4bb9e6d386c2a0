// The packaged extension (fp8-gemm-lab.vsix, made by `npm run package`) holds exactly what
// .vscodeignore allows, and everything the installed extension needs to run.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listZip, readZipEntry } from './zip';

import { repoRoot } from '../repoRoot';

const root = repoRoot();
const vsixPath = path.join(root, 'fp8-gemm-lab.vsix');

// What a .vsix may hold: vsce's own two files, and under extension/ the .vscodeignore allowlist.
const VSIX_META = ['extension.vsixmanifest', '[Content_Types].xml'];
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^readme\.md$/i, // vsce stores README.md as readme.md
  /^extension\/dist\/[^/]+\.js$/,
  /^webview\/dist\/[^/]+\.js$/,
  /^native\/build\/Release\/fp8lab\.node$/,
  /^kernels\/.+/,
  /^media\/.+/,
  /^extension\/peers\/[^/]+\.py$/,
];
const REQUIRED = [
  'package.json',
  'readme.md',
  'extension/dist/main.js',
  'extension/dist/worker.js',
  'native/build/Release/fp8lab.node',
  'kernels/include/fp8lab/gemm_args.h',
  'media/icon.svg',
  'extension/peers/peer_helper.py',
];

function readVsix() {
  assert.ok(fs.existsSync(vsixPath), `${vsixPath} is missing: run \`npm run package\` (npm test does it first)`);
  const buf = fs.readFileSync(vsixPath);
  const entries = listZip(buf);
  const files = entries.map((e) => e.name).filter((n) => !n.endsWith('/'));
  return { buf, entries, files };
}

test('the .vsix holds only allowlisted files', () => {
  const { files } = readVsix();
  const outside = files.filter((f) => !VSIX_META.includes(f) && !f.startsWith('extension/'));
  assert.deepEqual(outside, [], 'entries outside extension/ other than the vsix manifest');
  const extra = files
    .filter((f) => f.startsWith('extension/'))
    .map((f) => f.slice('extension/'.length))
    .filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.deepEqual(extra, [], 'files not in the .vscodeignore allowlist');
});

test('the .vsix holds what the installed extension needs', () => {
  const { files } = readVsix();
  const missing = REQUIRED.filter((f) => !files.includes(`extension/${f}`));
  assert.deepEqual(missing, [], 'required files missing from the .vsix');
  assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  assert.ok(!files.some((f) => /^extension\/(test|node_modules)\//.test(f)), 'no tests, no node_modules');
});

test("the packaged package.json's main, bin and webview bundles are in the .vsix", () => {
  const { buf, entries, files } = readVsix();
  const manifestEntry = entries.find((e) => e.name === 'extension/package.json');
  assert.ok(manifestEntry);
  const manifest = JSON.parse(readZipEntry(buf, manifestEntry).toString('utf8')) as {
    main: string;
    bin?: Record<string, string>;
  };
  const inVsix = (p: string) => files.includes(`extension/${path.posix.normalize(p)}`);
  assert.ok(inVsix(manifest.main), `main ${manifest.main} is packaged`);
  for (const [name, p] of Object.entries(manifest.bin ?? {})) assert.ok(inVsix(p), `bin ${name} → ${p} is packaged`);
  // Every webview app that was built is shipped.
  const built = fs.existsSync(path.join(root, 'webview/dist'))
    ? fs.readdirSync(path.join(root, 'webview/dist')).filter((f) => f.endsWith('.js'))
    : [];
  const unshipped = built.filter((f) => !inVsix(`webview/dist/${f}`));
  assert.deepEqual(unshipped, [], 'built webview apps missing from the .vsix');
  // Kernel sources ship whole: every file under kernels/include is in the package.
  const headers = walk(path.join(root, 'kernels/include')).map((f) => path.relative(root, f).split(path.sep).join('/'));
  const unshippedHeaders = headers.filter((h) => !inVsix(h));
  assert.deepEqual(unshippedHeaders, [], 'kernel headers missing from the .vsix');
});

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

test('the .vsix is a platform package for the machine whose addon it carries', () => {
  // The .node inside was compiled here, so the package must say which platform it runs on.
  const { buf, entries } = readVsix();
  const manifestEntry = entries.find((e) => e.name === 'extension.vsixmanifest');
  assert.ok(manifestEntry, 'extension.vsixmanifest is present');
  const identity = /<Identity\b[^>]*>/.exec(readZipEntry(buf, manifestEntry).toString('utf8'))?.[0] ?? '';
  assert.match(identity, new RegExp(`TargetPlatform="${process.platform}-${process.arch}"`), `identity: ${identity}`);
});
