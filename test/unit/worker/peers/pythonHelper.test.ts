// The Python peer helper as a real child process: this machine's python3 (which has no torch, as
// on CI) for the "no torch" path, and stand-in interpreters that crash, hang, or write something
// that is not the protocol. Each ends in one line that says what happened and what would fix it,
// and leaves no process behind.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EnvironmentReport } from '../../../../extension/protocol/worker';
import { PythonPeerHelper } from '../../../../extension/src/worker/peers/pythonHelper';
import { openPeers } from '../../../../extension/src/worker/peers/openPeers';
import { repoRoot } from '../../repoRoot';

const script = join(repoRoot(), 'extension', 'peers', 'peer_helper.py');
const dir = mkdtempSync(join(tmpdir(), 'fp8lab-peers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function standIn(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** No live (non-zombie) process left in the helper's process group: from /proc, as ps would say. */
function gone(pgid: number | undefined): boolean {
  if (pgid === undefined) return true;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state, ppid, pgrp, ...
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return false;
  }
  return true;
}

test('python3 without torch: both Python peers unavailable, each saying that torch cannot be imported and what to do', async () => {
  const helper = PythonPeerHelper.start(undefined, { ...process.env, FP8LAB_PYTHON: '' }, script);
  const { hello, peers } = await helper.hello(['cublaslt', 'deepgemm', 'torch']);
  assert.ok(hello, 'the helper answered');
  assert.match(hello.python, /Python 3\./);
  assert.deepEqual(
    peers.map((p) => [p.id, p.available]),
    [
      ['deepgemm', false],
      ['torch', false],
    ],
  );
  assert.match(
    peers[1].reason!,
    /cannot import torch \(ModuleNotFoundError: No module named 'torch'\): install PyTorch with CUDA there, or point fp8lab\.pythonPath \/ FP8LAB_PYTHON at a Python that has it/,
  );
  assert.match(peers[0].reason!, /^DeepGEMM needs PyTorch, and .*cannot import torch/);
  // The helper still answers requests (prepare is refused with a code) and exits when asked.
  await assert.rejects(
    helper.request(
      'prepare',
      { peer: 'deepgemm', problem: { kind: 'normal', m: 64, n: 128, k: 128 }, seed: 0 },
      30_000,
    ),
    (e: { code?: string; message: string }) => e.code === 'E_PEER_UNAVAILABLE' && /cannot import torch/.test(e.message),
  );
  await assert.rejects(
    helper.request('replay', { handle: 7 }, 30_000),
    (e: { code?: string }) => e.code === 'E_BAD_REQUEST',
  );
  const pid = helper.pid;
  await helper.close();
  assert.ok(gone(pid));
});

test('no interpreter at that path: one line naming it and the setting', async () => {
  const helper = PythonPeerHelper.start('/nonexistent/bin/python3', process.env, script);
  const { peers } = await helper.hello(['deepgemm', 'torch']);
  assert.equal(peers.length, 2);
  for (const p of peers) {
    assert.equal(p.available, false);
    assert.match(
      p.reason!,
      /^the Python peer helper \(\/nonexistent\/bin\/python3, from fp8lab\.pythonPath\) was not found .*set fp8lab\.pythonPath or FP8LAB_PYTHON/,
    );
  }
});

test('a helper that crashes: its exit and last stderr lines, and every later request fails the same way', async () => {
  const crash = standIn(
    'crash',
    'echo "Traceback (most recent call last):" >&2; echo "ImportError: libcudart.so.13: cannot open shared object file" >&2; exit 3',
  );
  const helper = PythonPeerHelper.start(crash, process.env, script);
  const { peers } = await helper.hello(['torch']);
  assert.equal(peers[0].available, false);
  assert.match(
    peers[0].reason!,
    /exited \(code 3\): Traceback \(most recent call last\): \| ImportError: libcudart\.so\.13: cannot open shared object file/,
  );
  await assert.rejects(helper.request('replay', { handle: 1 }, 1000), /exited \(code 3\)/);
});

test('a helper that hangs is stopped at the time limit, with its whole process group', async () => {
  const hang = standIn('hang', 'sleep 600 & sleep 600');
  const helper = PythonPeerHelper.start(hang, process.env, script);
  const pid = helper.pid;
  assert.ok(pid && !gone(pid));
  const started = Date.now();
  const { peers } = await helper.hello(['deepgemm'], 1500);
  assert.ok(Date.now() - started < 10_000);
  assert.match(peers[0].reason!, /did not answer 'hello' within 2 s and was stopped/);
  await helper.close();
  // SIGKILL reaches the orphaned child sleep asynchronously: give it a moment to die.
  for (let i = 0; i < 40 && !gone(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(gone(pid), 'the helper and its child sleep were killed');
});

test('a helper that writes something other than the protocol is stopped and says what it wrote', async () => {
  const junk = standIn('junk', 'echo "GemmDesc(m=4096): GemmConfig(block_m=256)"; sleep 600');
  const helper = PythonPeerHelper.start(junk, process.env, script);
  const { peers } = await helper.hello(['torch']);
  assert.match(
    peers[0].reason!,
    /wrote something that is not the protocol \(not JSON: GemmDesc\(m=4096\): GemmConfig\(block_m=256\)\)/,
  );
});

test('a run without the parts: cuBLASLt missing and python3 without torch give three reasons and no peer to run', async () => {
  const env = { cublasLt: { available: false, problem: 'libcublasLt.so.13 not found' } } as EnvironmentReport;
  const settings = { pythonPath: undefined } as unknown as Parameters<typeof openPeers>[0];
  const warnings: string[] = [];
  const peers = await openPeers(
    settings,
    { peer: true, timing: true },
    env,
    (_level, text) => warnings.push(text),
    (setting) => PythonPeerHelper.start(setting, { ...process.env, FP8LAB_PYTHON: '' }, script),
  );
  assert.deepEqual(
    peers.availability.map((p) => [p.id, p.available]),
    [
      ['cublaslt', false],
      ['deepgemm', false],
      ['torch', false],
    ],
  );
  assert.deepEqual(peers.shape, {});
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /^cuBLASLt column skipped: cuBLASLt is not available: libcublasLt\.so\.13 not found$/);
  assert.match(warnings[2], /^torch\._scaled_mm column skipped: .*cannot import torch/);
  await peers.close();

  const off = await openPeers(settings, { peer: false, timing: true }, env, () => {});
  assert.deepEqual(off.availability, []);
});
