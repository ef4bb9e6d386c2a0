// Bad input is refused with the expected code, at both layers: policy (shapes and configs, before
// anything is compiled) and the addon (its own validation of a launch, for callers that bypass
// policy). Runs on the GPU machine; the policy half also runs without a GPU.
import { join } from 'node:path';
import type { GemmConfig, GemmProblem } from '../../extension/protocol/worker';
import { loadAddon } from '../../extension/src/worker/addon';
import { probeEnvironment } from '../../extension/src/worker/environment';
import * as service from '../../extension/src/worker/service';
import { check, done, expectCode, fail, gpuSettings, skip } from './harness';

const settings = gpuSettings();
const shape: GemmProblem = { kind: 'normal', m: 128, n: 2112, k: 7168 };

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  const base: GemmConfig = (await service.configs(settings, shape)).chosen;

  await check('K not a multiple of 128 -> E_INVALID_SHAPE', () =>
    expectCode(service.compileKernel(settings, { problem: { ...shape, k: 7000 } }), 'E_INVALID_SHAPE'),
  );
  await check('N not a multiple of 8 -> E_INVALID_SHAPE', () =>
    expectCode(service.compileKernel(settings, { problem: { ...shape, n: 2110 } }), 'E_INVALID_SHAPE'),
  );
  await check('M = 0 -> E_INVALID_SHAPE', () =>
    expectCode(
      service.bench(settings, [{ ...shape, m: 0 }], { timing: false, peer: false, rounds: 1, seed: 0 }),
      'E_INVALID_SHAPE',
    ),
  );
  await check('a shape too large for memory -> E_INVALID_SHAPE', () =>
    expectCode(
      service.bench(settings, [{ kind: 'normal', m: 1 << 20, n: 1 << 20, k: 1 << 14 }], {
        timing: false,
        peer: false,
        rounds: 1,
        seed: 0,
      }),
      'E_INVALID_SHAPE',
    ),
  );
  await check('block_m 64 with 2 math warpgroups -> E_INVALID_CONFIG', () =>
    expectCode(
      service.compileKernel(settings, {
        problem: shape,
        config: { ...base, blockM: 64, numMathWarpgroups: 2, numThreads: 384 },
      }),
      'E_INVALID_CONFIG',
    ),
  );
  await check('block_n 200 -> E_INVALID_CONFIG', () =>
    expectCode(
      service.compileKernel(settings, { problem: shape, config: { ...base, blockN: 200 } }),
      'E_INVALID_CONFIG',
    ),
  );
  await check('cluster 2x2 -> E_INVALID_CONFIG', () =>
    expectCode(
      service.compileKernel(settings, { problem: shape, config: { ...base, clusterM: 2, clusterN: 2 } }),
      'E_INVALID_CONFIG',
    ),
  );
  await check('shared memory beyond the device -> E_INVALID_CONFIG', () =>
    expectCode(
      service.compileKernel(settings, { problem: shape, config: { ...base, numStages: 30 } }),
      'E_INVALID_CONFIG',
    ),
  );
  await check('bench options: rounds 0 -> E_BAD_ARGUMENT', () =>
    expectCode(service.bench(settings, [shape], { timing: true, peer: false, rounds: 0, seed: 0 }), 'E_BAD_ARGUMENT'),
  );

  if (!env.canRunKernels) {
    skip('addon launch validation', `no Hopper GPU here: ${env.summary}`);
    return done();
  }

  // The addon validates what reaches it even when policy is bypassed.
  const { addon } = loadAddon();
  const gpu = env.devices.find((d) => d.isHopper)!;
  const info = addon.init({ ordinal: gpu.ordinal });
  const compiled = await service.compileKernel(settings, { problem: shape, config: base });
  const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
  const { m, n, k } = shape;
  const owned = [
    addon.alloc(m * k),
    addon.alloc(n * k),
    addon.alloc(Math.ceil(k / 128) * Math.ceil(m / 4) * 4 * 4),
    addon.alloc(Math.ceil(n / 128) * Math.ceil(k / 128) * 4),
    addon.alloc(m * n * 2),
  ];
  const [a, b, sfa, sfb, d] = owned;
  const spec = {
    kernel,
    kind: 'normal' as const,
    m,
    n,
    k,
    numGroups: 1,
    blockM: base.blockM,
    blockN: base.blockN,
    blockK: base.blockK,
    numStages: base.numStages,
    numMathWarpgroups: base.numMathWarpgroups,
    clusterM: base.clusterM,
    clusterN: base.clusterN,
    swizzleA: base.swizzleA,
    swizzleB: base.swizzleB,
    swizzleD: base.swizzleD,
    numSms: base.numSms,
    sharedBytes: base.sharedBytes,
    a,
    b,
    sfa,
    sfb,
    d,
  };
  try {
    await check('addon: K % 128 != 0 -> E_SHAPE_ALIGNMENT', () =>
      expectCode(() => addon.createGemmLaunch({ ...spec, k: 7000 }), 'E_SHAPE_ALIGNMENT'),
    );
    await check('addon: N % 8 != 0 -> E_SHAPE_ALIGNMENT', () =>
      expectCode(() => addon.createGemmLaunch({ ...spec, n: 2110 }), 'E_SHAPE_ALIGNMENT'),
    );
    await check('addon: shared memory over the opt-in maximum -> E_SMEM_OVERFLOW', () =>
      expectCode(
        () => addon.createGemmLaunch({ ...spec, sharedBytes: info.maxSharedMemoryPerBlockOptin + 1024 }),
        'E_SMEM_OVERFLOW',
      ),
    );
    await check('addon: D buffer too small -> E_BAD_ARGUMENT', () =>
      expectCode(() => addon.createGemmLaunch({ ...spec, m: 4 * m }), 'E_BAD_ARGUMENT'),
    );
    await check('addon: a disposed buffer -> E_BAD_ARGUMENT', () => {
      const gone = addon.alloc(1024);
      gone.dispose();
      return expectCode(() => addon.createGemmLaunch({ ...spec, d: gone }), 'E_BAD_ARGUMENT');
    });
    await check('addon: a disposed launch -> E_BAD_ARGUMENT', () => {
      const launch = addon.createGemmLaunch(spec);
      launch.dispose();
      return expectCode(() => launch.run(), 'E_BAD_ARGUMENT');
    });
    await check('addon: loadKernel of a missing entry -> coded error', () =>
      expectCode(() => addon.loadKernel(compiled.cubinPath, 'no_such_kernel'), ['E_CUDA', 'E_BAD_ARGUMENT']),
    );
    await check('addon: loadKernel of a missing file -> coded error', () =>
      expectCode(
        () => addon.loadKernel(join(settings.cacheDir, 'missing.cubin'), compiled.kernelName),
        ['E_BAD_ARGUMENT', 'E_CUDA'],
      ),
    );
  } finally {
    for (const buf of owned) buf.dispose();
  }
  done();
}

main().catch((err) => {
  fail('rejections', err?.stack ?? String(err));
  done();
});
