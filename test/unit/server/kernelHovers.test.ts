// Hovers over the real BF16 GEMM and FP8 MQA-logits kernel sources (read from kernels/ now): what a
// kernel engineer sees over their template parameters, concepts, legality rules and PTX, and that a
// name several kernels share is explained as the kernel under the cursor uses it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KernelFacts } from '../../../extension/protocol/languageServer';
import type { GemmConfig, GemmProblem } from '../../../extension/protocol/worker';
import { configCost } from '../../../extension/src/core/facts/derive';
import { lexCpp } from '../../../extension/server/hover/cppLexer';
import { hoverAt, offsetToPosition } from '../../../extension/server/hover/hoverAt';
import { kernelFamilyAt, kernelRegions } from '../../../extension/server/hover/kernelFamily';
import { defaultKnowledge as kb } from '../../../extension/server/knowledge';

const root = join(__dirname, '..', '..', '..', '..');
const read = (rel: string) => readFileSync(join(root, 'kernels/include/fp8lab', rel), 'utf8');
const bf16 = read('impls/sm90_bf16_gemm.cuh');
const fp8 = read('impls/sm90_fp8_gemm_1d2d.cuh');
const plain = read('impls/sm90_fp8_mqa_logits.cuh');
const paged = read('impls/sm90_fp8_paged_mqa_logits.cuh');
const fragment = read('common/mqa_fragment.cuh'); // the MQA epilogue's shared reduction
const kgrouped = read('k_grouped_scheduler.cuh');
const tma = read('ptx/tma.cuh');
const wgmmaBf16 = read('ptx/wgmma_bf16.cuh');

/** Hover `into` characters into the `nth` occurrence of `needle` in `text`. */
function hover(text: string, needle: string, into = 1, nth = 0, facts?: KernelFacts): string {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `the source no longer contains ${JSON.stringify(needle)} #${nth}`);
  }
  const md = hoverAt(text, offsetToPosition(text, i + into), kb, facts);
  assert.ok(md, `no hover over ${JSON.stringify(needle)}`);
  return md!.replace(/\n/g, ' ');
}

test('kernel families: each kernel definition is a region, and a position belongs to the kernel around it', () => {
  const names = (text: string) => kernelRegions(lexCpp(text)).map((r) => `${r.name}:${r.family}`);
  assert.deepEqual(names(bf16), ['Sm90Bf16Gemm:bf16', 'sm90_bf16_gemm_impl:bf16']);
  assert.deepEqual(names(plain), [
    'Sm90Fp8MqaLogits:mqa',
    'sm90_mqa_clean_logits_impl:mqa',
    'sm90_fp8_mqa_logits_impl:mqa',
  ]);
  assert.deepEqual(names(paged), [
    'Sm90Fp8PagedMqaLogits:paged-mqa',
    'sm90_paged_mqa_logits_metadata_impl:paged-mqa',
    'sm90_fp8_paged_mqa_logits_impl:paged-mqa',
  ]);
  // The template header belongs to the struct it opens.
  const tokens = lexCpp(bf16);
  const region = kernelRegions(tokens)[0];
  assert.match(bf16.slice(region.start, region.start + 10), /^template/);
  assert.ok(bf16.slice(region.start, region.end).includes('struct Sm90Bf16Gemm {'));
  // File-scope helpers take the file's one family; a header without kernels has none.
  assert.equal(kernelFamilyAt(lexCpp(plain), plain.indexOf('struct KeyRange')), 'mqa');
  assert.equal(kernelFamilyAt(lexCpp(kgrouped), kgrouped.indexOf('BLOCK_K')), undefined);
  // A text with two kernels: each position gets its own.
  const both = bf16 + '\n' + plain;
  const t = lexCpp(both);
  assert.equal(kernelFamilyAt(t, both.indexOf('kOutput, bool kPingpong, uint32_t kSplitK')), 'bf16');
  assert.equal(kernelFamilyAt(t, both.indexOf('kNumHeads, uint32_t kHeadDim')), 'mqa');
  assert.equal(kernelFamilyAt(t, both.indexOf('struct KeyRange')), undefined);
});

test('BLOCK_K is explained per kernel: 64 in the BF16 kernel, 128 in FP8, both in the K-grouped scheduler', () => {
  const inBf16 = hover(bf16, 'uint32_t BLOCK_K, uint32_t kNumStages', 10);
  assert.match(inBf16, /\*\*`BLOCK_K`\*\* — K elements per pipeline stage \(BF16: 64\) \(kernel template parameter\)/);
  assert.match(inBf16, /64 bf16 are 128 bytes, one row of the 128-byte swizzle/);
  assert.match(inBf16, /four wgmma k16 per stage/);
  assert.doesNotMatch(inBf16, /Always 128/);
  const inFp8 = hover(fp8, 'BLOCK_K', 1, 0);
  assert.match(inFp8, /Always 128 for FP8/);
  const inScheduler = hover(kgrouped, 'uint32_t BLOCK_K, uint32_t kClusterM', 10);
  assert.match(inScheduler, /128 for the FP8 kernels .* and 64 for the BF16 kernel/);
  assert.match(inScheduler, /The K-grouped scheduler is templated on it/);
});

test('BF16 kernel: its template parameters kGemmType, kOutput, kPingpong, kSplitK and kDSlabs, the Bf16Output epilogues, K-grouped', () => {
  const gemmType = hover(bf16, 'GemmType kGemmType, Bf16Output kOutput, bool kPingpong,', 10);
  assert.match(gemmType, /\*\*`kGemmType`\*\* — Which GEMM the BF16 kernel is compiled as/);
  assert.match(gemmType, /`KGrouped` \(G weight-gradient GEMMs of their own K_g, fp32 D_g = C_g \+ A_g·B_gᵀ/);
  const output = hover(bf16, 'GemmType kGemmType, Bf16Output kOutput, bool kPingpong,', 33);
  assert.match(output, /\*\*`kOutput`\*\* — What the BF16 epilogue writes \(Bf16Output\)/);
  const pingpong = hover(bf16, 'Bf16Output kOutput, bool kPingpong,', 28);
  assert.match(pingpong, /\*\*`kPingpong`\*\* — Ping-pong or cooperative math warpgroups/);
  assert.match(pingpong, /one warpgroup's epilogue runs while the other's K-loop/);
  assert.match(hover(bf16, 'kPingpong ? math_wg * SMEM_D_TILE_BYTES', 3), /Ping-pong or cooperative/);
  const splitK = hover(bf16, 'bool kPingpong, uint32_t kSplitK = 1, uint32_t kDSlabs = 0>', 26);
  assert.match(splitK, /\*\*`kSplitK`\*\* — Split-K across the CTAs of a cluster \(1, 2 or 4\)/);
  assert.match(splitK, /64-deep K-blocks; a rank whose share is empty/);
  assert.doesNotMatch(splitK, /FP8/);
  const slabs = hover(bf16, 'uint32_t kSplitK = 1, uint32_t kDSlabs = 0>', 33);
  assert.match(slabs, /\*\*`kDSlabs`\*\* — D slab ring: box buffers for the epilogue \(0, 2 or 3\)/);
  assert.match(slabs, /128×256 bf16 takes 4 stages instead of 3/);
  const bf16Output = hover(bf16, 'enum class Bf16Output', 12);
  assert.match(bf16Output, /Bf16Output — the three epilogues of the BF16 GEMM/);
  assert.match(bf16Output, /`Bf16`: D bf16 \[M, N\] overwritten .*`stmatrix`/);
  assert.match(bf16Output, /`Fp32Accumulate`: D fp32 \+= A·Bᵀ .*`cp\.reduce\.async\.bulk\.tensor \.add`/);
  // The enumerator where it is used.
  assert.match(hover(bf16, 'kOutput == Bf16Output::Fp32Accumulate', 25), /the three epilogues/);
  const kg = hover(bf16, 'GemmType::KGrouped, BLOCK_M', 10);
  assert.match(kg, /K-grouped in the BF16 kernel: D_g = C_g \+ A_g·B_gᵀ in fp32/);
  assert.match(kg, /3D tensor map \{N, M, G\}/);
  assert.match(kg, /rows past M are clipped at the plane's edge instead of landing in the next group/);
  assert.match(hover(bf16, 'args.tma_d, slab', 6), /3D map \{N, M, G\} over fp32 D \[G, M, N\]/);
  assert.match(hover(bf16, 'Bf16SchedulerFor<kGemmType', 2), /KGroupedScheduler with this kernel's BLOCK_K \(64\)/);
  assert.match(hover(bf16, 'using Mma = ptx::WgmmaBf16', 17), /m64n\{N\}k16_f32_bf16_bf16/);
  assert.match(hover(bf16, 'WGMMA_K = 16', 2), /K of one wgmma: 16 for bf16/);
  assert.match(hover(bf16, 'issue_k_block(accum', 2), /scale-d = 0, so accumulators need no zeroing between tiles/);
  assert.match(hover(bf16, 'TMA_D_BLOCK_N =', 2), /slabs of TMA_D_BLOCK_N/);
  assert.match(hover(bf16, 'kSwapChunks =', 2), /bank/);
  assert.match(hover(bf16, 'cvt_rn_bf16x2_f32(accum', 2), /round|Rounds/);
});

test('BF16 kernel: the legality rules in its static_asserts explain why, and name the TypeScript mirror', () => {
  const output = hover(bf16, '"rule kgrouped-output', 3);
  assert.match(output, /\*\*rule `kgrouped-output`\*\* of the BF16 GEMM kernel — K-grouped writes fp32 D = C \+ A·Bᵀ/);
  assert.match(output, /`cp\.reduce\.async\.bulk\.tensor\.3d \.\.\. \.add` onto plane g of the 3D D map \{N, M, G\}/);
  assert.match(output, /`extension\/src\/core\/bf16\/kernelRulesBf16\.ts`/);
  const cluster = hover(bf16, '"rule kgrouped-cluster', 3);
  assert.match(cluster, /K-grouped runs without clusters/);
  assert.match(cluster, /no operand to share/);
  assert.match(hover(bf16, '"rule block-k', 3), /BLOCK_K is 64 \(BF16\)/);
  assert.match(hover(fp8, '"rule block-k', 3), /BLOCK_K is 128 \(FP8\)/);
  // A rule the GEMM kernels share names the mirror of the kernel at hand.
  assert.match(
    hover(bf16, '"rule block-m', 3),
    /`extension\/src\/core\/bf16\/kernelRulesBf16\.ts` \(with the tile rules/,
  );
  assert.match(hover(fp8, '"rule block-m', 3), /by `extension\/src\/core\/kernelRules\.ts` \(1D1D/);
  // The MQA kernels' fixed parameters: no TypeScript rule, and the hover says why.
  assert.match(
    hover(plain, '"rule stages', 3),
    /Checked by this static_assert only: the runtime compiles the MQA kernels/,
  );
  // A string that is not a static_assert message is not a rule.
  const text = 'const char* s = "rule block-k: not an assert";';
  assert.equal(hoverAt(text, offsetToPosition(text, text.indexOf('rule') + 2), kb, undefined), null);
});

test('BF16 PTX: the bf16 wgmma names every operand by its ISA role, the reduce-add TMA says what our kernels use it for', () => {
  const mma = hover(wgmmaBf16, '"wgmma.mma_async.sync.aligned.m64n128k16', 3);
  assert.match(mma, /M=64, N=128, K=16/);
  assert.match(mma, /`p` \(`scale-d`\)/);
  assert.match(mma, /7\. `0` \(`imm-trans-a`\) 8\. `0` \(`imm-trans-b`\)/);
  assert.match(mma, /\*\*In our kernels:\*\* .*BF16 GEMM \(ptx\/wgmma_bf16\.cuh\): `m64nNk16\.f32\.bf16\.bf16`/);
  assert.match(mma, /§9\.7\.15\.5\.2/);
  const reduce3d = hover(tma, '"cp.reduce.async.bulk.tensor.3d', 3);
  assert.match(reduce3d, /\*\*`cp\.reduce\.async\.bulk\.tensor`\*\* — TMA tile store that reduces into global memory/);
  assert.match(reduce3d, /\| `\.3d` \| 3-dimensional tensor/);
  assert.match(reduce3d, /\| `\.add` \| element-wise add/);
  assert.match(reduce3d, /BF16 K-grouped: `\.3d \.\.\. \.add` onto the 3D map \{N, M, G\} at \(column, row, group\)/);
  assert.match(reduce3d, /§9\.7\.9\.27\.1\.3/);
  // The wrapper name in the kernel explains the instruction and its use too.
  assert.match(
    hover(bf16, 'cp_reduce_async_bulk_tensor_3d_add(&args', 3),
    /C\+\+ wrapper of PTX `cp\.reduce\.async\.bulk\.tensor`.*In our kernels/,
  );
});

test('MQA kernels: template parameters, with the plain and the paged meaning of kNumMathWarpgroups', () => {
  const header = 'template <uint32_t kNumHeads, uint32_t kHeadDim, uint32_t kNumQStages, uint32_t kNumKVStages,';
  assert.match(hover(plain, header, 20), /\*\*`kNumHeads`\*\* — Query heads \(32 or 64\).*BLOCK_Q = 128 \/ heads/);
  assert.match(hover(plain, header, 40), /\*\*`kHeadDim`\*\* — Head dimension: the K of the score GEMM/);
  assert.match(hover(plain, header, 60), /\*\*`kNumQStages`\*\* — Depth of the Q ring/);
  assert.match(hover(plain, header, 85), /\*\*`kNumKVStages`\*\* — Depth of the KV ring/);
  const wgPlain = hover(plain, 'uint32_t kNumMathWarpgroups>\nstruct Sm90Fp8MqaLogits', 12);
  assert.match(wgPlain, /64 keys each \(BLOCK_KV = 64 · this\)/);
  assert.doesNotMatch(wgPlain, /BLOCK_M/);
  const wgPaged = hover(paged, 'uint32_t kNumMathWarpgroups>\nstruct Sm90Fp8PagedMqaLogits', 12);
  assert.match(wgPaged, /one 64-key page each \(pages per split\)/);
  const nextN = hover(paged, 'template <uint32_t kNextN', 21);
  assert.match(nextN, /\*\*`kNextN`\*\* — Decode tokens per request \(next_n\)/);
  assert.match(nextN, /next_n · heads ≤ 128, rule next-n/);
  // No GemmConfig field: no "run a benchmark" hint that would never fill in.
  assert.doesNotMatch(nextN, /No run recorded yet/);
  assert.match(
    hover(paged, 'rule next-n', 2),
    /next_n · heads ≤ 128.*mqaRules\.ts`, which rejects a case that breaks it/,
  );
  assert.match(hover(plain, '"rule heads', 3), /heads is 32 or 64.*extension\/src\/core\/mqa\/mqaRules\.ts/);
});

test('MQA kernels: key ranges rounded to 4 keys, the page layout and block table, the clean-logits contract', () => {
  const range = hover(plain, 'struct KeyRange', 8);
  assert.match(range, /union of its queries' windows/);
  assert.match(range, /rounded down to a multiple of 4 keys because the key scales come by TMA as one FP32 box/);
  assert.match(range, /16-byte boundary/);
  assert.match(hover(plain, 'block_key_range<', 2), /rounded down to 4 keys/);
  const maps = hover(paged, 'args.tma_kv, kv_full', 7);
  assert.match(maps, /uint8 \[num_blocks, 64, 1, dim \+ 4\]/);
  assert.match(maps, /3D map \{dim, 64, num_blocks\} with the page stride/);
  assert.match(maps, /starting at byte 64·dim/);
  assert.match(hover(plain, 'args.tma_kv_scales, kv_full', 7), /box BLOCK_KV × 1 at \(key0, 0\)/);
  assert.match(hover(paged, 'block_table[static_cast', 2), /64 e4m3 rows first and their 64 FP32 scales/);
  assert.match(hover(paged, 'const auto page_id_of', 13), /read one unit ahead/);
  const clean = hover(plain, 'void sm90_mqa_clean_logits_impl', 8);
  assert.match(clean, /clean-logits contract: a score or -inf for every key/);
  assert.match(clean, /It overwrites scores, so it runs after the main kernel/);
  assert.match(hover(plain, 'out[j] = kNegInf', 9), /clean-logits contract/);
  assert.match(hover(paged, 'cp_async_bulk_tensor_3d_load(&args', 3), /`\.3d` load \(paged MQA\): one 64-key page/);
  assert.match(hover(fragment, '__shfl_xor_sync(', 3), /two `__shfl_xor_sync` steps/);
});

test('template parameter facts come from runs of the kernel under the cursor', () => {
  const config: GemmConfig = {
    blockM: 128,
    blockN: 128,
    blockK: 64,
    numStages: 6,
    numMathWarpgroups: 2,
    clusterM: 1,
    clusterN: 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: 128,
    numSms: 132,
    sharedBytes: 0,
    numThreads: 384,
  };
  const run = (kind: GemmProblem['kind'], numStages: number) => {
    const problem: GemmProblem = { kind, m: 4096, n: 4096, k: 4096 };
    const c = { ...config, numStages, blockK: kind.startsWith('bf16') ? 64 : 128 };
    return { problem, config: c, cost: configCost(problem, c) };
  };
  const facts: KernelFacts = {
    version: 1,
    updatedAt: '2026-12-06T00:00:00.000Z',
    configs: [run('bf16', 6), run('normal', 5)],
    compiles: [],
  };
  const inBf16 = hover(bf16, 'uint32_t kNumStages, uint32_t kNumMathWarpgroups', 10, 0, facts);
  assert.match(inBf16, /`kNumStages` = 6\b/);
  assert.match(inBf16, /4096×4096×4096 bf16/);
  assert.doesNotMatch(inBf16, /4096×4096×4096 normal/);
  const inFp8 = hover(fp8, 'uint32_t kNumStages,', 10, 0, facts);
  assert.match(inFp8, /`kNumStages` = 5\b/);
  assert.doesNotMatch(inFp8, /4096×4096×4096 bf16/);
});
