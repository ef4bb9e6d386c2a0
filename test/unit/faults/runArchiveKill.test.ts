// Saved runs under SIGKILL: a real process saving a large run is killed in the middle of writing
// its temp file. The temp file is left behind (as it is on a crash or a full disk); the next
// archive over that folder removes it, never touches files that are not its own, and the saved
// run itself is whole.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RunArchive } from '../../../extension/src/storage/runArchive';
import { makeRun } from '../webview/runData';

// The child: saves a large run over and over until it is killed.
if (process.env.FP8LAB_TEST_SAVER_DIR) {
  const archive = new RunArchive(process.env.FP8LAB_TEST_SAVER_DIR);
  const base = makeRun();
  const run = {
    ...base,
    id: 'killed-run',
    results: Array.from({ length: 40_000 }, (_, i) => ({ ...base.results[i % base.results.length] })),
  };
  void (async () => {
    for (;;) await archive.save(run);
  })();
}

const dir = mkdtempSync(join(tmpdir(), 'fp8lab-runs-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The archive's temp naming: run-<id>.json.<pid>.<n>.tmp.
const temps = () => readdirSync(dir).filter((n) => /^run-.*\.json\.\d+\.\d+\.tmp$/.test(n));

test(
  'a saver killed mid-write leaves a temp file; the next archive sweeps it and keeps the run and foreign files',
  { skip: !!process.env.FP8LAB_TEST_SAVER_DIR },
  async () => {
    const child = spawn(process.execPath, [__filename], {
      env: { ...process.env, FP8LAB_TEST_SAVER_DIR: dir },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    // Kill it the moment a temp file exists after at least one whole save.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(readdirSync(dir).includes('run-killed-run.json') && temps().length > 0)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const leaked = temps();
    assert.ok(leaked.length > 0, `SIGKILL left a temp file (${readdirSync(dir).join(', ')})`);

    // Files that look alike but are not ours, and an old temp of a process that is still alive (ours).
    const foreign = ['notes.tmp', 'run-x.json.tmp', 'run-draft.json.12.tmp', 'mine.json'];
    for (const f of foreign) writeFileSync(join(dir, f), "not the archive's\n");
    const liveTemp = `run-live.json.${process.pid}.1.tmp`;
    writeFileSync(join(dir, liveTemp), '{');

    const archive = new RunArchive(dir);
    const list = await archive.list();
    assert.deepEqual(temps(), [liveTemp], "the dead writer's temps are gone; a live writer's young temp stays");
    for (const f of foreign) assert.ok(readdirSync(dir).includes(f), `${f} kept`);
    assert.deepEqual(
      list.map((r) => r.id),
      ['killed-run'],
    );
    assert.equal((await archive.load('killed-run')).results.length, 40_000, 'the last whole save is intact');

    // An hour-old temp of a live pid (a reused pid) goes too, on the next archive.
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(dir, liveTemp), hourAgo, hourAgo);
    await new RunArchive(dir).save({ ...makeRun(), id: 'another' });
    assert.deepEqual(temps(), []);
  },
);
