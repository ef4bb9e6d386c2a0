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
    identifiers: ['cu_seq_len_k_start', 'cu_seq_len_k_end', 'ks', 'ke'],
    title: 'Key windows and clean logits',
    body:
      'Query i sees keys `[ks[i], ke[i])` (`cu_seq_len_k_start/end`): causal prefill gives ke = i + seq_kv − seq_q; context ' +
      "parallelism gives each rank two chunks. A query block loads the union of its queries' windows (`block_key_range`), " +
      "so keys of another query's window are computed and stored too; the clean-logits kernel, which runs after it, " +
      "writes -inf over every key outside each query's window: with DeepGEMM's `clean_logits = true` every j < seq_kv of every row holds a score or -inf, " +
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
      'split_kv',
      'kMetadataThreads',
      'paged_run_start',
      'schedule',
      'Cursor',
      'cursor',
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
      'mqa_weight_column',
      'MqaStoreSlot',
      'mqa_store_slot',
      'values_per_quad',
    ],
    title: 'The head sum on the accumulator fragment',
    body:
      "In wgmma's m64nN accumulator each thread holds two rows (keys r0 and r0 + 8) and, in every 8-column chunk, two " +
      "adjacent columns; the four lanes of a quad hold the chunk's eight columns. Columns are (query, head) pairs, so a " +
      "query's heads span heads/8 chunks: each thread sums relu(score)·weight over its columns, two `shfl.xor` steps sum " +
      "the quad, and the key's scale multiplies once at the end (relu(x·s) = s·relu(x) for s ≥ 0). The quad then holds " +
      'every (query, row) value of its two keys; lane t stores value 4n + t, so each logit is written once.',
  },
  {
    id: 'mqa_key_range',
    identifiers: ['KeyRange', 'block_key_range'],
    title: "A query block's key range (start rounded down to 4 keys)",
    body:
      "The keys one block of queries needs: the union of its queries' windows [ks, ke), clipped to [0, seq_kv), scored in " +
      'steps of BLOCK_KV keys from `start` (`num_blocks` steps). Producer and math warpgroups compute it identically, so ' +
      'they agree on the step count without talking. The start is rounded down to a multiple of 4 keys because the key ' +
      'scales come by TMA as one FP32 box per step, and the box must start on a 16-byte boundary of the scale tensor ' +
      '(4 floats): an unaligned start faulted as an illegal instruction. The up to 3 keys added lie outside every window ' +
      'of the block and are stored as -inf, which the contract asks for anyway. Queries with empty windows need no keys; ' +
      'a block whose windows are all empty gets {0, 0}.',
  },
  {
    id: 'mqa_clean_logits',
    families: ['mqa', 'paged-mqa'],
    identifiers: ['sm90_mqa_clean_logits_impl', 'clean_logits', 'kNegInf', 'valid'],
    title: 'The clean-logits contract: a score or -inf for every key',
    body:
      "DeepGEMM's `fp8_mqa_logits(..., clean_logits=True)` promises that every j < seq_kv of every row i holds either the " +
      'score (j in [ks[i], ke[i])) or -inf, so a top-k over the row picks only keys the query may attend to. The main ' +
      "kernel stores every key of its block's key range as computed, other queries' window keys included; the " +
      "clean-logits kernel then writes -inf over every key outside each row's window (before ks, from ke on), one warp " +
      'per row. It overwrites scores, so it runs after the main kernel: `griddepcontrol.wait` waits for that grid to ' +
      'complete and its stores to be visible. Keys ≥ seq_kv and rows ≥ seq_q are never written. ' +
      "Paged: keys past a token's context up to the end of its request's last page get -inf; DeepGEMM leaves them unspecified.",
    links: [{ label: 'DeepGEMM: fp8_mqa_logits', url: DG }],
  },
  {
    id: 'mqa_blocks',
    families: ['mqa'],
    identifiers: ['BLOCK_Q', 'BLOCK_KV', 'WGMMA_N', 'WGMMA_M', 'num_q_blocks', 'q_block', 'key0'],
    title: "The plain kernel's tiles: BLOCK_Q queries × BLOCK_KV keys",
    body:
      "The score GEMM is keys × (queries · heads): each math warpgroup's 64 keys are the wgmma A operand (M = 64), " +
      'BLOCK_Q = 128 / heads queries with all their heads the B operand (N = WGMMA_N = 128), dim the K. One step scores ' +
      'BLOCK_KV = 64 · kNumMathWarpgroups keys against the Q stage; the persistent CTAs walk query blocks blockIdx.x, ' +
      'blockIdx.x + gridDim.x, …, each over its key range (block_key_range).',
  },
  {
    id: 'mqa_blocks',
    families: ['paged-mqa'],
    identifiers: ['WGMMA_N', 'WGMMA_M'],
    title: "The paged kernel's tile: one page × every token and head",
    body: 'Each math warpgroup scores one 64-key page (M = 64, the wgmma A operand) against all next_n tokens × heads of the request (N = next_n · heads ≤ 128, the B operand); dim is the K.',
  },
  {
    id: 'mqa_tensor_maps',
    families: ['mqa'],
    identifiers: ['tma_q', 'tma_kv', 'tma_kv_scales', 'tma_weights'],
    title: "The plain kernel's tensor maps",
    body:
      '`tma_q`: e4m3 [seq_q · heads, dim], box dim × (BLOCK_Q · heads), swizzle = dim bytes (query block b starts at row ' +
      'b · BLOCK_Q · heads). `tma_kv`: e4m3 [seq_kv, dim], box dim × BLOCK_KV, same swizzle. `tma_kv_scales`: FP32 ' +
      '[1, seq_kv] as one row, box BLOCK_KV × 1 at (key0, 0) — the box whose 16-byte start rounds block_key_range down to ' +
      '4 keys. `tma_weights`: FP32 [seq_q, heads], box heads × BLOCK_Q. Boxes past the end are zero-filled; those keys ' +
      'and queries are never stored.',
  },
  {
    id: 'mqa_tensor_maps',
    families: ['paged-mqa'],
    identifiers: ['tma_q', 'tma_kv', 'tma_kv_scales', 'tma_weights'],
    title: "The paged kernel's tensor maps (the fused page layout)",
    body:
      'The cache is uint8 [num_blocks, 64, 1, dim + 4]: each page holds its 64 rows of dim e4m3 values, then their 64 ' +
      'FP32 scales (64·(dim + 4) bytes). `tma_kv`: a 3D map {dim, 64, num_blocks} with the page stride, box dim × 64 × 1, ' +
      'loaded at (0, 0, page id) with `cp.async.bulk.tensor.3d`. `tma_kv_scales`: a 2D map {64, num_blocks} over the ' +
      'same bytes starting at byte 64·dim, same page stride, box 64 × 1 at (0, page id). `tma_q`: e4m3 ' +
      '[batch · next_n · heads, dim], box dim × (next_n · heads); `tma_weights`: FP32 [batch · next_n, heads].',
  },
  {
    id: 'mqa_rings',
    families: ['mqa', 'paged-mqa'],
    identifiers: [
      'full_q',
      'empty_q',
      'full_kv',
      'empty_kv',
      'q_pipe',
      'kv_pipe',
      'q_full',
      'kv_full',
      'kv_ring',
      'scale_ring',
      'ring',
    ],
    title: 'The two rings: Q (+ weights) and KV (+ scales)',
    body:
      'Each ring is a set of stages with a full and an empty mbarrier per stage. The producer waits on empty[stage] ' +
      '(parity phase ^ 1), announces the bytes with arrive.expect_tx on full[stage] and issues the TMA loads; the math ' +
      'warps wait on full[stage] (parity phase) and, when their wgmma has read it, each arrives once on empty[stage]. A Q ' +
      'stage lives for a whole query block (plain) or request (paged), a KV stage for one step. Paged: every math warpgroup ' +
      'has its own KV ring (`ring` = its index), fed by its own producer warp.',
  },
  {
    id: 'paged_page_ids',
    families: ['paged-mqa'],
    identifiers: ['page_of', 'page_id_of', 'page_id', 'next_page_id', 'loaded_request'],
    title: 'Page ids from the block table, read one unit ahead',
    body:
      'Producer warp g loads page split · kNumMathWarpgroups + g of the current (request, split) unit; its id is ' +
      '`block_table[request · block_table_stride + page]`, a dependent global read. The id of the next unit is read while ' +
      "this one is issued, so its latency overlaps the wait on the ring. Pages past the request's last page are skipped " +
      "(the request ends inside the split); a request's Q and weights are loaded once, when the cursor enters it.",
  },
  {
    id: 'mqa_logits_layout',
    families: ['mqa', 'paged-mqa'],
    identifiers: ['logits', 'stride_logits', 'seq_q', 'seq_kv'],
    title: 'The logits buffer',
    body: "FP32 [rows, stride_logits]: plain, one row per query (seq_q rows, columns [0, seq_kv) written, stride_logits ≥ seq_kv); paged, one row per (request, token), row b·next_n + t, columns up to the end of the request's last page written (stride_logits ≥ the longest request's pages × 64). Nothing past those columns is touched, so the buffer needs no padding beyond the stride.",
  },
  {
    id: 'warp_shuffle',
    identifiers: ['__shfl_xor_sync', '__shfl_up_sync', '__shfl_sync', '__shfl_down_sync'],
    title: 'Warp shuffle (PTX shfl.sync)',
    body: "Reads a register of another lane of the warp without shared memory. The MQA kernels sum a query's heads across the four lanes of a quad with two `__shfl_xor_sync` steps (xor 1, xor 2); the paged metadata kernel's prefix sum of splits runs across lanes with `__shfl_up_sync`; the GEMMs broadcast the warp index from lane 0 with `__shfl_sync` so the compiler knows it is warp-uniform.",
    links: [
      {
        label: 'PTX ISA: shfl.sync',
        url: 'https://docs.nvidia.com/cuda/parallel-thread-execution/#data-movement-and-conversion-instructions-shfl-sync',
      },
    ],
  },
  {
    id: 'next_n',
    families: ['paged-mqa'],
    identifiers: ['next_n', 'next_n_'],
    title: 'next_n — decode tokens per request',
    body: "Speculative decode scores next_n new tokens of each request at once. context_lens is [batch, next_n]: token t of request b sees keys [0, context_lens[b, t]), its logits row is b·next_n + t, and a request spans the pages of its longest token's context. In the kernel it is the template parameter kNextN: all tokens × heads are one wgmma's N (rule next-n).",
  },
];
