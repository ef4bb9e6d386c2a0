// CI compile test: every kernel the runtime builds for the standard grouped / wgrad cases (and the
// edge cases) — the chosen config, compiled for the case's N and K where the runtime does so (the
// M-grouped kinds) — compiles for sm_90a with the real nvcc, with 0 spills, 0 stack and an intact
// wgmma pipeline (no C7514 / C7517); plus the grouped helper kernels. A kind whose kernel is not implemented yet (kernelRules' gemm-type rule)
// is skipped with that reason, and runs as soon as the rule admits it. Skips only without nvcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroupedKind } from '../../../extension/protocol/grouped';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { caseSeed, drawCase, edgeCases, standardCases, kernelProblem } from '../../../extension/src/core/grouped/cases';
import { groupedConfig } from '../../../extension/src/core/grouped/config';
import { groupedUtilsSource } from '../../../extension/src/core/grouped/groupedUtilsSource';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import { ruleGemmType } from '../../../extension/src/core/kernelRules';
import { compiledShapeFor, kernelSourceForKind } from '../../../extension/src/core/kernelSource';
import { assertCompilesClean } from '../nvccHarness';
import { findEntry, parsePtxas, usesLocalMemory } from '../../../extension/src/core/ptxas';

import { repoRoot } from '../repoRoot';
const nvcc = [process.env.FP8LAB_JIT_NVCC_COMPILER, process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'nvcc'), '/usr/local/cuda/bin/nvcc']
  .filter((p): p is string => !!p).find((p) => existsSync(p));
const noNvcc = nvcc ? false : 'nvcc not found';

function compile(source: string, work: string, name: string): string {
  const cu = join(work, `${name}.cu`);
  writeFileSync(cu, source);
  const r = spawnSync(nvcc!, ['-std=c++17', '-O3', '-gencode=arch=compute_90a,code=sm_90a', '--cubin', '-Xptxas', '-v', '--expt-relaxed-constexpr',
    '-I', join(repoRoot(), 'kernels', 'include'), '-o', join(work, `${name}.cubin`), cu], { encoding: 'utf8' });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.status, 0, `${name} failed to compile:\n${log}`);
  return log;
}

function assertNoSpills(log: string, name: string): string {
  const fn = findEntry(parsePtxas(log), name);
  assert.ok(fn, `no ptxas report for ${name}:\n${log}`);
  assert.equal(usesLocalMemory(fn), false, `${name}: ${fn.spillStoresBytes}/${fn.spillLoadsBytes} B spills, ${fn.stackFrameBytes} B stack`);
  return `${fn.registers} registers, 0 spills`;
}

/** Distinct (kind, config) pairs the policy chooses for a kind's issue and edge cases. */
function chosen(kind: GroupedKind): Map<string, { problem: GemmProblem; config: GemmConfig }> {
  const out = new Map<string, { problem: GemmProblem; config: GemmConfig }>();
  const cases = [...standardCases(kind), ...edgeCases().filter((c) => c.kind === kind)];
  cases.forEach((c, i) => {
    const draw = drawCase(c, caseSeed(0, i));
    const problem = kernelProblem(c, draw);
    const { config } = groupedConfig(problem, H100_SXM, draw.groupK);
    out.set(`${kind}:${JSON.stringify(config)}`, { problem, config });
  });
  return out;
}

for (const kind of ['wgrad', 'kgrouped', 'contiguous', 'masked'] as const) {
  const notYet = ruleGemmType(kind) && kind !== 'wgrad' && kind !== 'kgrouped' ? `the 1D2D kernel does not implement '${kind}' yet (${ruleGemmType(kind)!.reason})` : false;
  test(`${kind}: every chosen kernel compiles with 0 spills, 0 stack and no wgmma serialisation`, { skip: noNvcc || notYet }, () => {
    const work = mkdtempSync(join(tmpdir(), `fp8lab-grouped-${kind}-`));
    try {
      const seen = new Set<string>(); // configs differing only in sharedBytes share a cubin
      for (const { problem, config } of chosen(kind).values()) {
        const compiledShape = compiledShapeFor(problem);
        const { source, kernelName } = kernelSourceForKind(problem.kind, config, compiledShape ? { compiledShape } : {});
        if (seen.has(kernelName)) continue;
        seen.add(kernelName);
        const fn = assertCompilesClean(source, work, kernelName, { noSerializedWgmma: true });
        console.log(`${kind} ${config.blockM}x${config.blockN} st${config.numStages} c${config.clusterM}x${config.clusterN}`
          + `${compiledShape ? ` for N ${compiledShape.n}, K ${compiledShape.k}` : ''}: ${fn.registers} registers, 0 spills`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test('grouped helper kernels compile with 0 spills', { skip: noNvcc }, () => {
  const work = mkdtempSync(join(tmpdir(), 'fp8lab-grouped-utils-'));
  try {
    const { source, kernelNames } = groupedUtilsSource();
    const log = compile(source, work, 'grouped_utils');
    for (const name of kernelNames) assertNoSpills(log, name);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
