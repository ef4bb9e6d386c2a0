#!/usr/bin/env python3
"""DeepGEMM's FP8 MQA-logits kernels on the shapes kernels/tools/mqa_logits_check.cu benches, timed the
same way (median of CUDA-event timings, 256 MiB written between launches to flush L2), each output
first checked against an FP32 reference of the same FP8 inputs (calc_diff < 1e-5 over the valid
logits, -inf where the contract says so). Inputs by DeepGEMM's test recipe (tests/test_attention.py):
q = e4m3(randn), kv per token with scale amax/448, weights randn; windows and context lengths drawn
the same way as the check program's bench list.

    python3 test/gpu/mqa_deepgemm.py            one line per case, "DG ..." (or "SKIP ..." and exit 0
                                                 when deep_gemm cannot be imported)
"""
import sys

try:
    import torch
    import deep_gemm
except Exception as err:  # noqa: BLE001
    print(f"SKIP DeepGEMM peer: cannot import torch/deep_gemm ({type(err).__name__}: {err})")
    sys.exit(0)

FLUSH = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")


def time_us(fn, iters=10):
    times = []
    for i in range(iters + 2):
        FLUSH.fill_(i & 0xFF)
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        if i >= 2:
            times.append(a.elapsed_time(b) * 1e3)
    times.sort()
    return times[len(times) // 2]


def calc_diff(x, y):
    x, y = x.double(), y.double()
    denom = (x * x + y * y).sum()
    return (1 - 2 * (x * y).sum() / denom).item() if denom > 0 else 0.0


def per_token_fp8(x):
    amax = x.abs().float().amax(dim=-1, keepdim=True).clamp(min=1e-4)
    scale = amax / 448.0
    return (x / scale).to(torch.float8_e4m3fn), scale.squeeze(-1)


def plain_reference(q, kv, scales, weights, ks, ke):
    """FP32 on the dequantised inputs, chunked along the keys."""
    seq_q, heads, dim = q.shape
    seq_kv = kv.shape[0]
    qf = q.float()
    kf = kv.float() * scales[:, None]
    out = torch.empty(seq_q, seq_kv, device="cuda")
    chunk = max(1, (1 << 28) // max(1, seq_q * heads * 4))
    cols = torch.arange(seq_kv, device="cuda")
    for n0 in range(0, seq_kv, chunk):
        n1 = min(n0 + chunk, seq_kv)
        s = torch.einsum("mhd,nd->mhn", qf, kf[n0:n1]).relu()
        lg = torch.einsum("mhn,mh->mn", s, weights)
        c = cols[n0:n1]
        mask = (c[None, :] >= ks[:, None]) & (c[None, :] < ke[:, None])
        out[:, n0:n1] = lg.masked_fill(~mask, float("-inf"))
    return out


def plain_case(seq_q, seq_kv, heads, dim, cp):
    q = torch.randn(seq_q, heads, dim, device="cuda").to(torch.float8_e4m3fn)
    kv, scales = per_token_fp8(torch.randn(seq_kv, dim, device="cuda"))
    weights = torch.randn(seq_q, heads, device="cuda")
    ks = torch.zeros(seq_q, dtype=torch.int32, device="cuda")
    if cp:
        chunk, cp_size = seq_q // 2, seq_kv // seq_q
        cp_id = cp_size // 3
        i = torch.arange(chunk, device="cuda", dtype=torch.int32)
        ke = torch.cat([cp_id * chunk + i, (cp_size * 2 - 1 - cp_id) * chunk + i])
    else:
        ke = torch.arange(seq_q, dtype=torch.int32, device="cuda") + (seq_kv - seq_q)
    fn = lambda: deep_gemm.fp8_mqa_logits(q, (kv, scales), weights, ks, ke, clean_logits=True)  # noqa: E731
    out = fn()
    ref = plain_reference(q, kv, scales, weights, ks, ke)
    neg = ref == float("-inf")
    ok = torch.equal(out == float("-inf"), neg)
    diff = calc_diff(out.masked_fill(neg, 0), ref.masked_fill(neg, 0))
    ok = ok and diff < 1e-5
    us = time_us(fn)
    pairs = (ke.clamp(0, seq_kv) - ks.clamp(0, seq_kv)).clamp(min=0).sum().item()
    flops = 2 * pairs * heads * dim
    nbytes = q.numel() + kv.numel() + 4 * (seq_kv + weights.numel() + 2 * seq_q) + 4 * seq_q * seq_kv
    print(f"DG {'PASS' if ok else 'FAIL'} mqa-logits H={heads} D={dim} SQ={seq_q} SK={seq_kv} windows={'cp' if cp else 'causal'} "
          f"calc_diff={diff:.3e} | {us:.1f} us {flops / us / 1e6:.0f} TFLOPS {nbytes / us / 1e3:.0f} GB/s", flush=True)
    return ok


def paged_case(batch, avg_kv, next_n, heads, dim):
    page = 64
    lens = torch.randint(int(0.7 * avg_kv), int(1.3 * avg_kv), (batch,), dtype=torch.int32, device="cuda")
    ctx = ((lens.unsqueeze(1) + 1) * torch.rand(batch, next_n, device="cuda")).int()
    ctx[:, -1] = lens
    pages = (lens + page - 1) // page
    max_pages = int(pages.max().item())
    total = int(pages.sum().item())
    pool = torch.randperm(total, device="cuda", dtype=torch.int32)
    table = torch.zeros(batch, max_pages, dtype=torch.int32, device="cuda")
    offs = torch.cumsum(pages, 0) - pages
    idx = torch.arange(max_pages, device="cuda")[None, :]
    valid = idx < pages[:, None]
    table[valid] = pool[(offs[:, None] + idx)[valid]]
    cache = torch.empty(total, page * (dim + 4), dtype=torch.uint8, device="cuda")
    for p0 in range(0, total, 4096):  # in chunks: a 4096-request cache is 4 Gi values
        p1 = min(p0 + 4096, total)
        v, s = per_token_fp8(torch.randn(p1 - p0, page, dim, device="cuda"))
        cache[p0:p1, : page * dim] = v.view(p1 - p0, page * dim).view(torch.uint8)
        cache[p0:p1, page * dim:] = s.view(p1 - p0, page).contiguous().view(torch.uint8)
    values = cache[:, : page * dim].view(torch.float8_e4m3fn).view(total, page, dim)
    scales = cache[:, page * dim:].view(torch.float32)
    cache = cache.view(total, page, 1, dim + 4)
    q = torch.randn(batch, next_n, heads, dim, device="cuda").to(torch.float8_e4m3fn)
    weights = torch.randn(batch * next_n, heads, device="cuda")
    max_len = max_pages * page
    meta = deep_gemm.get_paged_mqa_logits_metadata(ctx, page, deep_gemm.get_num_sms())
    fn = lambda: deep_gemm.fp8_paged_mqa_logits(q, cache, weights, ctx, table, meta, max_len, False)  # noqa: E731
    out = fn()
    # Reference over the valid keys of each row, request by request (FP32, dequantised).
    diffs_xy = diffs_xx = 0.0
    for b in range(batch):
        ids = table[b, : int(pages[b])].long()  # one request's pages, dequantised alone
        keys = (values[ids].float() * scales[ids][..., None]).reshape(-1, dim)
        s = torch.einsum("thd,nd->thn", q[b].float(), keys).relu()
        lg = torch.einsum("thn,th->tn", s, weights[b * next_n:(b + 1) * next_n])
        for t in range(next_n):
            n = int(ctx[b, t])
            x, y = out[b * next_n + t, :n].double(), lg[t, :n].double()
            diffs_xy += (x * y).sum().item()
            diffs_xx += (x * x + y * y).sum().item()
        if b >= 63:  # the first 64 requests are checked; timing covers all
            break
    diff = 1 - 2 * diffs_xy / diffs_xx if diffs_xx > 0 else 0.0
    ok = diff < 1e-5
    us = time_us(lambda: (deep_gemm.get_paged_mqa_logits_metadata(ctx, page, deep_gemm.get_num_sms()), fn()))
    sum_ctx = int(lens.sum().item())
    flops = 2 * sum_ctx * next_n * heads * dim
    nbytes = q.numel() + 4 * weights.numel() + sum_ctx * (dim + 4) + 4 * sum_ctx * next_n
    print(f"DG {'PASS' if ok else 'FAIL'} paged-mqa-logits next_n={next_n} H={heads} D={dim} batch={batch} avg_kv={avg_kv} "
          f"calc_diff={diff:.3e} (first 64 requests) | {us:.1f} us {flops / us / 1e6:.0f} TFLOPS {nbytes / us / 1e3:.0f} GB/s",
          flush=True)
    return ok


def main():
    torch.manual_seed(0)
    print(f"DeepGEMM {getattr(deep_gemm, '__version__', '?')} on {torch.cuda.get_device_name()}", flush=True)
    ok = True
    for seq_q in (2048, 8192):
        for seq_kv in (8192, 65536):
            for cp in (True, False):
                for heads in (32, 64):
                    ok &= plain_case(seq_q, seq_kv, heads, 128, cp)
    for batch in (256, 4096):
        for avg in (8192, 65536):
            if batch * avg > (32 << 20):
                continue
            for next_n, heads in ((1, 32), (1, 64), (2, 32), (2, 64)):
                ok &= paged_case(batch, avg, next_n, heads, 128)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
