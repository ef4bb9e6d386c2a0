// The peer helper's MQA-logits requests, as a real child process on this machine's python3 (no
// torch here, as on CI): a problem missing its fields is refused with the field named, a complete
// one gets the reason DeepGEMM cannot run here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../repoRoot';

const script = join(repoRoot(), 'extension', 'peers', 'peer_helper.py');

function ask(requests: object[]): Array<{ id: number; result?: unknown; error?: { code: string; message: string } }> {
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const r = spawnSync('python3', [script], { input, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

test("MQA problems: fields checked first, then DeepGEMM's absence said in one line", () => {
  const [missing, noTorch, paged] = ask([
    {
      id: 1,
      method: 'prepare',
      params: { peer: 'deepgemm', problem: { kind: 'mqa-logits', seqQ: 4, heads: 64, dim: 128 }, seed: 0 },
    },
    {
      id: 2,
      method: 'prepare',
      params: {
        peer: 'deepgemm',
        problem: { kind: 'mqa-logits', seqQ: 4, seqKv: 16, heads: 64, dim: 128, ks: [0, 0, 0, 0], ke: [1, 2, 3, 4] },
        seed: 0,
      },
    },
    {
      id: 3,
      method: 'prepare',
      params: {
        peer: 'deepgemm',
        problem: { kind: 'paged-mqa-logits', batch: 2, nextN: 0, heads: 64, dim: 128 },
        seed: 0,
      },
    },
  ]);
  assert.equal(missing.error?.code, 'E_BAD_REQUEST');
  assert.match(missing.error!.message, /problem\.seqKv must be a positive integer/);
  assert.equal(noTorch.error?.code, 'E_PEER_UNAVAILABLE');
  assert.match(noTorch.error!.message, /DeepGEMM needs PyTorch/);
  assert.match(paged.error!.message, /problem\.nextN must be a positive integer/);
});
