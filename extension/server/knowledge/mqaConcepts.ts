// Concepts of the FP8 MQA-logits kernels (DeepSeek-V3.2's lightning indexer), in our words: what a
// reader of kernels/include/fp8lab/impls/sm90_fp8_mqa_logits.cuh and sm90_fp8_paged_mqa_logits.cuh
// meets by name.
import type { ConceptEntry } from './types';

const DG = 'https://github.com/deepseek-ai/DeepGEMM';
const V32 = 'https://github.com/deepseek-ai/DeepSeek-V3.2-Exp';

export const mqaConcepts: ConceptEntry[] = [
  {
    id: 'mqa_logits',
    identifiers: [
      'MqaLogitsArgs',
      'PagedMqaLogitsArgs',
      'Sm90Fp8MqaLogits',
      'Sm90Fp8PagedMqaLogits',
      'sm90_fp8_mqa_logits_impl',
      'sm90_fp8_paged_mqa_logits_impl',
      'fp8_mqa_logits',
      'fp8_paged_mqa_logits',
    ],
    title: "FP8 MQA logits — the V3.2 indexer's scoring step",
    body:
      "DeepSeek-V3.2's lightning indexer picks which keys each query attends to by a cheap score: " +
      '`logits[i, j] = Σ_h relu(q[i,h,:]·k[j,:]·scale[j]) · w[i,h]`, q and k in FP8 e4m3, one key head shared by all ' +
      'query heads (multi-query), one FP32 scale per key, per-head weights. All heads of a query block form one wgmma ' +
      'operand (N = queries × heads = 128, the keys are the 64-row A side per math warpgroup), so one GEMM scores every head ' +
      'and the ReLU · weight · head-sum happens on the accumulator registers: the per-head scores never reach memory. ' +
      'The plain kernel scores windows of a contiguous KV (prefill); the paged one scores decode tokens over a paged cache.',
    links: [
      { label: 'DeepGEMM: fp8_mqa_logits / fp8_paged_mqa_logits', url: DG },
      { label: 'DeepSeek-V3.2-Exp (the indexer)', url: V32 },
    ],
  },
  {
    id: 'mqa_window',
    identifiers: [
      'cu_seq_len_k_start',
      'cu_seq_len_k_end',
      'ks',
      'ke',
      'KeyRange',
      'block_key_range',
      'sm90_mqa_clean_logits_impl',
      'clean_logits',
    ],
    title: 'Key windows and clean logits',
    body:
      'Query i sees keys `[ks[i], ke[i])` (`cu_seq_len_k_start/end`): causal prefill gives ke = i + seq_kv − seq_q; context ' +
      "parallelism gives each rank two chunks. A query block loads the union of its queries' windows (`block_key_range`), " +
      "so keys of another query's window are computed too and stored as -inf. Keys outside the union are written by the " +
      "clean-logits kernel: with DeepGEMM's `clean_logits = true` every j < seq_kv of every row holds a score or -inf, " +
      'which is what a top-k over the row needs.',
    links: [{ label: 'DeepGEMM tests/test_attention.py (window generators)', url: DG }],
  },
  {
    id: 'paged_kv_cache',
    identifiers: [
      'block_table',
      'block_table_stride',
      'context_lens',
      'kPagedBlockKV',
      'request_pages',
      'num_kv_blocks',
      'kv_cache',
      'MQA_PAGE_KEYS',
    ],
    title: 'Paged KV cache (64-key pages)',
    body:
      "In decode, each request's keys live in fixed pages of 64 rows scattered through one cache; `block_table[b, p]` names " +
      "page p of request b and `context_lens[b, t]` how many keys decode token t of it sees. DeepGEMM's fused layout puts a " +
      "page's 64 e4m3 rows first and their 64 FP32 scales after them (64·(dim+4) bytes per page), so the kernel reads the " +
      'values with a 3D tensor map {dim, 64, pages} and the scales with a 2D one {64, pages}, both with the page stride, and ' +
      "picks the page by its id as the outer TMA coordinate. Keys past a token's context in its last page get -inf; " +
      'nothing past the last page is written.',
    links: [{ label: 'DeepGEMM: fp8_paged_mqa_logits', url: DG }],
  },
  {
    id: 'paged_schedule',
    identifiers: [
      'PagedUnitCursor',
      'sm90_paged_mqa_logits_metadata_impl',
      'get_paged_mqa_logits_metadata',
      'SPLIT_KV',
      'kMetadataThreads',
    ],
    title: 'Paged schedule metadata',
    body:
      'Requests differ in length, so the paged kernel does not give each CTA whole requests. Each request is cut into ' +
      'splits of 4 pages (one per math warpgroup); a one-CTA metadata kernel computes a prefix sum of splits per request ' +
      'and cuts the whole list into one equal, contiguous run per CTA, writing where each starts as (request, split). Every ' +
      'role of a CTA walks its run with the same cursor, so producer warps and math warpgroups agree without talking. ' +
      'DeepGEMM exposes this step as `get_paged_mqa_logits_metadata`; here it runs before every call.',
    links: [{ label: 'DeepGEMM: get_paged_mqa_logits_metadata', url: DG }],
  },
  {
    id: 'mqa_head_sum',
    identifiers: [
      'kChunksPerQuery',
      'kChunksPerToken',
      'kValuesPerQuad',
      'kStoresPerLane',
      'quad_lane',
      'BLOCK_Q',
      'kNextN',
    ],
    title: 'The head sum on the accumulator fragment',
    body:
      "In wgmma's m64nN accumulator each thread holds two rows (keys r0 and r0 + 8) and, in every 8-column chunk, two " +
      "adjacent columns; the four lanes of a quad hold the chunk's eight columns. Columns are (query, head) pairs, so a " +
      "query's heads span heads/8 chunks: each thread sums relu(score)·weight over its columns, two `shfl.xor` steps sum " +
      "the quad, and the key's scale multiplies once at the end (relu(x·s) = s·relu(x) for s ≥ 0). The quad then holds " +
      'every (query, row) value of its two keys; lane t stores value 4n + t, so each logit is written once.',
  },
];
