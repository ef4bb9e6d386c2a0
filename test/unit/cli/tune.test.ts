// `fp8lab tune` argument handling and its refusal without a GPU, through the verb's run() with an
// in-memory io (the GPU path is lab/tune-pass.sh on the H100).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ROUNDS, run, TUNE_HELP } from '../../../extension/src/cli/tune';
import { hasCudaDriver } from '../cudaDriver';

async function tune(args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

test('--help describes the interleaved method and the default rounds', async () => {
  const r = await tune(['--help']);
  assert.equal(r.code, 0);
  assert.equal(r.out, TUNE_HELP);
  assert.match(r.out, /interleaved CUDA-graph rounds \(A B C \.\.\. A B C \.\.\.;/);
  assert.match(r.out, new RegExp(`--rounds N +interleaved timed rounds \\(default ${DEFAULT_ROUNDS}\\)`));
});

test('a bad --top or --rounds is a usage error that says what would work', async () => {
  const top = await tune(['--top', '0']);
  assert.equal(top.code, 1);
  assert.match(top.err, /--top needs a whole number ≥ 1/);
  const rounds = await tune(['--rounds', 'many']);
  assert.equal(rounds.code, 1);
  assert.match(rounds.err, /^fp8lab tune: .*rounds/);
});

test(
  'without a Hopper GPU it refuses before timing anything',
  { skip: hasCudaDriver && 'this machine has a CUDA driver' },
  async () => {
    const r = await tune(['--shapes', '4096,7168,2048', '--top', '2']);
    assert.equal(r.code, 6);
    assert.match(r.err, /needs a Hopper GPU/);
    assert.equal(r.out, '');
  },
);
