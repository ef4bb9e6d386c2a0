import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSettings } from '../../../extension/src/core/settings';

const paths = { kernelsDir: '/ext/kernels', homeDir: '/home/u', cwd: '/work/proj' };

test('defaults: /usr/local/cuda, nvcc inside it, ~/.cache/fp8lab/jit, every knob off', () => {
  const { settings, warnings } = resolveSettings({}, {}, paths);
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings, {
    cacheDir: '/home/u/.cache/fp8lab/jit',
    tuningDbPath: '/home/u/.cache/fp8lab/tuning',
    compiler: 'nvcc',
    cudaHome: '/usr/local/cuda',
    nvccPath: '/usr/local/cuda/bin/nvcc',
    libcudaPath: '',
    cublasLtPath: '',
    kernelsDir: '/ext/kernels',
    jitDebug: false,
    printConfigs: false,
    printCompilerCommand: false,
    ptxasVerbose: false,
    ptxasCheck: false,
    dumpPtx: false,
    dumpSass: false,
    withLineinfo: false,
    compileTimeoutSeconds: 600,
  });
});

test('the compile time limit: the setting wins over FP8LAB_JIT_COMPILE_TIMEOUT; 0 is no limit; a bad value warns and keeps 600 s', () => {
  assert.equal(resolveSettings({}, { FP8LAB_JIT_COMPILE_TIMEOUT: '90' }, paths).settings.compileTimeoutSeconds, 90);
  assert.equal(
    resolveSettings({ 'jit.compileTimeoutSeconds': 30 }, { FP8LAB_JIT_COMPILE_TIMEOUT: '90' }, paths).settings
      .compileTimeoutSeconds,
    30,
  );
  assert.equal(resolveSettings({}, { FP8LAB_JIT_COMPILE_TIMEOUT: '0' }, paths).settings.compileTimeoutSeconds, 0);
  for (const bad of ['-5', '1.5', 'soon', '100000']) {
    const { settings, warnings } = resolveSettings({}, { FP8LAB_JIT_COMPILE_TIMEOUT: bad }, paths);
    assert.equal(settings.compileTimeoutSeconds, 600, bad);
    assert.match(
      warnings.join('\n'),
      /FP8LAB_JIT_COMPILE_TIMEOUT=.* is not a number of seconds; use a whole number from 1 to 86400 \(0 = no limit\)/,
    );
  }
});

test('XDG_CACHE_HOME moves the default cache; a relative XDG_CACHE_HOME is ignored as the spec says', () => {
  assert.equal(resolveSettings({}, { XDG_CACHE_HOME: '/xdg' }, paths).settings.cacheDir, '/xdg/fp8lab/jit');
  assert.equal(resolveSettings({}, { XDG_CACHE_HOME: 'rel' }, paths).settings.cacheDir, '/home/u/.cache/fp8lab/jit');
});

test('the tuning store sits beside the JIT cache; FP8LAB_TUNING_DB moves it and fp8lab.tuning.dbPath wins over both', () => {
  assert.equal(
    resolveSettings({}, { FP8LAB_JIT_CACHE_DIR: '/shared/fp8lab/jit' }, paths).settings.tuningDbPath,
    '/shared/fp8lab/tuning',
  );
  assert.equal(resolveSettings({}, { FP8LAB_TUNING_DB: 'db' }, paths).settings.tuningDbPath, '/work/proj/db');
  assert.equal(
    resolveSettings({ 'tuning.dbPath': '~/t' }, { FP8LAB_TUNING_DB: '/x' }, paths).settings.tuningDbPath,
    '/home/u/t',
  );
});

test('environment variables fill what VS Code settings leave unset', () => {
  const { settings, warnings } = resolveSettings(
    {},
    {
      CUDA_HOME: '/opt/cuda-12.8',
      FP8LAB_JIT_CACHE_DIR: 'cache',
      FP8LAB_JIT_USE_NVRTC: '1',
      FP8LAB_JIT_DEBUG: 'true',
      FP8LAB_PRINT_CONFIGS: '1',
      FP8LAB_JIT_PRINT_COMPILER_COMMAND: 'yes',
      FP8LAB_JIT_PTXAS_VERBOSE: 'on',
      FP8LAB_JIT_PTXAS_CHECK: '1',
      FP8LAB_JIT_DUMP_PTX: '1',
      FP8LAB_JIT_DUMP_SASS: '1',
      FP8LAB_JIT_WITH_LINEINFO: '1',
      FP8LAB_NUM_SMS: '66',
      FP8LAB_LIBCUDA_PATH: '/drv/libcuda.so.1',
      FP8LAB_CUBLASLT_PATH: '~/lib/libcublasLt.so',
    },
    paths,
  );
  assert.deepEqual(warnings, []);
  assert.equal(settings.cudaHome, '/opt/cuda-12.8');
  assert.equal(settings.nvccPath, '/opt/cuda-12.8/bin/nvcc', 'nvcc follows CUDA_HOME');
  assert.equal(settings.cacheDir, '/work/proj/cache', 'relative paths resolve against cwd');
  assert.equal(settings.compiler, 'nvrtc');
  assert.equal(settings.numSms, 66);
  assert.equal(settings.libcudaPath, '/drv/libcuda.so.1');
  assert.equal(settings.cublasLtPath, '/home/u/lib/libcublasLt.so', '~ expands to the home folder');
  for (const k of [
    'jitDebug',
    'printConfigs',
    'printCompilerCommand',
    'ptxasVerbose',
    'ptxasCheck',
    'dumpPtx',
    'dumpSass',
    'withLineinfo',
  ] as const) {
    assert.equal(settings[k], true, k);
  }
});

test('CUDA_PATH is used when CUDA_HOME is not set; FP8LAB_JIT_NVCC_COMPILER overrides nvcc', () => {
  const { settings } = resolveSettings({}, { CUDA_PATH: '/opt/cuda', FP8LAB_JIT_NVCC_COMPILER: '/bin/my-nvcc' }, paths);
  assert.equal(settings.cudaHome, '/opt/cuda');
  assert.equal(settings.nvccPath, '/bin/my-nvcc');
});

test('explicit VS Code settings win over the environment; empty strings fall through', () => {
  const { settings } = resolveSettings(
    { cudaHome: '/vs/cuda', 'jit.cacheDir': '', 'jit.compiler': 'nvcc', 'jit.numSms': 100, 'jit.nvccPath': '/vs/nvcc' },
    { CUDA_HOME: '/env/cuda', FP8LAB_JIT_CACHE_DIR: '/env/cache', FP8LAB_JIT_USE_NVRTC: '1', FP8LAB_NUM_SMS: '66' },
    paths,
  );
  assert.equal(settings.cudaHome, '/vs/cuda');
  assert.equal(settings.nvccPath, '/vs/nvcc');
  assert.equal(settings.cacheDir, '/env/cache');
  assert.equal(settings.compiler, 'nvcc');
  assert.equal(settings.numSms, 100);
});

test('an on/off knob is on when either the setting or the variable says so', () => {
  assert.equal(resolveSettings({ 'jit.debug': true }, {}, paths).settings.jitDebug, true);
  assert.equal(resolveSettings({ 'jit.debug': false }, { FP8LAB_JIT_DEBUG: '1' }, paths).settings.jitDebug, true);
  assert.equal(resolveSettings({}, { FP8LAB_JIT_DEBUG: '0' }, paths).settings.jitDebug, false);
});

test('bad values are ignored with a warning that says what would work', () => {
  const { settings, warnings } = resolveSettings(
    { 'jit.compiler': 'clang', 'jit.numSms': -3 } as never,
    { FP8LAB_JIT_DEBUG: 'maybe', FP8LAB_NUM_SMS: 'lots' },
    paths,
  );
  assert.equal(settings.compiler, 'nvcc');
  assert.equal(settings.jitDebug, false);
  assert.equal(settings.numSms, undefined);
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.match(warnings.join('\n'), /fp8lab\.jit\.compiler must be "nvcc" or "nvrtc"/);
  assert.match(warnings.join('\n'), /FP8LAB_JIT_DEBUG="maybe" is not an on\/off value; use 1 or 0/);
  assert.match(warnings.join('\n'), /FP8LAB_NUM_SMS="lots" is not a number of SMs/);
  assert.match(warnings.join('\n'), /fp8lab\.jit\.numSms=-3/);
});

test('FP8LAB_NUM_SMS=0 means all SMs (no limit)', () => {
  assert.equal(resolveSettings({}, { FP8LAB_NUM_SMS: '0' }, paths).settings.numSms, undefined);
});

test('FP8LAB_JIT_DEFINES: FP8LAB_ macros become defines, anything else is refused with a warning', () => {
  const { settings, warnings } = resolveSettings(
    {},
    { FP8LAB_JIT_DEFINES: 'FP8LAB_OVERLAP_MAX_BLOCK_N=0, FP8LAB_TRACE_X=2 FP8LAB_X;rm -rf NDEBUG' },
    paths,
  );
  assert.deepEqual(settings.jitDefines, ['FP8LAB_OVERLAP_MAX_BLOCK_N=0', 'FP8LAB_TRACE_X=2']);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /"FP8LAB_X;rm" is not NAME or NAME=VALUE/);
  assert.equal(resolveSettings({}, {}, paths).settings.jitDefines, undefined);
});

test('compiled dims: FP8LAB_JIT_COMPILED_DIMS or fp8lab.jit.compiledDims (the setting wins); a bad value is warned about', () => {
  assert.equal(resolveSettings({}, { FP8LAB_JIT_COMPILED_DIMS: 'none' }, paths).settings.compiledDims, 'none');
  assert.equal(
    resolveSettings({ 'jit.compiledDims': 'nk' }, { FP8LAB_JIT_COMPILED_DIMS: 'none' }, paths).settings.compiledDims,
    'nk',
  );
  const bad = resolveSettings({}, { FP8LAB_JIT_COMPILED_DIMS: 'mnk' }, paths);
  assert.equal(bad.settings.compiledDims, undefined);
  assert.deepEqual(bad.warnings, ['FP8LAB_JIT_COMPILED_DIMS must be "nk" or "none", not "mnk"; ignored.']);
});
