import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmConfig } from '../../../extension/protocol/worker';
import { completeConfig, sharedMemoryLayout } from '../../../extension/src/core/kernelRules';
import {
  compiledShapeFor,
  compiledShapeOfKernel,
  gemmKernelName,
  gemmKernelSource,
  KernelConfigError,
} from '../../../extension/src/core/kernelSource';

const cfg = (over: Partial<GemmConfig> = {}): GemmConfig => ({
  ...completeConfig({ blockM: 128, blockN: 160, clusterM: 2, clusterN: 1, numSms: 132, numStages: 4 }, { k: 7168 }),
  ...over,
});

test('the generated unit instantiates the kernel with every template parameter in order', () => {
  const { source, kernelName } = gemmKernelSource('normal', cfg());
  assert.equal(
    kernelName,
    'fp8lab_sm90_fp8_gemm_1d2d_normal_bm128_bn160_bk128_st4_wg2_cm2_cn1_sa128_sb128_sd64_sms132',
  );
  assert.match(source, /#include "fp8lab\/impls\/sm90_fp8_gemm_1d2d.cuh"/);
  assert.match(source, /extern "C" __global__ void __launch_bounds__\(384, 1\)\n/);
  assert.ok(source.includes(`${kernelName}(const __grid_constant__ fp8lab::GemmArgs args) {`));
  assert.ok(
    source.includes(
      'fp8lab::sm90_fp8_gemm_1d2d_impl<128, 160, 128, 4, 2, 2, 1, 128, 128, 64, 132, fp8lab::GemmType::Normal>(args);',
    ),
  );
});

test('the unit asks the compiler to confirm the TypeScript mirror (threads, layout, registers, D box)', () => {
  const c = cfg({ blockM: 64, blockN: 112, numMathWarpgroups: 1, numThreads: 256, swizzleD: 32, clusterM: 1 });
  const { source } = gemmKernelSource('normal', c);
  assert.ok(source.includes('static_assert(Fp8labKernel::kNumThreads == 256'));
  assert.ok(source.includes(`static_assert(Fp8labKernel::kSmemFixedBytes == ${sharedMemoryLayout(c, 0).fixedBytes}`));
  assert.ok(source.includes('Fp8labKernel::kProducerRegisters == 40 && Fp8labKernel::kMathRegisters == 248'));
  assert.ok(source.includes('static_assert(Fp8labKernel::TMA_D_BLOCK_N == 16'));
  assert.ok(
    source.includes(`static_assert(Fp8labKernel::smem_bytes(16384) == ${sharedMemoryLayout(c, 16384).totalBytes}`),
  );
  assert.ok(source.includes(`static_assert(Fp8labKernel::smem_bytes(384) == ${sharedMemoryLayout(c, 384).totalBytes}`));
});

test('the text is deterministic and depends on the template parameters only', () => {
  const a = gemmKernelSource('normal', cfg());
  const b = gemmKernelSource('normal', { ...cfg() });
  assert.equal(a.source, b.source);
  // sharedBytes depends on K and is a launch parameter: it must not change the source (or the cache key).
  assert.equal(gemmKernelSource('normal', cfg({ sharedBytes: 12345 })).source, a.source);
  const other = gemmKernelSource('normal', cfg({ numStages: 3 }));
  assert.notEqual(other.source, a.source);
  assert.notEqual(other.kernelName, a.kernelName);
  assert.notEqual(gemmKernelSource('normal', cfg({ numSms: 130 })).kernelName, a.kernelName);
});

test('illegal configs never reach the compiler: E_INVALID_CONFIG with the rule', () => {
  assert.throws(
    () => gemmKernelSource('normal', cfg({ blockN: 176 })),
    (e: unknown) => {
      assert.ok(e instanceof KernelConfigError);
      assert.equal(e.code, 'E_INVALID_CONFIG');
      assert.equal(e.rule, 'scale-b-blocks');
      assert.match(e.message, /straddle three/);
      return true;
    },
  );
  assert.throws(
    () => gemmKernelSource('kgrouped', cfg()),
    (e: unknown) => e instanceof KernelConfigError && e.rule === 'gemm-type',
  );
  assert.ok(gemmKernelSource('masked', cfg()).source.includes('fp8lab::GemmType::MGroupedMasked>(args);'));
  assert.throws(
    () => gemmKernelSource('normal', cfg({ numThreads: 256 })),
    (e: unknown) => e instanceof KernelConfigError && e.rule === 'threads',
  );
});

test('kernel names are valid C identifiers', () => {
  const name = gemmKernelName('normal', cfg());
  assert.match(name, /^[A-Za-z_][A-Za-z0-9_]*$/);
});

test('a Normal GEMM compiled for its N and K: the unit defines them, the entry name carries them and reads back', () => {
  const { source, kernelName } = gemmKernelSource('normal', cfg(), { compiledShape: { n: 7168, k: 2048 } });
  assert.ok(kernelName.endsWith('_sms132_n7168_k2048'), kernelName);
  assert.ok(source.includes('#define FP8LAB_COMPILED_N 7168\n#define FP8LAB_COMPILED_K 2048\n'));
  assert.ok(source.indexOf('#define FP8LAB_COMPILED_K') < source.indexOf('#include "fp8lab/impls/'));
  assert.deepEqual(compiledShapeOfKernel(kernelName), { n: 7168, k: 2048 });
  const traced = gemmKernelSource('normal', cfg(), { compiledShape: { n: 64, k: 512 }, trace: true }).kernelName;
  assert.deepEqual(compiledShapeOfKernel(traced), { n: 64, k: 512 });
  assert.equal(compiledShapeOfKernel(gemmKernelSource('normal', cfg()).kernelName), undefined);
  assert.throws(() => gemmKernelSource('normal', cfg(), { compiledShape: { n: 0, k: 512 } }), /positive integers/);
});

test('compiledShapeFor: Normal and M-grouped problems get their N and K unless compiled dims are none; other kinds never', () => {
  assert.deepEqual(compiledShapeFor({ kind: 'normal', n: 2112, k: 7168 }), { n: 2112, k: 7168 });
  assert.equal(compiledShapeFor({ kind: 'normal', n: 2112, k: 7168 }, 'none'), undefined);
  assert.deepEqual(compiledShapeFor({ kind: 'masked', n: 4096, k: 7168 }), { n: 4096, k: 7168 });
  assert.deepEqual(compiledShapeFor({ kind: 'contiguous', n: 6144, k: 7168 }), { n: 6144, k: 7168 });
  assert.equal(compiledShapeFor({ kind: 'contiguous', n: 6144, k: 7168 }, 'none'), undefined);
  assert.equal(compiledShapeFor({ kind: 'bf16-masked', n: 4096, k: 7168 }), undefined);
  assert.equal(compiledShapeFor({ kind: 'kgrouped', n: 4096, k: 7168 }), undefined);
});
