// The one kernel parameter of the FP8 MQA-logits kernels (the DeepSeek-V3.2 indexer), shared
// verbatim by the host (g++) and the device (nvcc/NVRTC), like gemm_args.h. Plain C++.
//
// Plain:  logits[i, j] = Σ_h relu(q[i,h,:]·kv[j,:] · kv_scale[j]) · weights[i,h]   for j in [ks[i], ke[i])
// Paged:  the same per decode token (request b, token t < next_n) over the request's pages of a
//         paged KV cache, for j < context_lens[b, t].
#pragma once
#include "fp8lab/gemm_args.h"

namespace fp8lab {

struct alignas(64) MqaLogitsArgs {
  TmaDescriptor tma_q;          // Q   e4m3 [seq_q * heads, dim]  box dim x (BLOCK_Q * heads), swizzle = dim bytes
  TmaDescriptor tma_kv;         // KV  e4m3 [seq_kv, dim]         box dim x BLOCK_KV, swizzle = dim bytes
  TmaDescriptor tma_kv_scales;  // fp32 [1, seq_kv] (one row)     box BLOCK_KV x 1
  TmaDescriptor tma_weights;    // fp32 [seq_q, heads]            box heads x BLOCK_Q
  const int32_t* ks;            // [seq_q] first key of each query's window (cu_seq_len_k_start)
  const int32_t* ke;            // [seq_q] one past its last key (cu_seq_len_k_end)
  float* logits;                // [seq_q, stride_logits] fp32; columns [0, seq_kv) are written
  uint32_t seq_q;
  uint32_t seq_kv;
  uint32_t stride_logits;       // elements between rows, >= seq_kv
  uint32_t reserved;
};

struct alignas(64) PagedMqaLogitsArgs {
  TmaDescriptor tma_q;          // Q    e4m3 [batch * next_n * heads, dim]  box dim x (next_n * heads)
  TmaDescriptor tma_kv;         // KV   e4m3 {dim, block_kv, num_blocks}, page stride block_kv*(dim+4) B; box dim x block_kv x 1
  TmaDescriptor tma_kv_scales;  // fp32 {block_kv, num_blocks}, same page stride (after the page's values); box block_kv x 1
  TmaDescriptor tma_weights;    // fp32 [batch * next_n, heads]            box heads x next_n
  const int32_t* context_lens;  // [batch, next_n]: token t of request b sees keys [0, context_lens[b, t])
  const int32_t* block_table;   // [batch, block_table_stride]: page ids of each request, in order
  const uint32_t* schedule;     // [num_sms + 1][2]: (request, split) where each CTA starts (the metadata kernel)
  float* logits;                // [batch * next_n, stride_logits] fp32
  uint32_t batch;
  uint32_t block_table_stride;  // elements between block_table rows
  uint32_t stride_logits;       // elements between logits rows, >= the longest request's pages x block_kv
  uint32_t num_kv_blocks;       // pages in the cache (block_table entries must be below it)
};

static_assert(sizeof(MqaLogitsArgs) <= 4096, "kernel parameters are limited to 4 KiB");
static_assert(sizeof(PagedMqaLogitsArgs) <= 4096, "kernel parameters are limited to 4 KiB");

}  // namespace fp8lab
