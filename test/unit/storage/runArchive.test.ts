import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFileName, runSummary } from '../../../extension/src/core/savedRun';
import { tuneToBenchRun } from '../../../extension/src/core/fp8labFiles';
import { RunArchive } from '../../../extension/src/storage/runArchive';
import { makeRun } from '../webview/runData';
import { upgradeRun } from '../../../extension/src/core/peers/runPeers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp8lab-runs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('RunArchive', () => {
  it('saves, lists and loads a run; leaves no temp file behind', async () => {
    const archive = new RunArchive(join(dir, 'runs'));
    const run = makeRun();
    const file = await archive.save(run);
    assert.deepEqual(readdirSync(join(dir, 'runs')), [runFileName(run.id)]);
    assert.deepEqual(await archive.load(run.id), upgradeRun(run), 'read back with its cuBLASLt column as a peer');
    const list = await archive.list();
    assert.equal(list.length, 1);
    assert.equal(list[0].file, file);
    assert.equal(list[0].shapes, 3);
    assert.equal(list[0].interrupted, false);
  });

  it('keeps what an interrupted run measured (saved after each shape, then marked)', async () => {
    const archive = new RunArchive(dir);
    const full = makeRun();
    const run = { ...full, results: [] as typeof full.results };
    await archive.save(run);
    run.results.push(full.results[0]);
    await archive.save(run);
    // The worker died here: the run is marked and saved with what it had.
    run.interrupted = { code: 'E_WORKER_EXITED', message: 'the runtime worker exited (signal SIGKILL)' };
    await archive.save(run);
    const back = await archive.load(run.id);
    assert.equal(back.results.length, 1);
    assert.equal(back.results[0].timing?.medianUs, 20);
    assert.equal(back.interrupted?.code, 'E_WORKER_EXITED');
    assert.equal((await archive.list())[0].interrupted, true);
  });

  it('a failed write leaves the previous version intact and no temp file', async () => {
    const archive = new RunArchive(dir);
    const run = makeRun();
    const file = await archive.save(run);
    const before = readFileSync(file, 'utf8');
    // The next temp file name is taken by a folder, so writing it fails (even as root).
    mkdirSync(`${file}.${process.pid}.2.tmp`);
    await assert.rejects(archive.save({ ...run, results: [] }));
    assert.equal(readFileSync(file, 'utf8'), before);
    rmSync(`${file}.${process.pid}.2.tmp`, { recursive: true });
    assert.deepEqual(readdirSync(dir), [runFileName(run.id)]);
  });

  it('lists newest first and skips temp files, foreign and broken files', async () => {
    const archive = new RunArchive(dir);
    await archive.save({ ...makeRun(), id: 'older', startedAt: '2026-11-20T00:00:00Z' });
    await archive.save({ ...makeRun(), id: 'newer', startedAt: '2026-11-21T00:00:00Z' });
    writeFileSync(join(dir, 'run-broken.json'), '{"id": ');
    writeFileSync(join(dir, 'run-foreign.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'run-newer.json.123.1.tmp'), 'partial');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    assert.deepEqual(
      (await archive.list()).map((r) => r.id),
      ['newer', 'older'],
    );
    assert.equal((await archive.latest())?.id, 'newer');
    await assert.rejects(archive.loadFile(join(dir, 'run-broken.json')), /not valid JSON/);
    await assert.rejects(archive.loadFile(join(dir, 'run-foreign.json')), /not a saved FP8 GEMM Lab run/);
  });

  it('never lets a run id escape the folder', () => {
    assert.equal(runFileName('../../etc/passwd'), 'run-__.._etc_passwd.json');
    assert.ok(!runFileName('a/b\\c').includes('/'));
    assert.throws(() => runFileName(''), /empty/);
  });

  it('an empty or missing folder lists nothing', async () => {
    assert.deepEqual(await new RunArchive(join(dir, 'none')).list(), []);
    assert.equal(await new RunArchive(dir).latest(), undefined);
  });
});

describe('runSummary', () => {
  it('counts distinct shapes; a tune file (one row per candidate) also says its rows', () => {
    const fixture = join(__dirname, '../../../fixtures/h100/tune-deepseek.json');
    const tune = tuneToBenchRun(JSON.parse(readFileSync(fixture, 'utf8')), 'tune-deepseek.json');
    const summary = runSummary(tune, 'tune-deepseek.json');
    assert.equal(summary.shapes, 19);
    assert.equal(summary.rows, tune.results.length);
    assert.ok(summary.rows! > 19);
    const plain = runSummary(makeRun(), 'run.json');
    assert.equal(plain.shapes, 3);
    assert.equal(plain.rows, undefined);
  });
});
