// A real one-node Slurm for the tests, from Debian's slurm-wlm and munge packages (.ci/run installs
// them): munged, slurmctld and slurmd started as this user inside a scratch folder, with their own
// munge key and socket, free ports and a slurm.conf that SLURM_CONF points every command at. Nothing
// outside the scratch folder is touched; stop() ends exactly the daemons it started.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';

export interface TestCluster {
  dir: string;
  conf: string;
  partition: string;
  /** process.env plus SLURM_CONF: what every Slurm command and the CLI under test get. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const DAEMONS = ['munged', 'slurmctld', 'slurmd'] as const;
const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SBIN];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function run(
  tool: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, args, { env, timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTestCluster(): Promise<TestCluster> {
  const tools = Object.fromEntries([...DAEMONS, 'munge', 'sbatch', 'sinfo'].map((t) => [t, findTool(t)]));
  const missing = Object.entries(tools)
    .filter(([, p]) => !p)
    .map(([t]) => t);
  if (missing.length) {
    throw new Error(
      `the Slurm tests need Debian's slurm-wlm and munge packages (missing: ${missing.join(', ')}); ` +
        'install them with `apt-get install -y --no-install-recommends slurm-wlm munge` (.ci/run does)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'fp8lab-slurm-'));
  const munge = join(dir, 'munge');
  const keyDir = join(dir, 'munge-key');
  for (const d of [munge, keyDir, join(dir, 'state'), join(dir, 'spool'), join(dir, 'log')])
    mkdirSync(d, { recursive: true });
  chmodSync(munge, 0o755); // munged wants its socket's folder reachable by everyone
  chmodSync(keyDir, 0o700);
  const key = join(keyDir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(munge, 'munge.socket');

  const started: string[] = [];
  const stop = async () => {
    for (const pidFile of [...started].reverse()) {
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : NaN);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(100);
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const mungePid = join(munge, 'munged.pid');
    execFileSync(
      tools.munged!,
      [
        '--force',
        `--socket=${socket}`,
        `--key-file=${key}`,
        `--log-file=${join(dir, 'log', 'munged.log')}`,
        `--pid-file=${mungePid}`,
        `--seed-file=${join(munge, 'munged.seed')}`,
      ],
      { timeout: 20_000 },
    );
    started.push(mungePid);

    const host = hostname();
    const user = userInfo().username;
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const memMiB = Math.floor((totalmem() / 2 ** 20) * 0.8);
    const conf = join(dir, 'slurm.conf');
    writeFileSync(
      conf,
      [
        'ClusterName=fp8labtest',
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `SlurmUser=${user}`,
        `SlurmdUser=${user}`,
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'MpiDefault=none',
        'SchedulerType=sched/builtin',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'ReturnToService=2',
        'KillWait=5',
        'JobCompType=jobcomp/none',
        'AccountingStorageType=accounting_storage/none',
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memMiB} State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    for (const daemon of ['slurmctld', 'slurmd'] as const) {
      const r = await run(tools[daemon]!, ['-f', conf], env);
      started.push(join(dir, `${daemon}.pid`));
      if (r.code !== 0) throw new Error(`${daemon} did not start (exit ${r.code}): ${r.stderr}`);
    }
    // The node registers within seconds; until then sbatch would queue jobs that never start.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await run(tools.sinfo!, ['--noheader', '--format=%t'], env);
      if (r.code === 0 && /^idle/m.test(r.stdout)) break;
      if (Date.now() > deadline) {
        const logs = ['slurmctld', 'slurmd'].map((d) => {
          const f = join(dir, 'log', `${d}.log`);
          return existsSync(f) ? readFileSync(f, 'utf8').slice(-2000) : '';
        });
        throw new Error(
          `the test cluster's node did not become idle in 30 s (sinfo: ${r.stdout.trim() || r.stderr.trim()})\n${logs.join('\n')}`,
        );
      }
      await sleep(250);
    }
    return { dir, conf, partition: 'debug', env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
