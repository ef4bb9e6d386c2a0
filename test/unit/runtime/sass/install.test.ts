// Installing the tools from NVIDIA's wheels with the real pip: on a machine whose pip cannot reach
// a package index that has them (this one, and CI), it fails fast with a sentence that says so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toolCandidates, toolsCacheDir } from '../../../../extension/src/core/sass/toolSearch';
import { findSassTools, installSassTools } from '../../../../extension/src/runtime/sass/tools';

const hasPip = spawnSync('python3', ['-m', 'pip', '--version']).status === 0;

test('the search order: setting, nvcc folder, CUDA home, the tools cache (wheel layouts), PATH', () => {
  const c = toolCandidates('nvdisasm', {
    toolsDir: '/opt/t/nvdisasm',
    nvccPath: '/x/cuda/bin/nvcc',
    cudaHome: '/y/cuda',
    cacheDir: '/c',
    pathDirs: ['/usr/bin', 'rel'],
  });
  assert.deepEqual(
    c.map((x) => x.path),
    [
      '/opt/t/nvdisasm',
      '/x/cuda/bin/nvdisasm',
      '/y/cuda/bin/nvdisasm',
      '/c/nvidia/cuda_nvdisasm/bin/nvdisasm',
      '/c/nvidia/cuda_cuobjdump/bin/nvdisasm',
      '/c/nvidia/cu13/bin/nvdisasm',
      '/c/nvidia/cu12/bin/nvdisasm',
      '/c/bin/nvdisasm',
      '/usr/bin/nvdisasm',
    ],
  );
  assert.equal(c[0].from, 'the fp8lab.sass.toolsDir setting');
  assert.equal(toolsCacheDir({ XDG_CACHE_HOME: '/xdg' }, '/home/u'), '/xdg/fp8lab/sass-tools');
  assert.equal(toolsCacheDir({}, '/home/u'), '/home/u/.cache/fp8lab/sass-tools');
});

test(
  'pip install of the wheels fails fast and clearly where the index has none',
  { skip: !hasPip && 'no python3 -m pip here' },
  async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fp8lab-sass-tools-'));
    try {
      const t0 = Date.now();
      const r = await installSassTools({
        nvccPath: '/nonexistent/nvcc',
        cudaHome: '/nonexistent',
        env: { XDG_CACHE_HOME: cache, PATH: '' },
        timeoutMs: 90_000,
      });
      if (r.ok) return; // a machine whose index has NVIDIA's wheels: the install worked (nothing more to check here)
      assert.match(
        r.message,
        /^Installing nvidia-cuda-nvdisasm and nvidia-cuda-cuobjdump failed: the Python package index could not be reached or had no matching wheel \(pip: .+\)\.$/,
      );
      assert.equal(r.tools.nvdisasm, undefined);
      assert.ok(Date.now() - t0 < 90_000);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

test('a missing python is named as such', async () => {
  const r = await installSassTools({
    nvccPath: '/n/nvcc',
    cudaHome: '/n',
    python: '/nonexistent/python3',
    env: { XDG_CACHE_HOME: tmpdir(), PATH: '' },
  });
  assert.equal(r.ok, false);
  assert.match(r.message, /\/nonexistent\/python3 was not found, so NVIDIA's wheels could not be installed/);
  assert.deepEqual(
    findSassTools({ nvccPath: '/n/nvcc', cudaHome: '/n', env: { XDG_CACHE_HOME: '/nonexistent', PATH: '' } }).nvdisasm,
    undefined,
  );
});

test('the disassembly command: nvdisasm with line info and encodings first, cuobjdump when asked or alone', async () => {
  const { disassemblyCommand, preferredDisassembler } =
    await import('../../../../extension/src/runtime/sass/disassemble');
  const both = { nvdisasm: '/c/bin/nvdisasm', cuobjdump: '/c/bin/cuobjdump', from: {}, searched: [] };
  assert.deepEqual(disassemblyCommand(both, '/k/kernel.cubin'), {
    tool: 'nvdisasm',
    argv: ['/c/bin/nvdisasm', '-c', '-gi', '-hex', '/k/kernel.cubin'],
  });
  assert.deepEqual(disassemblyCommand(both, '/k/kernel.cubin', 'cuobjdump'), {
    tool: 'cuobjdump',
    argv: ['/c/bin/cuobjdump', '-sass', '/k/kernel.cubin'],
  });
  assert.equal(
    disassemblyCommand({ cuobjdump: '/c/bin/cuobjdump', from: {}, searched: [] }, '/k.cubin', 'nvdisasm').tool,
    'cuobjdump',
  );
  assert.throws(
    () => disassemblyCommand({ from: {}, searched: ['/x'] }, '/k.cubin'),
    (e: Error & { code?: string }) => e.code === 'E_NO_SASS_TOOLS' && /Looked in: \/x\./.test(e.message),
  );
  assert.equal(preferredDisassembler({ FP8LAB_SASS_DISASSEMBLER: ' CUOBJDUMP ' }), 'cuobjdump');
  assert.equal(preferredDisassembler({ FP8LAB_SASS_DISASSEMBLER: 'objdump' }), undefined);
});
