// `npm test`: every layer of tests, one closing line `N passed, N failed[, N skipped]`, non-zero
// exit on any failure.
//   1. build      the addon if native/build is missing, the .vsix (`npm run package`), then the
//                 development bundles with tests (`node extension/build.mjs`); each is one check
//   2. typecheck  `tsc -p .` and `tsc -p webview`, one check each; then the format check
//                 (`prettier --check .`, as `npm run format:check`), one check
//   3. unit       `node --test` over test/dist/unit/**, counted from a TAP report
//   4. integration the mocha suite inside code-server's extension host (through
//                 @vscode/test-electron's runTests and code-test-shim.sh) and the Playwright scenario
// Before anything: the Debian packages the tests need (test/systemPackages.mjs) — installed when
// root, else the run stops in its first second with the command to run.
// Every test's temporary folders go under one folder of this run (TMPDIR), removed at the end.
// Flags: --only unit | --only integration (the build always runs: both layers test what it makes).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['unit', 'integration'];

function parseArgs(argv) {
  const i = argv.indexOf('--only');
  if (i === -1) return { only: undefined };
  const only = argv[i + 1];
  if (!LAYERS.includes(only)) {
    console.error(
      `run-all: --only takes one of ${LAYERS.join(' | ')} (got ${only === undefined ? 'nothing' : `'${only}'`})`,
    );
    process.exit(2);
  }
  return { only };
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const timings = [];
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs argv in the repo with output streamed through; resolves with the exit code. */
function run(argv, { env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(`  cannot start ${argv[0]}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** A command that is one check: exit 0 passes. */
async function check(name, argv, opts) {
  const t = Date.now();
  console.log(`\n── ${name}: ${argv.map((a) => (a.startsWith(repo) ? path.relative(repo, a) : a)).join(' ')}`);
  const code = await run(argv, opts);
  timings.push([name, Date.now() - t]);
  if (code === 0) totals.passed++;
  else {
    totals.failed++;
    failures.push(`${name} (exit ${code})`);
  }
  return code === 0;
}

function addCounts(layer, r) {
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped ?? 0;
  for (const t of r.tests ?? []) if (t.state === 'failed') failures.push(`${layer}: ${t.title}`);
  console.log(`  ${layer}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
}

const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function build() {
  const addon = path.join(repo, 'native/build/Release/fp8lab.node');
  if (!fs.existsSync(addon))
    await check('build the native addon (native/build was missing)', [npm, 'run', 'build:native']);
  // The .vsix first (production bundles), then the development bundles with tests over them, so
  // the extension-host suite runs unminified code with source maps.
  fs.rmSync(path.join(repo, 'fp8-gemm-lab.vsix'), { force: true });
  await check('package the .vsix (npm run package)', [npm, 'run', 'package']);
  return check('build bundles and tests (node extension/build.mjs)', [
    process.execPath,
    path.join(repo, 'extension/build.mjs'),
  ]);
}

async function typecheck() {
  await check('typecheck extension, protocol, tests (tsc -p .)', [process.execPath, tsc, '-p', '.']);
  await check('typecheck webview (tsc -p webview)', [process.execPath, tsc, '-p', 'webview']);
  await formatCheck();
}

/** `npm run format:check`: the sources as prettier writes them (.prettierrc.json, .prettierignore). */
async function formatCheck() {
  const name = 'format (prettier --check .)';
  const prettier = path.join(repo, 'node_modules/prettier/bin/prettier.cjs');
  if (!fs.existsSync(prettier)) {
    totals.failed++;
    failures.push(`${name}: prettier is not installed`);
    console.log(
      `\n── ${name}\n  FAIL prettier is not installed: run \`npm ci\` (it is a devDependency), then \`npm run format\``,
    );
    return;
  }
  if (!(await check(name, [process.execPath, prettier, '--check', '.'])))
    console.log('  run `npm run format` to format them');
}

/** node --test over the unit bundles: spec output for people, TAP to a file for counting. */
async function unit() {
  const dir = path.join(repo, 'test/dist/unit');
  const t = Date.now();
  console.log('\n── unit tests: node --test test/dist/unit/');
  if (!fs.existsSync(dir)) {
    totals.failed++;
    failures.push('unit: test/dist/unit does not exist (the build made no unit test bundles)');
    console.log('  FAIL test/dist/unit does not exist');
    return;
  }
  // A file of this run's own: several people may run `npm test` in one checkout at once.
  const tapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-unit-'));
  const tap = path.join(tapDir, 'unit.tap');
  const code = await run([
    process.execPath,
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    dir,
  ]);
  timings.push(['unit tests', Date.now() - t]);
  const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.mkdirSync(path.join(repo, 'test/out'), { recursive: true });
  if (report) fs.writeFileSync(path.join(repo, 'test/out/unit.tap'), report); // kept for reading afterwards
  fs.rmSync(tapDir, { recursive: true, force: true });
  const count = (key) => Number(report.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? NaN);
  const r = {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
  if (Object.values(r).some(Number.isNaN)) {
    totals.failed++;
    failures.push(`unit: node --test wrote no TAP summary (exit ${code})`);
    console.log(`  FAIL node --test wrote no summary (exit ${code})`);
    return;
  }
  // Failed tests are named in the TAP report as "not ok N - title".
  const failedNames = [...report.matchAll(/^\s*not ok \d+ - (.+)$/gm)].map((m) => ({ title: m[1], state: 'failed' }));
  if (code !== 0 && r.failed === 0) {
    r.failed = 1;
    failedNames.push({ title: `node --test exited ${code}`, state: 'failed' });
  }
  addCounts('unit', { ...r, tests: failedNames });
}

/** A layer's outcome; a runner that throws instead of reporting counts as one failure. */
async function settle(name, runLayer) {
  try {
    return await runLayer();
  } catch (e) {
    console.log(`  FAIL ${name}: ${e?.stack ?? e}`);
    return { passed: 0, failed: 1, skipped: 0, tests: [{ title: `${name} ran`, state: 'failed' }] };
  }
}

async function integration() {
  if (systemTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = systemTmp;
  const { ensureTools } = await import('./integration/tools.mjs');
  let t = Date.now();
  console.log('\n── integration: test tools (Node 24, code-server, Chromium)');
  try {
    const tools = await ensureTools();
    console.log(`  tools in ${tools.root}`);
  } catch (e) {
    totals.failed++;
    failures.push(`integration: test tools: ${e.message.split('\n')[0]}`);
    console.log(`  FAIL ${e.message}`);
    return;
  }
  timings.push(['integration tools', Date.now() - t]);

  t = Date.now();
  console.log('\n── integration: mocha suite in the extension host (runTests + code-test-shim.sh → code-server)');
  const { runViaTestElectron } = await import('./integration/runViaTestElectron.mjs');
  addCounts('extension host', await settle('extension-host suite', runViaTestElectron));
  timings.push(['extension-host suite', Date.now() - t]);

  t = Date.now();
  console.log('\n── integration: Playwright scenario (installed .vsix in code-server)');
  const { runScenario } = await import('./integration/scenario.mjs');
  addCounts('scenario', await settle('Playwright scenario', runScenario));
  timings.push(['Playwright scenario', Date.now() - t]);
}

const { only } = parseArgs(process.argv.slice(2));
const { ensureSystemPackages } = await import('./systemPackages.mjs');
const packages = ensureSystemPackages({ say: (m) => console.log(`── system packages: ${m}`) });
if (!packages.ok) {
  console.error(`\n${packages.message}`);
  process.exit(1);
}
// One temporary folder for this run: every fp8lab-* folder a build or unit test makes lands in it
// (os.tmpdir() follows TMPDIR in this process and its children) and goes with it, even when a test
// fails. Readable by all like /tmp itself: the test Slurm's munged wants its socket's folder
// reachable. The integration layer removes its own folders and runs with the usual TMPDIR: the
// messages it reads name temporary paths, and a longer prefix would push their ends out of a
// notification's width.
const systemTmp = process.env.TMPDIR;
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-test-run-'));
fs.chmodSync(runTmp, 0o755);
process.env.TMPDIR = runTmp;
const removeRunTmp = () => fs.rmSync(runTmp, { recursive: true, force: true });
process.on('exit', removeRunTmp);
const t = Date.now();
await build();
timings.push(['build total', Date.now() - t]);
if (!only || only === 'unit') {
  await typecheck();
  await unit();
}
if (!only || only === 'integration') await integration();

console.log('\n── timings');
for (const [name, ms] of timings) console.log(`  ${name.padEnd(60)} ${secs(ms).padStart(9)}`);
console.log(`  ${'total'.padEnd(60)} ${secs(Date.now() - t0).padStart(9)}`);
if (failures.length) console.log(`\n── failed\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
