// The tuning store on disk: four real processes appending at once lose nothing; a record cut short
// or edited is skipped with a warning; a record of another kernel source or another device is
// reported as such and not used. The writers are this file run again as child processes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { crc32Hex } from '../../../extension/src/core/checksum';
import {
  decodeRecordLine,
  encodeRecordLine,
  tunedFor,
  viewFor,
  type DeviceIdentity,
  type TuningRecord,
} from '../../../extension/src/core/tuning/tuningRecord';
import { findExtensionRoot } from '../../../extension/src/worker/addon';
import { kernelSourceHash } from '../../../extension/src/storage/kernelSourceHash';
import { LAUNCH_POLICY_ID } from '../../../extension/src/core/launchPolicy';
import { TuningStore } from '../../../extension/src/storage/tuningStore';

const H100: DeviceIdentity = {
  name: 'NVIDIA H100 80GB HBM3',
  smsInUse: 132,
  smCount: 132,
  computeCapability: [9, 0],
  driverVersion: 13000,
  powerLimitW: 700,
};
const H20: DeviceIdentity = {
  name: 'NVIDIA H20',
  smsInUse: 78,
  smCount: 78,
  computeCapability: [9, 0],
  driverVersion: 12080,
  powerLimitW: 400,
};
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const CONFIG: GemmConfig = {
  blockM: 128,
  blockN: 128,
  blockK: 128,
  numStages: 5,
  numMathWarpgroups: 2,
  clusterM: 1,
  clusterN: 1,
  swizzleA: 128,
  swizzleB: 128,
  swizzleD: 128,
  numSms: 132,
  sharedBytes: 200_000,
  numThreads: 384,
};

function record(
  id: string,
  m: number,
  opts: { device?: DeviceIdentity; hash?: string; us?: number; at?: string } = {},
): TuningRecord {
  const us = opts.us ?? 100 + m / 64;
  return {
    kind: 'fp8lab.tuning',
    version: 1,
    id,
    device: opts.device ?? H100,
    kernelHash: opts.hash ?? HASH_A,
    problem: { kind: 'normal', m, n: 7168, k: 2048 },
    ranking: [{ config: CONFIG, measuredUs: us, predictedUs: us * 1.1, chosen: true }],
    winner: { config: CONFIG, us },
    regret: 1,
    method: 'interleaved CUDA-graph rounds, median of 10',
    measuredAt: opts.at ?? '2026-12-06T00:00:00.000Z',
    origin: { by: 'tune', host: 'test' },
  };
}

// Writer mode: append `count` records in batches of 3, each with this writer's tag in its id.
if (process.env.FP8LAB_TEST_STORE_WRITER) {
  const [dir, tag, count] = process.env.FP8LAB_TEST_STORE_WRITER.split('|');
  const store = new TuningStore(dir);
  void (async () => {
    for (let i = 0; i < Number(count); i += 3) {
      const batch = [];
      for (let j = i; j < Math.min(i + 3, Number(count)); j++) batch.push(record(`${tag}-${j}`, 64 * (j + 1)));
      await store.append(batch);
    }
  })();
} else {
  test('four processes appending at once: every record is there once, no line is torn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-tuning-'));
    const writers = ['w0', 'w1', 'w2', 'w3'];
    const perWriter = 150;
    const codes = await Promise.all(
      writers.map(
        (tag) =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, [__filename], {
              env: { ...process.env, FP8LAB_TEST_STORE_WRITER: `${dir}|${tag}|${perWriter}` },
              stdio: 'inherit',
            });
            child.on('close', resolve);
          }),
      ),
    );
    assert.deepEqual(codes, [0, 0, 0, 0]);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length, 4, 'one file per writer');
    const { records, warnings } = await new TuningStore(dir).read();
    assert.deepEqual(warnings, []);
    assert.equal(records.length, writers.length * perWriter);
    for (const tag of writers)
      for (let j = 0; j < perWriter; j++)
        assert.ok(
          records.some((r) => r.id === `${tag}-${j}`),
          `${tag}-${j} is missing`,
        );
  });

  test('a record cut short and an edited one are skipped with a warning; the others are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-tuning-'));
    const store = new TuningStore(dir);
    const file = await store.append([record('r1', 64), record('r2', 128), record('r3', 4096)]);
    const text = readFileSync(file, 'utf8');
    // Edit a digit of the second record (its checksum no longer matches), then cut the last one short.
    const lines = text.split('\n');
    lines[1] = lines[1].replace('"m":128', '"m":256');
    writeFileSync(file, lines.join('\n'));
    truncateSync(file, Buffer.byteLength(lines.join('\n')) - 40);
    const { records, warnings } = await store.read();
    assert.deepEqual(
      records.map((r) => r.id),
      ['r1'],
    );
    assert.equal(warnings.length, 2);
    assert.match(warnings[0].reason, /checksum mismatch/);
    assert.equal(warnings[0].line, 2);
    assert.match(warnings[1].reason, /incomplete last line/);
    // A later writer starts its own file; the torn tail never glues onto a new record.
    await new TuningStore(dir).append([record('r4', 64)]);
    assert.deepEqual((await store.read()).records.map((r) => r.id).sort(), ['r1', 'r4']);
  });

  test('records of another kernel source or another device are reported, not used; the newest per shape wins', () => {
    const records = [
      record('old', 64, { at: '2026-12-01T00:00:00Z', us: 90 }),
      record('new', 64, { at: '2026-12-05T00:00:00Z', us: 80 }),
      record('stale', 128, { hash: HASH_B }),
      record('h20', 64, { device: H20 }),
      record('new', 64, { at: '2026-12-05T00:00:00Z', us: 80 }), // the same measurement merged twice
      record('capped', 128, { device: { ...H100, powerLimitW: 500 } }),
    ];
    const view = viewFor(records, H100, HASH_A);
    assert.deepEqual(
      view.usable.map((r) => r.id),
      ['new'],
    );
    assert.deepEqual(
      view.otherKernel.map((r) => r.id),
      ['stale'],
    );
    assert.deepEqual(
      view.otherDevice.map((r) => r.id),
      ['h20', 'capped'],
    );
    assert.equal(tunedFor(view, { kind: 'normal', m: 64, n: 7168, k: 2048 })?.winner?.us, 80);
    assert.equal(
      tunedFor(view, { kind: 'normal', m: 128, n: 7168, k: 2048 }),
      undefined,
      'only a stale record for this shape: not used',
    );
  });

  test('a line decodes only when its checksum and its fields are right', () => {
    const line = encodeRecordLine(record('x', 64)).trimEnd();
    assert.equal(decodeRecordLine(line).ok, true);
    assert.match(String((decodeRecordLine(line.slice(0, 30)) as { reason: string }).reason), /checksum mismatch/);
    assert.match(
      String((decodeRecordLine('{"kind":"fp8lab.tuning"}') as { reason: string }).reason),
      /not a checksummed record line/,
    );
    const noHash = JSON.stringify({ ...record('y', 64), kernelHash: '' });
    assert.match(
      String((decodeRecordLine(`${crc32Hex(noHash)} ${noHash}`) as { reason: string }).reason),
      /kernel-source hash/,
    );
  });

  test('fp8lab tuning show: each record with where it applies, and the skipped lines as warnings', async () => {
    const root = findExtensionRoot(__dirname, {});
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-tuning-'));
    const here = await kernelSourceHash(join(root, 'kernels'));
    const file = await new TuningStore(dir).append([
      record('mine', 4096, { hash: here }),
      record('older', 64, { hash: HASH_B }),
    ]);
    appendFileSync(file, encodeRecordLine(record('torn', 128)).slice(0, 50));
    const r = spawnSync(process.execPath, [join(root, 'extension/dist/cli.js'), 'tuning', 'show', '--db', dir], {
      encoding: 'utf8',
      env: { ...process.env, FP8LAB_ROOT: '' },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: tuning store: skipped line 3 of .*: incomplete last line/);
    assert.match(r.stdout, /: 2 record\(s\), 1 line\(s\) skipped/);
    assert.match(r.stdout, /\n64x7168x2048 +128x128 c1x1 wg2 st5 +101\.0 .*other kernel source/);
    assert.match(r.stdout, /\n4096x7168x2048 +128x128 c1x1 wg2 st5 +164\.0 .*this kernel source/);
  });

  test('the kernel-source hash changes with any compiled kernel header, the extra kernel macros and the launch rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp8lab-kernels-'));
    mkdirSync(join(dir, 'include', 'fp8lab'), { recursive: true });
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'include', 'fp8lab', 'a.cuh'), 'one');
    const first = await kernelSourceHash(dir);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(await kernelSourceHash(dir), first);
    // The README and the host-side check tools are not compiled into a kernel: rankings stay current.
    writeFileSync(join(dir, 'README.md'), 'prose');
    writeFileSync(join(dir, 'tools', 'check.cu'), 'int main() {}');
    assert.equal(await kernelSourceHash(dir), first);
    writeFileSync(join(dir, 'include', 'fp8lab', 'a.cuh'), 'two');
    const second = await kernelSourceHash(dir);
    assert.notEqual(second, first);
    writeFileSync(join(dir, 'include', 'fp8lab', 'b.cuh'), '');
    assert.notEqual(await kernelSourceHash(dir), second);
    rmSync(join(dir, 'include', 'fp8lab', 'b.cuh'));
    assert.notEqual(await kernelSourceHash(dir, ['FP8LAB_X=1']), second);
    // Rankings timed under another launch rule (PDL on a grid that leaves SMs idle, say) are stale too.
    assert.notEqual(await kernelSourceHash(dir, [], 'pdl-always'), second);
    assert.equal(await kernelSourceHash(dir, [], LAUNCH_POLICY_ID), second);
  });
}
