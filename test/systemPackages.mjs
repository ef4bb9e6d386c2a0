// The Debian packages `npm test` needs beyond npm's own: Chromium (the browser the integration
// tests drive), libkrb5-dev (code-server's kerberos module compiles against it when the test tools
// are installed), slurm-wlm and munge (the sweep tests start a one-node Slurm of their own).
// Checked in the first second of `npm test`: as root with apt-get they are installed the way the
// test tools are; otherwise the run stops at once with the one command that installs them.
// CLI: `node test/systemPackages.mjs` checks (and, as root, installs) and prints what it did.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const onPath = (name) =>
  (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)));
const dpkgInstalled = (pkg) => {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
};

/** Each package with the check that says it is there (a file it ships, or dpkg's word). */
export const SYSTEM_PACKAGES = [
  {
    pkg: 'chromium',
    why: 'the browser the integration tests drive',
    present: () => fs.existsSync(process.env.FP8LAB_CHROMIUM || '/usr/bin/chromium'),
  },
  {
    pkg: 'libkrb5-dev',
    why: "code-server's kerberos module builds against it",
    present: () => dpkgInstalled('libkrb5-dev'),
  },
  {
    pkg: 'slurm-wlm',
    why: 'the sweep tests run a one-node Slurm',
    present: () => fs.existsSync('/usr/sbin/slurmctld') && fs.existsSync('/usr/sbin/slurmd') && onPath('sbatch'),
  },
  { pkg: 'munge', why: "Slurm's authentication", present: () => fs.existsSync('/usr/sbin/munged') },
];

export function missingPackages() {
  return SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.pkg);
}

export function installCommand(missing) {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`;
}

/**
 * Returns { ok: true, installed: [...] } when every package is (now) there, or
 * { ok: false, message } naming what is missing and the one command to run.
 */
export function ensureSystemPackages({ say = (m) => console.log(m) } = {}) {
  const missing = missingPackages();
  if (missing.length === 0) return { ok: true, installed: [] };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    const lines = SYSTEM_PACKAGES.filter((p) => missing.includes(p.pkg)).map((p) => `  ${p.pkg.padEnd(12)} ${p.why}`);
    return {
      ok: false,
      message:
        `npm test needs Debian packages that are not installed:\n${lines.join('\n')}\n` +
        `Install them with:\n  ${installCommand(missing)}\nthen run npm test again (as root, npm test installs them itself).`,
    };
  }
  say(`installing ${missing.join(', ')} with apt-get (as root, the way the test tools are installed)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const argv of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const r = spawnSync(argv[0], argv.slice(1), { env, stdio: 'inherit' });
    if (r.status !== 0)
      return {
        ok: false,
        message: `${argv.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}); run it yourself, then npm test again.`,
      };
  }
  const still = missingPackages();
  if (still.length)
    return {
      ok: false,
      message: `apt-get installed ${missing.join(' ')} but ${still.join(', ')} still look missing; install with:\n  ${installCommand(still)}`,
    };
  return { ok: true, installed: missing };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = ensureSystemPackages();
  if (!r.ok) {
    console.error(r.message);
    process.exit(1);
  }
  console.log(r.installed.length ? `installed ${r.installed.join(', ')}` : 'all system packages present');
}
