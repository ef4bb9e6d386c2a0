// Hover logic on fixture sources: asm strings (concatenated literals, %N operands, special
// registers), qualifiers decoded as written, C++ concepts, template parameters with facts, kernel
// facts, and no hover outside known tokens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KernelFacts } from '../../../extension/protocol/languageServer';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { configCost } from '../../../extension/src/core/facts/derive';
import { hoverAt, hoverDetailsAt, offsetToPosition, positionToOffset } from '../../../extension/server/hover/hoverAt';
import { defaultKnowledge as kb } from '../../../extension/server/knowledge';
import { completeConfig } from '../../../extension/src/core/kernelRules';

const root = join(__dirname, '..', '..', '..', '..');
const fixture = readFileSync(join(root, 'test/fixtures/server/hover_fixture.cuh'), 'utf8');

/** Position of `needle` (its `nth` occurrence) plus `into` characters. */
function at(text: string, needle: string, into = 0, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `fixture lacks ${JSON.stringify(needle)} #${nth}`);
  }
  return offsetToPosition(text, i + into);
}

const hover = (needle: string, into = 0, nth = 0, facts?: KernelFacts) =>
  hoverAt(fixture, at(fixture, needle, into, nth), kb, facts);

test('positions and offsets round-trip', () => {
  for (const offset of [0, 10, 500, fixture.length - 1]) {
    assert.equal(positionToOffset(fixture, offsetToPosition(fixture, offset)), offset);
  }
});

test('wgmma inside a concatenated asm string: instruction, shape decoded, types with roles, link', () => {
  const md = hover('wgmma.mma_async', 2);
  assert.ok(md, 'hover expected on wgmma');
  assert.match(md!, /\*\*`wgmma\.mma_async`\*\*/);
  assert.match(md!, /As written: `wgmma\.mma_async\.sync\.aligned\.m64n128k32\.f32\.e4m3\.e4m3`/);
  assert.match(md!, /M=64, N=128, K=32/);
  assert.match(md!, /D \(accumulator\): FP32/);
  assert.match(md!, /\| `\.e4m3` \| A: FP8 E4M3/);
  assert.match(md!, /\| `\.e4m3` \| B: FP8 E4M3/);
  assert.match(md!, /PTX ISA 8\.0\+ · target sm_90a only/);
  assert.match(
    md!,
    /https:\/\/docs\.nvidia\.com\/cuda\/parallel-thread-execution\/#asynchronous-warpgroup-level-matrix-instructions-wgmma-mma-async/,
  );
  // operands as written, bound to the C++ expressions of the operand lists
  // each written operand named by its ISA role (the FP8 form stops before the transposes)
  assert.match(md!, /`\{%0, %1, %2, %3\}` \(`d`\) — %0 = `d\[0\]`/);
  assert.match(md!, /`%4` \(`a-desc`\) — %4 = `desc_a`/);
  assert.match(md!, /`p` \(`scale-d`\)/);
  assert.doesNotMatch(md!, /\(`imm-trans-a`\)/);
});

test('the qualifier under the cursor is marked', () => {
  const md = hover('m64n128k32', 3)!;
  assert.match(md, /\*\*`\.m64n128k32`\*\* ◀/);
  const md2 = hover('.multicast::cluster', 4)!;
  assert.match(md2, /\*\*`\.multicast::cluster`\*\* ◀ \| one load delivers the same tile to several CTAs/);
});

test('mbarrier.try_wait.parity across a label with %= and a guarded branch', () => {
  const md = hover('mbarrier.try_wait', 10)!;
  assert.match(md, /\*\*`mbarrier\.try_wait`\*\*/);
  assert.match(md, /\| `\.parity` \| the operand is a phase parity bit/);
  assert.match(md, /\| `\.shared::cta` \|/);
  assert.match(md, /§9\.7\.13\.15\.16/);
  const bra = hover('bra WAIT', 1)!;
  assert.match(bra, /\*\*`bra`\*\*/);
  assert.match(bra, /Guarded by `@!done`: executes only in threads where that predicate is false/);
});

test('TMA load: every qualifier of a long opcode is decoded', () => {
  const md = hover('cp.async.bulk.tensor', 5)!;
  assert.match(md, /\*\*`cp\.async\.bulk\.tensor`\*\*/);
  assert.match(md, /\| `\.2d` \| 2-dimensional tensor/);
  assert.match(md, /\| `\.mbarrier::complete_tx::bytes` \|/);
  assert.match(md, /\| `\.global` \|/);
  assert.doesNotMatch(md, /not described here/);
});

test('%N operand: its binding and its role in the instruction', () => {
  const md = hover('%5;', 1)!;
  assert.match(md, /\*\*`%5`\*\* — input operand 5/);
  assert.match(md, /Bound to `mask` with `"h"`: 16-bit register, read by the asm/);
  assert.match(md, /Used in operand 4 of `cp\.async\.bulk\.tensor`/);
});

test('special register written %%name inside asm', () => {
  const md = hover('%%cluster_ctarank', 4)!;
  assert.match(md, /\*\*`%cluster_ctarank`\*\* — CTA rank within the cluster/);
  assert.match(md, /special-registers-cluster-ctarank/);
  assert.match(md, /target sm_90\+/);
});

test('no hover in comments, in non-asm strings, on punctuation, numbers or unknown identifiers', () => {
  assert.equal(hover('wgmma in a comment', 1), null);
  assert.equal(hover('"wgmma.fence.sync.aligned"', 3), null);
  assert.equal(hover('plain_variable', 2), null);
  assert.equal(hover('(384, 1)', 1), null);
  assert.equal(hover('namespace fixture', 12), null);
  // inside asm, on a register name that is not special and not %N
  assert.equal(hover('p, %6', 0), null);
});

test('C++ concepts: __grid_constant__, __launch_bounds__, cudaGridDependencySynchronize', () => {
  assert.match(hover('__grid_constant__', 3)!, /TMA needs exactly that/);
  assert.match(hover('__launch_bounds__', 3)!, /65536/);
  assert.match(hover('cudaGridDependencySynchronize', 3)!, /griddepcontrol\.wait/);
});

test('C++ wrappers named after their instruction explain the instruction', () => {
  const text =
    'void f(uint64_t* b) { ptx::mbarrier_try_wait_parity(b, 0); ptx::cp_async_bulk_tensor_2d_load(m, b, d, 0, 0); add_one(x); }';
  const h = (needle: string) => hoverAt(text, offsetToPosition(text, text.indexOf(needle) + 2), kb, undefined);
  assert.match(h('mbarrier_try_wait_parity')!, /C\+\+ wrapper of PTX `mbarrier\.try_wait`/);
  assert.match(h('cp_async_bulk_tensor_2d_load')!, /C\+\+ wrapper of PTX `cp\.async\.bulk\.tensor`/);
  assert.equal(h('add_one'), null);
});

const problem: GemmProblem = { kind: 'normal', m: 4096, n: 7168, k: 7168 };
const config: GemmConfig = completeConfig({ blockM: 128, blockN: 160, clusterM: 2, clusterN: 1, numSms: 132 }, problem);
const small: GemmProblem = { kind: 'normal', m: 64, n: 2112, k: 7168 };
const smallConfig: GemmConfig = completeConfig(
  { blockM: 64, blockN: 32, clusterM: 1, clusterN: 1, numSms: 132 },
  small,
);

const facts: KernelFacts = {
  version: 1,
  updatedAt: '2026-11-21T05:00:00.000Z',
  runLabel: 'run 2026-11-21T05:00 on NVIDIA H100 80GB HBM3',
  configs: [
    { problem, config, cost: configCost(problem, config) },
    { problem: small, config: smallConfig, cost: configCost(small, smallConfig) },
  ],
  compiles: [
    {
      kernelName: 'fp8lab_gemm_a',
      functions: ['gemm_body'],
      config,
      registers: 168,
      spillStoresBytes: 0,
      spillLoadsBytes: 0,
      stackFrameBytes: 0,
      staticSharedBytes: 0,
      dynamicSharedBytes: config.sharedBytes,
      compiledAt: '2026-11-21T05:00:00Z',
      origin: 'run',
    },
    {
      kernelName: 'fixture_kernel',
      functions: [],
      registers: 90,
      spillStoresBytes: 8,
      spillLoadsBytes: 16,
      stackFrameBytes: 24,
      staticSharedBytes: 0,
      compiledAt: '2026-11-21T05:01:00Z',
      origin: 'save',
    },
  ],
};

test('template parameter kNumStages: value per shape and what it costs, from facts', () => {
  const md = hover('kNumStages>', 2, 0, facts)!;
  assert.match(md, /\*\*`kNumStages`\*\* — Depth of the shared-memory ring/);
  const cost = configCost(problem, config);
  // per stage = A (128x128) + B (160x128) + SFA (128 floats padded to 128 B)
  assert.equal(cost.sharedBytesPerStage, 128 * 128 + 160 * 128 + 512);
  assert.match(md, new RegExp(`\\| 4096×7168×7168 normal \\| \\*\\*${config.numStages}\\*\\* \\|`));
  assert.match(md, new RegExp(cost.sharedBytesPerStage.toLocaleString('en-US') + ' B'));
  assert.match(md, new RegExp(config.sharedBytes.toLocaleString('en-US') + ' B'));
  assert.match(md, new RegExp(`\\| ${cost.tiles} \\| ${cost.waves} \\(last`));
  assert.equal(cost.tiles, 32 * Math.ceil(7168 / 160));
  assert.match(md, /on NVIDIA H100 80GB HBM3/);
});

test('template parameter without facts says how to get them', () => {
  const md = hover('BLOCK_M,', 1)!;
  assert.match(md, /No run recorded yet/);
});

test('kernel function: registers, spills, stack, smem of each instantiation', () => {
  const body = hover('gemm_body(', 3, 0, facts)!;
  assert.match(body, /\| `fp8lab_gemm_a` \| 128×160×128, \d+ stages, cluster 2×1 \| \*\*168\*\* \| 0 \/ 0 B \| 0 B \|/);
  const kernel = hover('fixture_kernel', 3, 0, facts)!;
  assert.match(kernel, /\*\*90\*\* ⚠ \| 8 \/ 16 B \| 24 B/);
  // a __global__ kernel with no compile yet still gets a hover that says so
  assert.match(hover('fixture_kernel', 3, 0, undefined)!, /No compile recorded yet/);
});

test('hover ranges cover the hovered token in the document', () => {
  const pos = at(fixture, 'mbarrier.try_wait', 3);
  const d = hoverDetailsAt(fixture, pos, kb, undefined)!;
  assert.equal(fixture.slice(d.start, d.end), 'mbarrier.try_wait.parity.shared::cta.b64');
});

test('real kernel: the instantiated body gets a lens position and facts from a generated unit', async () => {
  const { gemmKernelSource } = await import('../../../extension/src/core/kernelSource');
  const { instantiatedFunctions } = await import('../../../extension/src/core/facts/derive');
  const { findKernelDefinitions } = await import('../../../extension/server/hover/kernelDefinitions');
  const { lexCpp } = await import('../../../extension/server/hover/cppLexer');
  const impl = readFileSync(join(root, 'kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh'), 'utf8');
  const unit = gemmKernelSource('normal', config);
  const functions = instantiatedFunctions(unit.source);
  assert.ok(functions.includes('sm90_fp8_gemm_1d2d_impl'), `functions: ${functions.join(', ')}`);
  const defs = findKernelDefinitions(lexCpp(impl), new Set(functions));
  const body = defs.find((d) => d.name === 'sm90_fp8_gemm_1d2d_impl');
  assert.ok(body, `definitions: ${defs.map((d) => d.name).join(', ')}`);
  // the lens sits on the line of `template <...>` that starts the declaration
  assert.match(impl.slice(body!.declarationStart, body!.declarationStart + 10), /^template/);
  const f: KernelFacts = { ...facts, compiles: [{ ...facts.compiles[0], kernelName: unit.kernelName, functions }] };
  const md = hoverAt(impl, offsetToPosition(impl, body!.start + 3), kb, f)!;
  assert.ok(md.includes(unit.kernelName));
  assert.match(
    hoverAt(impl, offsetToPosition(impl, impl.indexOf('wgmma_desc_origins_kmajor_sw128') + 3), kb, undefined)!,
    /matrix descriptor/,
  );
});

test('one-word mnemonics only match wrappers followed by one of their qualifiers', () => {
  const text = 'void g() { prefetch_tensormap(m); prefetch_sfb(s); setmaxnreg_dec<40>(); elect_sync(); }';
  const h = (needle: string) => hoverAt(text, offsetToPosition(text, text.indexOf(needle) + 2), kb, undefined);
  assert.match(h('prefetch_tensormap')!, /wrapper of PTX `prefetch`/);
  assert.equal(h('prefetch_sfb'), null);
  assert.match(h('setmaxnreg_dec')!, /wrapper of PTX `setmaxnreg`/);
  assert.match(h('elect_sync')!, /wrapper of PTX `elect`/);
});

test('the bf16 wgmma wrapper header: shape k16, bf16 operand types with roles, the transposes bound to 0', () => {
  const header = readFileSync(join(root, 'kernels/include/fp8lab/ptx/wgmma_bf16.cuh'), 'utf8');
  const needle = 'wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16';
  const offset = header.indexOf(needle);
  assert.ok(offset >= 0, 'the generated header holds the m64n256k16 wrapper');
  const md = hoverAt(header, offsetToPosition(header, offset + 2), kb, undefined);
  assert.ok(md, 'hover expected on the bf16 wgmma');
  assert.match(md!, /M=64, N=256, K=16/);
  assert.match(md!, /D \(accumulator\): FP32/);
  assert.match(md!, /\| `\.bf16` \| A: bfloat16/);
  assert.match(md!, /\| `\.bf16` \| B: bfloat16/);
  assert.match(md!, /for BF16 \/ F16 K is 16/);
  assert.match(md!, /m64nNk16/);
});

test('the MQA-logits kernels: their concepts hover on the real sources', () => {
  const plain = readFileSync(join(root, 'kernels/include/fp8lab/impls/sm90_fp8_mqa_logits.cuh'), 'utf8');
  const paged = readFileSync(join(root, 'kernels/include/fp8lab/impls/sm90_fp8_paged_mqa_logits.cuh'), 'utf8');
  const on = (text: string, needle: string) => hoverAt(text, at(text, needle, 2), kb, undefined);
  assert.match(
    on(plain, 'Sm90Fp8MqaLogits<')!.replace(/\n/g, ' '),
    /lightning indexer.*relu\(q\[i,h,:\]·k\[j,:\]·scale\[j\]\)/,
  );
  assert.match(on(plain, 'block_key_range<')!, /union of its queries' windows/);
  assert.match(on(plain, 'kChunksPerQuery =')!, /shfl\.xor/);
  assert.match(
    on(paged, 'block_table[static_cast')!.replace(/\n/g, ' '),
    /64 e4m3 rows first and their 64 FP32 scales/,
  );
  assert.match(on(paged, 'PagedUnitCursor<')!, /one equal, contiguous run per CTA/);
});
