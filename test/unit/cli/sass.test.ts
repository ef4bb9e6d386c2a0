// `fp8lab sass` through the verb's run() with an in-memory io: saved listings (--from) end to end,
// argument errors, and the machine without nvdisasm/cuobjdump (this one) saying so with exit 4.
// The compile-and-disassemble path runs on the GPU machine: test/gpu/sass-pass.sh.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { run, SASS_HELP } from '../../../extension/src/cli/sass';
import { parseSassArgs } from '../../../extension/src/cli/sassArgs';
import { fixturePath, SASS_FIXTURES as F } from '../core/sass/fixtures';

async function sass(args: string[], env: Record<string, string | undefined> = {}) {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let out = '',
    err = '';
  try {
    const code = await run(args, {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('--from a gzipped nvdisasm listing prints source lines, loops and control bits', async () => {
  const r = await sass(['--from', fixturePath(F.nvdisasm128)]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /functions +fp8lab_sm90_fp8_gemm_1d2d_normal_bm128_bn128_\w+ \(2816 instructions\)/);
  assert.match(r.out, /\/\/ kernels\/include\/fp8lab\/ptx\/wgmma\.cuh:52\n/);
  assert.match(r.out, /\/\/ loop \.L_x_\d+ 0x[0-9a-f]+-0x[0-9a-f]+: \d+ instructions/);
  assert.match(r.out, /\/\*0010\*\/ +S2R R2, SR_TID\.X ; +B------:R-:W1:-:S01\n/);
  assert.match(r.out, /\/\*0030\*\/ +ISETP\.NE\.AND P0, PT, R2, 0x100, PT ; +B-1----:R-:W-:-:S02\n/);
});

test('--mix --json gives the mix of the kernel', async () => {
  const r = await sass(['--from', fixturePath(F.cuobjdump128), '--mix', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.tool, 'cuobjdump');
  assert.equal(j.instructions, 2816);
  assert.equal(j.hasLineInfo, false);
  assert.equal(j.mix.entries.find((e: { key: string }) => e.key === 'QGMMA 64x128x32 F32.E4M3.E4M3').count, 48);
  assert.equal(j.listing, undefined);
});

test('--against-from diffs two listings: the QGMMA delta and the aligned rows', async () => {
  const r = await sass(['--from', fixturePath(F.nvdisasm128), '--against-from', fixturePath(F.nvdisasm256), '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const q = j.mixDelta.find((m: { key: string }) => m.key === 'QGMMA 64x128x32 F32.E4M3.E4M3');
  assert.deepEqual([q.left, q.right, q.delta], [48, 8, -40]);
  assert.equal(j.rows.filter((x: { left?: number }) => x.left !== undefined).length, 2816);
  assert.equal(j.rows.filter((x: { right?: number }) => x.right !== undefined).length, 1224);
  const text = await sass([
    '--from',
    fixturePath(F.nvdisasm128),
    '--against-from',
    fixturePath(F.nvdisasm256),
    '--mix',
  ]);
  assert.match(text.out, /QGMMA 64x128x32 F32\.E4M3\.E4M3 +48 +8 +-40\n/);
});

test('--lines ranks source lines by what they became', async () => {
  const r = await sass(['--from', fixturePath(F.nvdisasm128), '--lines', '--json']);
  const j = JSON.parse(r.out);
  assert.equal(j.counts['kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh']['785'].inlinedTensor, 48);
});

test('argument errors are usage errors that say what would work', async () => {
  const none = await sass([]);
  assert.equal(none.code, 1);
  assert.match(none.err, /sass needs one shape: M N K/);
  assert.deepEqual((await sass(['--help'])).out, SASS_HELP);
  assert.equal(parseSassArgs(['--from', 'a.txt', '64', '128', '256']).ok, false);
  assert.equal(parseSassArgs(['--against-from', 'b.txt']).ok, false);
  const bad = await sass(['--from', fixturePath('README.md')]);
  assert.equal(bad.code, 6);
  assert.match(bad.err, /\[E_SASS_FAILED\] .*README\.md holds no SASS instructions/);
});

const hasTools = ['/usr/local/cuda/bin/nvdisasm', '/usr/local/cuda/bin/cuobjdump'].some((p) => existsSync(p));

test(
  'without nvdisasm or cuobjdump it says where it looked and what to install (exit 4), before compiling',
  { skip: hasTools && 'this machine has the tools' },
  async () => {
    const r = await sass(['64', '2112', '7168'], {
      FP8LAB_SASS_TOOLS_DIR: '/nonexistent-tools',
      PATH: '/nonexistent-bin',
    });
    assert.equal(r.code, 4);
    assert.match(r.err, /\[E_NO_SASS_TOOLS\] No nvdisasm or cuobjdump was found/);
    assert.match(r.err, /Looked in: \/nonexistent-tools, /);
    assert.match(r.err, /pip install nvidia-cuda-nvdisasm nvidia-cuda-cuobjdump/);
    assert.match(r.err, /fp8lab sass --install-tools/);
    assert.equal(r.out, '');
  },
);
