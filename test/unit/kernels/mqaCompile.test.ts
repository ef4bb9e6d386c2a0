// The MQA-logits kernels compiled by the real nvcc (sm_90a, ptxas -v) from the translation units the
// runtime generates: every config the rules admit builds with 0 spills and 0 stack (main kernel and
// helper), the units' static_asserts catch a TypeScript layout that drifted from the kernel's, and the
// kernels' own static_asserts refuse what the rules refuse; ptxas serialises no wgmma. Skips only without
// nvcc. No GPU needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqaCase, MqaKernelConfig } from '../../../extension/protocol/mqa';
import { mqaKernelConfig } from '../../../extension/src/core/mqa/mqaRules';
import { mqaKernelSource } from '../../../extension/src/core/mqa/mqaSource';
import { mqaUtilsSource } from '../../../extension/src/core/mqa/mqaUtilsSource';
import { findEntry, parsePtxas, usesLocalMemory, type PtxasFunction } from '../../../extension/src/core/ptxas';
import { assertInvariantCheckerPasses, compileCubin, skip, withWorkDir } from '../nvccHarness';

/** One build of a unit; every named entry reported by ptxas, with no spills and no stack. */
function compileClean(source: string, work: string, names: string[]): PtxasFunction[] {
  const { status, log } = compileCubin(source, work, names[0]);
  assert.equal(status, 0, `${names[0]} failed to compile:\n${log}`);
  // ptxas neither serialised the wgmma pipeline (C7514) nor injected a wait of its own (C7517).
  assert.doesNotMatch(log, /wgmma.*serializ|\(C751[47]\)|warpgroup\.wait is injected/i, `${names[0]}:\n${log}`);
  return names.map((name) => {
    const fn = findEntry(parsePtxas(log), name);
    assert.ok(fn, `no ptxas report for ${name}:\n${log}`);
    assert.equal(usesLocalMemory(fn), false, `${name}: ${fn.spillStoresBytes}/${fn.spillLoadsBytes} B spills, ${fn.stackFrameBytes} B stack`);
    return fn;
  });
}

const plainCases: MqaCase[] = [32, 64].flatMap((heads) => [64, 128].map((dim) =>
  ({ kind: 'mqa-logits' as const, seqQ: 128, seqKv: 1024, heads, dim, windows: 'causal' as const })));
const pagedCases: MqaCase[] = [[1, 64], [2, 64], [1, 32], [2, 32], [4, 32]].flatMap(([nextN, heads]) => [64, 128].map((dim) =>
  ({ kind: 'paged-mqa-logits' as const, batch: 8, nextN, heads, dim, avgKv: 1000 })));

test('every MQA-logits config compiles for sm_90a with 0 spills and 0 stack, helpers too', { skip }, () => {
  withWorkDir('fp8lab-mqa-compile-', (work) => {
    for (const c of [...plainCases, ...pagedCases]) {
      const config = mqaKernelConfig(c);
      const { source, kernelName, helperName } = mqaKernelSource(config);
      const [fn, helper] = compileClean(source, work, [kernelName, helperName]);
      // 640 threads leave 65536 / 640 = 102 registers; ptxas allocates in steps of 8.
      assert.ok(fn.registers <= 96, `${kernelName}: ${fn.registers} registers`);
      console.log(`${kernelName}: ${fn.registers} registers, 0 spills, smem ${config.sharedBytes} B; ${helperName}: ${helper.registers} registers`);
    }
  });
});

test('the unit static_asserts the TypeScript shared-memory mirror against the kernel', { skip }, () => {
  withWorkDir('fp8lab-mqa-compile-', (work) => {
    for (const c of [plainCases[3], pagedCases[1]]) {
      const config: MqaKernelConfig = { ...mqaKernelConfig(c), sharedBytes: mqaKernelConfig(c).sharedBytes + 8 };
      const { source, kernelName } = mqaKernelSource(config);
      const { status, log } = compileCubin(source, work, kernelName);
      assert.notEqual(status, 0);
      assert.match(log, /SharedBytes disagrees with the kernel's shared-memory layout/);
    }
  });
});

test('the kernels\' static_asserts refuse heads 48, dim 96 and next_n x heads over 128', { skip }, () => {
  withWorkDir('fp8lab-mqa-compile-', (work) => {
    const bad = [
      ['plain heads 48', 'fp8lab/impls/sm90_fp8_mqa_logits.cuh', 'MqaLogitsArgs', 'fp8lab::sm90_fp8_mqa_logits_impl<48, 128, 3, 3, 4>', /rule heads/],
      ['plain dim 96', 'fp8lab/impls/sm90_fp8_mqa_logits.cuh', 'MqaLogitsArgs', 'fp8lab::sm90_fp8_mqa_logits_impl<64, 96, 3, 3, 4>', /rule head-dim/],
      ['paged next_n 3', 'fp8lab/impls/sm90_fp8_paged_mqa_logits.cuh', 'PagedMqaLogitsArgs', 'fp8lab::sm90_fp8_paged_mqa_logits_impl<3, 64, 128, 3, 3, 4>', /rule next-n/],
    ] as const;
    for (const [what, header, args, call, rule] of bad) {
      const source = `#include "${header}"\nextern "C" __global__ void __launch_bounds__(640, 1) bad(const __grid_constant__ fp8lab::${args} args) { ${call}(args); }\n`;
      const { status, log } = compileCubin(source, work, 'bad');
      assert.notEqual(status, 0, what);
      assert.match(log, rule, what);
    }
  });
});

test('the helper module (inputs, FP32 references, comparison) compiles, its static_asserts hold, no spills', { skip }, () => {
  withWorkDir('fp8lab-mqa-compile-', (work) => {
    const { source, kernelNames } = mqaUtilsSource();
    compileClean(source, work, kernelNames);
  });
});

test('kernels/tools/check_invariants_mqa.cu (the paged schedule: every unit walked once, even runs) passes on the CPU', { skip }, () => {
  assertInvariantCheckerPasses('check_invariants_mqa');
});
