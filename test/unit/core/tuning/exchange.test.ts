// `fp8lab tuning export|import`: a device's records and profile as one JSON file. A round trip keeps
// every record, once; records of another device or an older kernel source travel but are not used;
// a bad file or a bad entry is reported, never half-read. The CLI verbs run for real on stores in
// temp folders; so do `calibrate` and `configs` on this machine (no GPU: a clear refusal, and the
// model with the H100 defaults, said so).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GemmConfig } from '../../../../extension/protocol/worker';
import type { DeviceProfile } from '../../../../extension/src/core/tuning/calibration';
import { deviceMatcher, exportBundle, newRecords, parseExport } from '../../../../extension/src/core/tuning/exchange';
import { viewFor, type DeviceIdentity, type TuningRecord } from '../../../../extension/src/core/tuning/tuningRecord';
import { findExtensionRoot } from '../../../../extension/src/worker/addon';
import { readProfiles, writeProfile } from '../../../../extension/src/storage/deviceProfiles';
import { kernelSourceHash } from '../../../../extension/src/storage/kernelSourceHash';
import { TuningStore } from '../../../../extension/src/storage/tuningStore';

const root = findExtensionRoot(__dirname, {});
const cli = join(root, 'extension/dist/cli.js');
const H20: DeviceIdentity = {
  name: 'NVIDIA H20',
  smsInUse: 78,
  smCount: 78,
  computeCapability: [9, 0],
  driverVersion: 12080,
  powerLimitW: 400,
};
const H800: DeviceIdentity = {
  name: 'NVIDIA H800',
  smsInUse: 132,
  smCount: 132,
  computeCapability: [9, 0],
  driverVersion: 13000,
  powerLimitW: 700,
};
const OLD = 'b'.repeat(64);
const CONFIG: GemmConfig = {
  blockM: 64,
  blockN: 128,
  blockK: 128,
  numStages: 8,
  numMathWarpgroups: 1,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 128,
  numSms: 78,
  sharedBytes: 200_000,
  numThreads: 256,
};

function record(id: string, m: number, device: DeviceIdentity, hash: string): TuningRecord {
  return {
    kind: 'fp8lab.tuning',
    version: 1,
    id,
    device,
    kernelHash: hash,
    problem: { kind: 'normal', m, n: 7168, k: 2048 },
    ranking: [{ config: CONFIG, measuredUs: 50 + m / 64 }],
    winner: { config: CONFIG, us: 50 + m / 64 },
    method: 'interleaved CUDA-graph rounds, median of 10',
    measuredAt: '2026-12-06T01:00:00.000Z',
    origin: { by: 'tune', host: 'node7' },
  };
}
const profile = (device: DeviceIdentity, at = '2026-12-06T00:30:00.000Z'): DeviceProfile => ({
  kind: 'fp8lab.deviceProfile',
  version: 1,
  device,
  fp8Tflops: 290,
  bandwidthGBps: 3900,
  l2CacheBytes: 62914560,
  method: 'test',
  measuredAt: at,
});

function fp8lab(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      FP8LAB_ROOT: '',
      FP8LAB_MODEL: '',
      FP8LAB_JIT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fp8lab-cache-')),
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('pure round trip: every record once, and after it the view still separates foreign and stale records', async () => {
  const here = await kernelSourceHash(join(root, 'kernels'));
  const records = [record('h20-new', 64, H20, here), record('h20-old', 128, H20, OLD), record('h800', 64, H800, here)];
  const bundle = exportBundle(
    [...records, records[0]],
    [profile(H20), profile(H800)],
    deviceMatcher('h20'),
    'devices matching "h20"',
    '2026-12-06T02:00:00.000Z',
  );
  assert.deepEqual(
    bundle.records.map((r) => r.id),
    ['h20-new', 'h20-old'],
  );
  assert.deepEqual(
    bundle.profiles.map((p) => p.device.name),
    ['NVIDIA H20'],
  );
  const parsed = parseExport(JSON.stringify(bundle));
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.deepEqual(parsed.value.records, bundle.records);
  assert.deepEqual(parsed.value.rejected, []);
  const view = viewFor(parsed.value.records, H20, here);
  assert.deepEqual(
    view.usable.map((r) => r.id),
    ['h20-new'],
  );
  assert.deepEqual(
    view.otherKernel.map((r) => r.id),
    ['h20-old'],
  );
  assert.deepEqual(newRecords([records[0]], parsed.value.records), { fresh: [records[1]], duplicates: 1 });
});

test('a bad file is refused whole; a bad entry is left out with its reason', () => {
  assert.match((parseExport('{"kind":"fp8lab.tuningExport"') as { message: string }).message, /^not JSON/);
  assert.match((parseExport('{"kind":"other"}') as { message: string }).message, /not a tuning export/);
  assert.match(
    (parseExport('{"kind":"fp8lab.tuningExport","version":9,"records":[]}') as { message: string }).message,
    /version 9/,
  );
  const text = JSON.stringify({
    kind: 'fp8lab.tuningExport',
    version: 1,
    records: [record('ok', 64, H20, OLD), { ...record('bad', 64, H20, OLD), ranking: 'x' }],
    profiles: [{ kind: 'x' }],
  });
  const parsed = parseExport(text);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.deepEqual(
    parsed.value.records.map((r) => r.id),
    ['ok'],
  );
  assert.deepEqual(parsed.value.rejected, ['record 2: record without a ranking', 'profile 1: not a device profile']);
});

test('fp8lab tuning export then import: records and profiles move; a second import adds nothing; show lists where each applies', async () => {
  const here = await kernelSourceHash(join(root, 'kernels'));
  const from = mkdtempSync(join(tmpdir(), 'fp8lab-from-'));
  const to = mkdtempSync(join(tmpdir(), 'fp8lab-to-'));
  await new TuningStore(from).append([
    record('h20-new', 64, H20, here),
    record('h20-old', 128, H20, OLD),
    record('h800', 64, H800, here),
  ]);
  await writeProfile(from, profile(H20));
  const file = join(mkdtempSync(join(tmpdir(), 'fp8lab-x-')), 'h20.json');

  const ex = fp8lab(['tuning', 'export', file, '--device', 'H20', '--db', from]);
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /^exported 2 record\(s\) and 1 device profile\(s\) of devices matching "H20" to /);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).kind, 'fp8lab.tuningExport');

  const im = fp8lab(['tuning', 'import', file, '--db', to]);
  assert.equal(im.code, 0, im.stderr);
  assert.match(im.stdout, /^imported 2 record\(s\) \(0 already in the store\) and 1 device profile\(s\) into /);
  assert.match(im.stdout, /no Hopper GPU here: 1 record\(s\) for this kernel source, 1 for another \(not used\)/);
  const again = fp8lab(['tuning', 'import', file, '--db', to]);
  assert.match(again.stdout, /^imported 0 record\(s\) \(2 already in the store\) and 0 device profile\(s\)/);
  assert.deepEqual((await new TuningStore(to).read()).records.map((r) => r.id).sort(), ['h20-new', 'h20-old']);
  assert.deepEqual(
    (await readProfiles(to)).profiles.map((p) => p.device.name),
    ['NVIDIA H20'],
  );

  const show = fp8lab(['tuning', 'show', '--db', to]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /\n64x7168x2048 .*this kernel source \(no GPU here\)/);
  assert.match(show.stdout, /\n128x7168x2048 .*other kernel source/);
  assert.match(
    show.stdout,
    /\ndevice profile \(no GPU here, calibrated 2026-12-06 00:30\): NVIDIA H20\|sms 78\/78\|sm_90\|driver 12080\|power 400 W: 290 FP8 TFLOPS, 3900 GB\/s; model clock 0\.45 GHz, HBM 3\.90 TB\/s/,
  );
});

test('fp8lab tuning import of a broken file, and export without a GPU or a selection: coded refusals, nothing written', async () => {
  const to = mkdtempSync(join(tmpdir(), 'fp8lab-to-'));
  const bad = join(to, '..', `bad-${process.pid}.json`);
  writeFileSync(bad, '{"kind": "fp8lab.tuningExport", "version": 1, "records": [');
  const im = fp8lab(['tuning', 'import', bad, '--db', to]);
  assert.equal(im.code, 1);
  assert.match(im.stderr, /fp8lab tuning import: .*bad-\d+\.json: not JSON/);
  assert.deepEqual((await new TuningStore(to).read()).records, []);
  const ex = fp8lab(['tuning', 'export', join(to, 'out.json'), '--db', to]);
  assert.equal(ex.code, 1);
  assert.match(ex.stderr, /no Hopper GPU here to name this device: use --device TEXT or --all/);
  assert.equal(fp8lab(['tuning', 'export', '--db', to]).code, 1);
  assert.match(fp8lab(['tuning', 'frobnicate']).stderr, /unknown command "frobnicate"; use show, export or import/);
});

test('fp8lab calibrate without a GPU refuses clearly; configs says its choice came from the H100 defaults', () => {
  const db = mkdtempSync(join(tmpdir(), 'fp8lab-db-'));
  mkdirSync(join(db, 'profiles'));
  const cal = fp8lab(['calibrate', '--db', db]);
  assert.notEqual(cal.code, 0);
  assert.match(cal.stderr, /fp8lab calibrate: \[E_(NO_DEVICE|NO_COMPILER|NO_DRIVER)\] /);
  const configs = fp8lab(['configs', '64', '2112', '7168']);
  assert.equal(configs.code, 0, configs.stderr);
  assert.match(configs.stdout, /chosen: .* — Model with H100 defaults \(no Hopper GPU here\): /);
});

test('FP8LAB_MODEL takes auto, calibrated or defaults; anything else is a usage error', () => {
  const r = spawnSync(process.execPath, [cli, 'configs', '64', '2112', '7168'], {
    encoding: 'utf8',
    env: { ...process.env, FP8LAB_ROOT: '', FP8LAB_MODEL: 'best' },
    timeout: 60_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /FP8LAB_MODEL must be auto, calibrated or defaults; got "best"/);
});
