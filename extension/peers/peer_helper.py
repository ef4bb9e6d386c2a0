#!/usr/bin/env python3
"""FP8 GEMM Lab's peer helper: DeepGEMM and torch._scaled_mm on the problems the runtime worker sends.

The worker spawns it with an argument vector (no shell) and speaks JSON lines with it. Each request
is one line on stdin, {"id": n, "method": ..., "params": {...}}; each answer is one line on the
original stdout, {"id": n, "result": {...}} or {"id": n, "error": {"code": "E_...", "message": ...}}.
Everything else this process or its libraries print goes to stderr: fd 1 is pointed at fd 2 before
anything is imported, so DeepGEMM's printed configs can never corrupt the protocol.

    hello                        what is importable, versions, the device
    prepare {peer, problem, ...} inputs quantised like the worker's (A per 1x128, B per 128x128, FP32
                                 scales), every rotated set checked against an FP32 reference with
                                 its output poisoned first, then a CUDA graph of ~2 ms captured and
                                 warmed up; answers a handle, the config the peer chose, its calc_diff
    replay {handle}              one timed replay of that graph: microseconds per call
    release {handle}             frees the problem's memory
    shutdown                     exits

The worker asks for one replay at a time, between replays of its own kernels, so the two processes
never run on the GPU at once and see the same clock state.
"""

import json
import os
import sys
import tempfile
import traceback

PROTOCOL = 1
FP8_MAX = 448.0
SCALE_FLOOR = 1e-4
BLOCK = 128
CALC_DIFF_LIMIT = 1e-3
# BF16 inputs are exact in the FP32 reference, so only accumulation order differs (DeepGEMM's test_bf16.py).
BF16_CALC_DIFF_LIMIT = 1e-5
L2_FACTOR = 3
MAX_SETS = 64
MIN_CALLS, MAX_CALLS = 4, 4096


class PeerError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _protocol_stream():
    """The real stdout for answers; fd 1 then points at stderr for everything else."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def interpreter():
    return f"{sys.executable} (Python {sys.version.split()[0]})"


# ----------------------------------------------------------------------------- what is here

class Environment:
    def __init__(self):
        self.torch = None
        self.torch_problem = None
        self.deep_gemm = None
        self.deep_gemm_problem = None
        try:
            import torch  # noqa: F401
            self.torch = torch
        except Exception as err:
            self.torch_problem = (f"{interpreter()} cannot import torch ({type(err).__name__}: {err}): install PyTorch "
                                  f"with CUDA there, or point fp8lab.pythonPath / FP8LAB_PYTHON at a Python that has it")
            self.deep_gemm_problem = f"DeepGEMM needs PyTorch, and {self.torch_problem}"
            return
        if not self.torch.cuda.is_available():
            self.torch_problem = (f"PyTorch {self.torch.__version__} in {interpreter()} sees no CUDA device "
                                  f"(a CPU-only build, or no GPU visible to this process)")
            self.deep_gemm_problem = f"DeepGEMM needs a CUDA device, and {self.torch_problem}"
            self.torch = None
            return
        self.torch.backends.cuda.matmul.allow_tf32 = False
        try:
            import deep_gemm
            self.deep_gemm = deep_gemm
        except Exception as err:
            self.deep_gemm_problem = (f"{interpreter()} cannot import deep_gemm ({type(err).__name__}: {err}): install "
                                      f"DeepGEMM there (or add it to PYTHONPATH), or point fp8lab.pythonPath / FP8LAB_PYTHON "
                                      f"at a Python that has it")

    def deep_gemm_version(self):
        return str(getattr(self.deep_gemm, "__version__", "unknown")) if self.deep_gemm else None

    def hello(self):
        peers = {}
        if self.deep_gemm:
            functions = {kind: hasattr(self.deep_gemm, name) for kind, name in DEEP_GEMM_FUNCTIONS.items()}
            entry = {"available": functions["normal"], "version": self.deep_gemm_version(), "functions": functions}
            if not functions["normal"]:
                entry["reason"] = (f"deep_gemm {self.deep_gemm_version()} has no fp8_gemm_nt (DeepGEMM 2.x has it): "
                                   f"upgrade DeepGEMM")
            peers["deepgemm"] = entry
        else:
            peers["deepgemm"] = {"available": False, "reason": self.deep_gemm_problem}
        if self.torch:
            peers["torch"] = {"available": hasattr(self.torch, "_scaled_mm"), "version": self.torch.__version__}
            if not peers["torch"]["available"]:
                peers["torch"]["reason"] = f"PyTorch {self.torch.__version__} has no torch._scaled_mm: upgrade PyTorch"
        else:
            peers["torch"] = {"available": False, "reason": self.torch_problem}
        facts = {"protocol": PROTOCOL, "python": interpreter(), "peers": peers}
        if self.torch:
            props = self.torch.cuda.get_device_properties(0)
            facts["torch"] = self.torch.__version__
            facts["cuda"] = self.torch.version.cuda
            facts["device"] = {"name": props.name, "smCount": props.multi_processor_count, "l2Bytes": props.L2_cache_size}
        return facts


DEEP_GEMM_FUNCTIONS = {
    "normal": "fp8_gemm_nt",
    "contiguous": "m_grouped_fp8_gemm_nt_contiguous",
    "masked": "m_grouped_fp8_gemm_nt_masked",
    "kgrouped": "k_grouped_fp8_gemm_nt_contiguous",
    "bf16": "bf16_gemm_nt",
    "bf16-contiguous": "m_grouped_bf16_gemm_nt_contiguous",
    "bf16-masked": "m_grouped_bf16_gemm_nt_masked",
    # Hopper's K-grouped BF16 GEMM takes A and B MN-major: a [sum K, M], b [sum K, N] ("tn").
    "bf16-kgrouped": "k_grouped_bf16_gemm_tn_contiguous",
    # The weight gradient on Hopper is DeepGEMM's 1D1D GEMM: recipe (1, 1, 128), FP32 D accumulated in place.
    "wgrad": "fp8_gemm_nt",
    "mqa-logits": "fp8_mqa_logits",
    "paged-mqa-logits": "fp8_paged_mqa_logits",
}
MQA_KINDS = ("mqa-logits", "paged-mqa-logits")
MQA_PAGE_KEYS = 64


# ----------------------------------------------------------------------------- quantisation and checks

def ceil_div(a, b):
    return -(-a // b)


def quantize_1x128(torch, x):
    """(..., M, K) FP32 -> FP8 and FP32 scales (..., M, K/128), one per 1x128 group along K."""
    *lead, m, k = x.shape
    groups = x.reshape(*lead, m, k // BLOCK, BLOCK)
    scale = groups.abs().amax(dim=-1).clamp(min=SCALE_FLOOR) / FP8_MAX
    q = (groups / scale.unsqueeze(-1)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return q.reshape(*lead, m, k), scale.contiguous()


def quantize_128x128(torch, x):
    """(..., N, K) FP32 -> FP8 and FP32 scales (..., ceil(N/128), K/128), one per 128x128 block."""
    *lead, n, k = x.shape
    nb = ceil_div(n, BLOCK)
    padded = torch.zeros(*lead, nb * BLOCK, k, device=x.device, dtype=torch.float32)
    padded[..., :n, :] = x
    blocks = padded.reshape(*lead, nb, BLOCK, k // BLOCK, BLOCK)
    scale = blocks.abs().amax(dim=(-3, -1)).clamp(min=SCALE_FLOOR) / FP8_MAX
    q = (blocks / scale.unsqueeze(-1).unsqueeze(-3)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return q.reshape(*lead, nb * BLOCK, k)[..., :n, :].contiguous(), scale.contiguous()


def dequantize_1x128(q, scale):
    *lead, m, k = q.shape
    return (q.float().reshape(*lead, m, k // BLOCK, BLOCK) * scale.unsqueeze(-1)).reshape(*lead, m, k)


def dequantize_128x128(q, scale):
    n = q.shape[-2]
    expanded = scale.repeat_interleave(BLOCK, dim=-2)[..., :n, :].repeat_interleave(BLOCK, dim=-1)
    return q.float() * expanded


def accuracy(out, ref, limit=CALC_DIFF_LIMIT):
    """The worker's Accuracy: calc_diff in float64, max errors, unwritten (non-finite) elements."""
    torch = sys.modules["torch"]
    finite = torch.isfinite(out)
    unwritten = int(out.numel() - int(finite.sum()))
    x, y = out.double(), ref.double()
    denominator = float((x * x + y * y).sum())
    diff = 0.0 if denominator == 0 else float(1.0 - 2.0 * float((x * y).sum()) / denominator)
    err = (x - y).abs()
    max_abs = float(err.max()) if err.numel() else 0.0
    rel = err / y.abs().clamp(min=1e-6)
    max_rel = float(rel.max()) if rel.numel() else 0.0
    passed = unwritten == 0 and diff == diff and diff < limit
    return {"calcDiff": diff, "maxAbsError": max_abs, "maxRelError": max_rel, "unwritten": unwritten, "passed": passed}


def worse(a, b):
    if a is None:
        return b
    if a["passed"] != b["passed"]:
        return a if not a["passed"] else b
    return a if a["calcDiff"] >= b["calcDiff"] else b


# ----------------------------------------------------------------------------- problems

class Problem:
    """Rotated input sets of one problem, a way to launch a peer on set i, and its FP32 references."""

    def __init__(self, torch, spec, seed):
        self.torch = torch
        self.spec = spec
        self.kind = spec.get("kind", "normal")
        self.calc_diff_limit = BF16_CALC_DIFF_LIMIT if self.kind.startswith("bf16") else CALC_DIFF_LIMIT
        self.generator = torch.Generator(device="cuda")
        self.generator.manual_seed(int(seed) & 0x7FFFFFFFFFFFFFFF)
        self.sets = []

    def randn(self, *shape):
        return self.torch.randn(*shape, device="cuda", dtype=self.torch.float32, generator=self.generator)

    def fill_sets(self, make_set, l2_bytes):
        first = make_set()
        self.sets.append(first)
        per_set = sum(t.numel() * t.element_size() for t in first.values() if hasattr(t, "numel"))
        wanted = min(MAX_SETS, max(2, ceil_div(L2_FACTOR * l2_bytes + 1, per_set)))
        free, _ = self.torch.cuda.mem_get_info()
        wanted = max(1, min(wanted, int(0.3 * free) // max(per_set, 1)))
        while len(self.sets) < wanted:
            self.sets.append(make_set())


def normal_set(p, m, n, k):
    torch = p.torch
    a, sa = quantize_1x128(torch, p.randn(m, k))
    b, sb = quantize_128x128(torch, p.randn(n, k))
    return {"a": a, "sa": sa, "b": b, "sb": sb, "out": torch.empty(m, n, device="cuda", dtype=torch.bfloat16)}


def normal_reference(s):
    return dequantize_1x128(s["a"], s["sa"]) @ dequantize_128x128(s["b"], s["sb"]).t()


# ----------------------------------------------------------------------------- MQA logits (the V3.2 indexer)
# Inputs by DeepGEMM's test recipe (tests/test_attention.py): q = e4m3(randn), keys per token with
# scale amax/448, weights randn. The worker sends the windows (plain) or context lengths (paged) it
# drew, so both sides score the same (query, key) pairs; the page table is shuffled here. The check
# covers the valid logits only (DeepGEMM leaves the paged ones outside the context unspecified).

MQA_FIELDS = {"mqa-logits": ("seqQ", "seqKv", "heads", "dim"), "paged-mqa-logits": ("batch", "nextN", "heads", "dim")}


def per_token_fp8(torch, x):
    scale = x.abs().amax(dim=-1, keepdim=True).clamp(min=SCALE_FLOOR) / FP8_MAX
    return (x / scale).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn), scale.squeeze(-1).contiguous()


def mqa_int_list(spec, key, count):
    values = spec.get(key)
    if not isinstance(values, list) or len(values) != count or not all(isinstance(v, int) for v in values):
        raise PeerError("E_BAD_REQUEST", f"problem.{key} must be a list of {count} integers")
    return values


def build_mqa_plain(peer, l2_bytes):
    spec, torch, p = peer.problem.spec, peer.torch, peer.problem
    seq_q, seq_kv, heads, dim = spec["seqQ"], spec["seqKv"], spec["heads"], spec["dim"]
    ks = torch.tensor(mqa_int_list(spec, "ks", seq_q), dtype=torch.int32, device="cuda")
    ke = torch.tensor(mqa_int_list(spec, "ke", seq_q), dtype=torch.int32, device="cuda")
    cols = torch.arange(seq_kv, device="cuda")
    mask = (cols[None, :] >= ks[:, None]) & (cols[None, :] < ke[:, None])

    def make():
        q = p.randn(seq_q, heads, dim).to(torch.float8_e4m3fn)
        kv, scales = per_token_fp8(torch, p.randn(seq_kv, dim))
        return {"q": q, "kv": kv, "scales": scales, "weights": p.randn(seq_q, heads), "out": torch.empty(seq_q, seq_kv, device="cuda")}
    p.fill_sets(make, l2_bytes)

    def launch(s):
        s["out"] = peer.entry(s["q"], (s["kv"], s["scales"]), s["weights"], ks, ke, clean_logits=True)
    peer.launch = launch

    def reference(s):
        qf, kf = s["q"].float(), s["kv"].float() * s["scales"][:, None]
        out = torch.empty(seq_q, seq_kv, device="cuda")
        chunk = max(1, (1 << 28) // max(1, seq_q * heads * 4))
        for n0 in range(0, seq_kv, chunk):
            n1 = min(n0 + chunk, seq_kv)
            score = torch.einsum("mhd,nd->mhn", qf, kf[n0:n1]).relu()
            out[:, n0:n1] = torch.einsum("mhn,mh->mn", score, s["weights"])
        return out
    peer.reference = reference
    peer.valid = lambda s, out: out[mask]


def build_mqa_paged(peer, l2_bytes):
    spec, torch, p, dg = peer.problem.spec, peer.torch, peer.problem, peer.dg
    batch, next_n, heads, dim = spec["batch"], spec["nextN"], spec["heads"], spec["dim"]
    ctx = torch.tensor(mqa_int_list(spec, "contextLens", batch * next_n), dtype=torch.int32, device="cuda").view(batch, next_n)
    pages = (ctx.max(dim=1).values + MQA_PAGE_KEYS - 1) // MQA_PAGE_KEYS
    max_pages = max(1, int(pages.max()))
    total = max(1, int(pages.sum()))
    table = torch.zeros(batch, max_pages, dtype=torch.int32, device="cuda")
    idx = torch.arange(max_pages, device="cuda")[None, :]
    used = idx < pages[:, None]
    starts = torch.cumsum(pages, 0) - pages
    pool = torch.randperm(total, device="cuda", generator=p.generator).to(torch.int32)
    table[used] = pool[(starts[:, None] + idx)[used]]
    max_len = max_pages * MQA_PAGE_KEYS
    cols = torch.arange(max_len, device="cuda")
    mask = cols[None, :] < ctx.reshape(-1, 1)
    dg.get_paged_mqa_logits_metadata(ctx, MQA_PAGE_KEYS, dg.get_num_sms())  # JIT-compiles the schedule kernel before any capture

    def make():
        cache = torch.empty(total, MQA_PAGE_KEYS * (dim + 4), dtype=torch.uint8, device="cuda")
        for p0 in range(0, total, 4096):  # in chunks: a 4096-request cache is 4 Gi values
            p1 = min(p0 + 4096, total)
            values, scales = per_token_fp8(torch, p.randn(p1 - p0, MQA_PAGE_KEYS, dim))
            cache[p0:p1, :MQA_PAGE_KEYS * dim] = values.view(p1 - p0, -1).view(torch.uint8)
            cache[p0:p1, MQA_PAGE_KEYS * dim:] = scales.view(torch.uint8)
        return {"q": p.randn(batch, next_n, heads, dim).to(torch.float8_e4m3fn), "cache": cache.view(total, MQA_PAGE_KEYS, 1, dim + 4),
                "weights": p.randn(batch * next_n, heads), "out": torch.empty(batch * next_n, max_len, device="cuda")}
    p.fill_sets(make, l2_bytes)

    def launch(s):
        meta = dg.get_paged_mqa_logits_metadata(ctx, MQA_PAGE_KEYS, dg.get_num_sms())
        s["out"] = peer.entry(s["q"], s["cache"], s["weights"], ctx, table, meta, max_len, False)
    peer.launch = launch

    def reference(s):
        flat = s["cache"].view(total, -1)
        values = flat[:, :MQA_PAGE_KEYS * dim].view(torch.float8_e4m3fn).view(total, MQA_PAGE_KEYS, dim)
        scales = flat[:, MQA_PAGE_KEYS * dim:].view(torch.float32)   # [pages, 64]
        out = torch.zeros(batch * next_n, max_len, device="cuda")
        for b in range(batch):
            ids = table[b, :int(pages[b])].long()                     # one request's pages, dequantised alone
            k = (values[ids].float() * scales[ids][..., None]).reshape(-1, dim)
            score = torch.einsum("thd,nd->thn", s["q"][b].float(), k).relu()
            out[b * next_n:(b + 1) * next_n, :k.shape[0]] = torch.einsum("thn,th->tn", score, s["weights"][b * next_n:(b + 1) * next_n])
        return out
    peer.reference = reference
    peer.valid = lambda s, out: out[mask]


# ----------------------------------------------------------------------------- the peers

class DeepGemmPeer:
    """deep_gemm's own entry points, with A's scales already in its TMA-aligned MN-major layout."""

    def __init__(self, env, problem):
        self.dg = env.deep_gemm
        self.torch = env.torch
        self.problem = problem
        kind = problem.kind
        name = DEEP_GEMM_FUNCTIONS.get(kind)
        if name is None:
            raise PeerError("E_PEER_UNSUPPORTED", f"DeepGEMM has no peer for the '{kind}' kind here")
        if not hasattr(self.dg, name):
            raise PeerError("E_PEER_UNAVAILABLE", f"deep_gemm {env.deep_gemm_version()} has no {name}: upgrade DeepGEMM")
        self.entry = getattr(self.dg, name)
        self.name = f"DeepGEMM {env.deep_gemm_version()}"
        self.config = None

    def aligned_sa(self, sa):
        return self.dg.get_mn_major_tma_aligned_tensor(sa)

    def build(self, l2_bytes):
        spec, torch, p = self.problem.spec, self.torch, self.problem
        kind = p.kind
        if kind == "normal":
            m, n, k = spec["m"], spec["n"], spec["k"]

            def make():
                s = normal_set(p, m, n, k)
                s["sa_dg"] = self.aligned_sa(s["sa"])
                return s
            p.fill_sets(make, l2_bytes)
            self.launch = lambda s: self.entry((s["a"], s["sa_dg"]), (s["b"], s["sb"]), s["out"], disable_ue8m0_cast=True)
            self.reference = normal_reference
            self.valid = lambda s, out: out
        elif kind == "contiguous":
            self.build_contiguous(l2_bytes)
        elif kind == "masked":
            self.build_masked(l2_bytes)
        elif kind == "kgrouped":
            self.build_kgrouped(l2_bytes)
        elif kind == "bf16":
            self.build_bf16(l2_bytes)
        elif kind == "bf16-contiguous":
            self.build_contiguous(l2_bytes, bf16=True)
        elif kind == "bf16-masked":
            self.build_masked(l2_bytes, bf16=True)
        elif kind == "bf16-kgrouped":
            self.build_bf16_kgrouped(l2_bytes)
        elif kind == "wgrad":
            self.build_wgrad(l2_bytes)
        elif kind == "mqa-logits":
            build_mqa_plain(self, l2_bytes)
        elif kind == "paged-mqa-logits":
            build_mqa_paged(self, l2_bytes)

    def build_bf16(self, l2_bytes):
        """bf16_gemm_nt(a [M, K] bf16, b [N, K] bf16, d [M, N], c=C): D bf16, fp32, or fp32 = C + A.B^T."""
        spec, torch, p = self.problem.spec, self.torch, self.problem
        m, n, k = spec["m"], spec["n"], spec["k"]
        output = spec.get("output", "bf16")
        out_dtype = torch.bfloat16 if output == "bf16" else torch.float32

        def make():
            s = {"a": p.randn(m, k).to(torch.bfloat16), "b": p.randn(n, k).to(torch.bfloat16),
                 "out": torch.empty(m, n, device="cuda", dtype=out_dtype)}
            if output == "fp32-accumulate":
                s["c"] = p.randn(m, n)
            return s
        p.fill_sets(make, l2_bytes)
        if output == "fp32-accumulate":
            self.launch = lambda s: self.entry(s["a"], s["b"], s["out"], c=s["c"])
        else:
            self.launch = lambda s: self.entry(s["a"], s["b"], s["out"])

        def reference(s):
            ref = s["a"].float() @ s["b"].float().t()
            return ref + s["c"] if "c" in s else ref
        self.reference = reference
        self.valid = lambda s, out: out

    def build_contiguous(self, l2_bytes, bf16=False):
        """FP8 (1x128 / 128x128 scales), or with bf16=True the BF16 form: m_grouped_bf16_gemm_nt_contiguous(a, b, d, layout)."""
        spec, torch, p = self.problem.spec, self.torch, self.problem
        n, k, rows = spec["n"], spec["k"], [int(r) for r in spec["groupRows"]]
        align = int(self.dg.get_mk_alignment_for_contiguous_layout()) if hasattr(self.dg, "get_mk_alignment_for_contiguous_layout") else 128
        padded = [ceil_div(r, align) * align for r in rows]
        m = sum(padded)
        layout = torch.full((m,), -1, device="cuda", dtype=torch.int32)
        starts, start = [], 0
        for g, (r, pr) in enumerate(zip(rows, padded)):
            layout[start:start + r] = g
            starts.append(start)
            start += pr

        if bf16:
            def make_bf16():
                a = p.randn(m, k)
                for r, s0, pr in zip(rows, starts, padded):
                    a[s0 + r:s0 + pr] = 0
                return {"a": a.to(torch.bfloat16), "b": p.randn(len(rows), n, k).to(torch.bfloat16),
                        "out": torch.empty(m, n, device="cuda", dtype=torch.bfloat16)}
            p.fill_sets(make_bf16, l2_bytes)
            self.launch = lambda s: self.entry(s["a"], s["b"], s["out"], layout)
            self.reference = lambda s: torch.cat([s["a"][s0:s0 + r].float() @ s["b"][g].float().t()
                                                  for g, (r, s0) in enumerate(zip(rows, starts))])
            self.valid = lambda s, out: torch.cat([out[s0:s0 + r] for r, s0 in zip(rows, starts)])
            return

        def make():
            a32 = p.randn(m, k)
            for r, s0, pr in zip(rows, starts, padded):
                a32[s0 + r:s0 + pr] = 0
            a, sa = quantize_1x128(torch, a32)
            b, sb = quantize_128x128(torch, p.randn(len(rows), n, k))
            return {"a": a, "sa": sa, "sa_dg": self.aligned_sa(sa), "b": b, "sb": sb,
                    "out": torch.empty(m, n, device="cuda", dtype=torch.bfloat16)}
        p.fill_sets(make, l2_bytes)
        self.launch = lambda s: self.entry((s["a"], s["sa_dg"]), (s["b"], s["sb"]), s["out"], layout, disable_ue8m0_cast=True)

        def reference(s):
            a = dequantize_1x128(s["a"], s["sa"])
            b = dequantize_128x128(s["b"], s["sb"])
            return torch.cat([a[s0:s0 + r] @ b[g].t() for g, (r, s0) in enumerate(zip(rows, starts))])
        self.reference = reference
        self.valid = lambda s, out: torch.cat([out[s0:s0 + r] for r, s0 in zip(rows, starts)])

    def build_masked(self, l2_bytes, bf16=False):
        """FP8, or with bf16=True m_grouped_bf16_gemm_nt_masked(a, b, d, masked_m, expected_m)."""
        spec, torch, p = self.problem.spec, self.torch, self.problem
        n, k, max_m = spec["n"], spec["k"], spec["m"]
        masked = [int(x) for x in spec["maskedM"]]
        groups = len(masked)
        masked_t = torch.tensor(masked, device="cuda", dtype=torch.int32)
        expected = int(spec.get("expectedM") or max(1, sum(masked) // max(groups, 1)))
        if bf16:
            p.fill_sets(lambda: {"a": p.randn(groups, max_m, k).to(torch.bfloat16), "b": p.randn(groups, n, k).to(torch.bfloat16),
                                 "out": torch.empty(groups, max_m, n, device="cuda", dtype=torch.bfloat16)}, l2_bytes)
            self.launch = lambda s: self.entry(s["a"], s["b"], s["out"], masked_t, expected)
            self.reference = lambda s: torch.cat([s["a"][g, :r].float() @ s["b"][g].float().t() for g, r in enumerate(masked)])
            self.valid = lambda s, out: torch.cat([out[g, :r] for g, r in enumerate(masked)])
            return

        def make():
            a, sa = quantize_1x128(torch, p.randn(groups, max_m, k))
            b, sb = quantize_128x128(torch, p.randn(groups, n, k))
            return {"a": a, "sa": sa, "sa_dg": self.aligned_sa(sa), "b": b, "sb": sb,
                    "out": torch.empty(groups, max_m, n, device="cuda", dtype=torch.bfloat16)}
        p.fill_sets(make, l2_bytes)
        self.launch = lambda s: self.entry((s["a"], s["sa_dg"]), (s["b"], s["sb"]), s["out"], masked_t, expected,
                                           disable_ue8m0_cast=True)

        def reference(s):
            a = dequantize_1x128(s["a"], s["sa"])
            b = dequantize_128x128(s["b"], s["sb"])
            return torch.cat([a[g, :r] @ b[g].t() for g, r in enumerate(masked)])
        self.reference = reference
        self.valid = lambda s, out: torch.cat([out[g, :r] for g, r in enumerate(masked)])

    def build_kgrouped(self, l2_bytes):
        # DeepGEMM's K-grouped layout on Hopper: each group's A (M x K_g) and B (N x K_g) K-major,
        # flattened one after the other; per-channel scales (one per 128 of K) per group; D += A·Bᵀ.
        spec, torch, p = self.problem.spec, self.torch, self.problem
        m, n = spec["m"], spec["n"]
        ks = [int(x) for x in spec["groupK"]]
        total_k = sum(ks)
        layout = torch.tensor(ks, device="cuda", dtype=torch.int32)

        def cast(x):  # (K_total, MN) -> per-channel FP8 groups, K-major flattened, scales (K_total/128, MN) transposed
            q_parts, s_parts = [], []
            start = 0
            for kg in ks:
                if kg == 0:
                    continue
                block = x[start:start + kg]                                # (K_g, MN)
                view = block.reshape(kg // BLOCK, BLOCK, block.shape[1])
                scale = view.abs().amax(dim=1).clamp(min=SCALE_FLOOR) / FP8_MAX   # (K_g/128, MN)
                q = (view / scale.unsqueeze(1)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn).reshape(kg, -1)
                q_parts.append(q.t().contiguous().flatten())
                s_parts.append(scale)
                start += kg
            return torch.cat(q_parts), torch.cat(s_parts).t()

        def make():
            a32, b32 = p.randn(total_k, m), p.randn(total_k, n)
            a, sa = cast(a32)
            b, sb = cast(b32)
            c = torch.zeros(len(ks), m, n, device="cuda", dtype=torch.float32)
            return {"a": a, "sa": sa, "b": b, "sb": sb, "c": c, "out": c.clone()}
        p.fill_sets(make, l2_bytes)
        # Checked with C distinct from D (DeepGEMM copies C into D first); timed in place (D is C), as
        # its own tests and a training step call it, so no copy is in the timed region.
        self.check_launch = lambda s: self.entry((s["a"], s["sa"]), (s["b"], s["sb"]), s["out"], ks, layout, s["c"])
        self.launch = lambda s: self.entry((s["a"], s["sa"]), (s["b"], s["sb"]), s["out"], ks, layout, s["out"])

        def dequant(flat, scale, mn):
            parts, start, offset = [], 0, 0
            for kg in ks:
                if kg == 0:
                    parts.append(None)
                    continue
                q = flat[offset:offset + kg * mn].reshape(mn, kg).float()         # K-major: (MN, K_g)
                s = scale[:, start // BLOCK:(start + kg) // BLOCK]                 # (MN, K_g/128)
                parts.append(q * s.repeat_interleave(BLOCK, dim=1))
                offset += kg * mn
                start += kg
            return parts

        def reference(s):
            aa, bb = dequant(s["a"], s["sa"], m), dequant(s["b"], s["sb"], n)
            return torch.stack([s["c"][g] + (aa[g] @ bb[g].t() if aa[g] is not None else 0) for g in range(len(ks))])
        self.reference = reference
        self.valid = lambda s, out: out

    def build_bf16_kgrouped(self, l2_bytes):
        # k_grouped_bf16_gemm_tn_contiguous(a, b, d, ks_cpu, grouped_layout, c): DeepGEMM's sm90 layout is
        # MN-major, a [sum K, M] and b [sum K, N] bf16 with the groups' K rows back to back, d and c fp32
        # [G, M, N]; ks_cpu the K_g as a Python list (each a multiple of 128 on sm90), grouped_layout the
        # same as an int32 tensor. Inputs by its generator (generate_k_grouped_contiguous), built here,
        # outside the timed region.
        spec, torch, p = self.problem.spec, self.torch, self.problem
        m, n = spec["m"], spec["n"]
        ks = [int(x) for x in spec["groupK"]]
        total_k = sum(ks)
        layout = torch.tensor(ks, device="cuda", dtype=torch.int32)

        def make():
            return {"a": p.randn(total_k, m).to(torch.bfloat16), "b": p.randn(total_k, n).to(torch.bfloat16),
                    "c": p.randn(len(ks), m, n), "out": torch.empty(len(ks), m, n, device="cuda", dtype=torch.float32)}
        p.fill_sets(make, l2_bytes)
        # Checked with C distinct from D (DeepGEMM copies C into D first); timed in place (D is C), as
        # its own test calls it, so no copy is in the timed region.
        self.check_launch = lambda s: self.entry(s["a"], s["b"], s["out"], ks, layout, s["c"])
        self.launch = lambda s: self.entry(s["a"], s["b"], s["out"], ks, layout, s["out"])
        starts = [sum(ks[:g]) for g in range(len(ks))]

        def reference(s):
            return torch.stack([s["c"][g] + s["a"][k0:k0 + kg].float().t() @ s["b"][k0:k0 + kg].float()
                                for g, (k0, kg) in enumerate(zip(starts, ks))])
        self.reference = reference
        self.valid = lambda s, out: out

    def build_wgrad(self, l2_bytes):
        # D (FP32, M x N) += A·Bᵀ with A (M x K) and B (N x K) both scaled per 1x128 along K: DeepGEMM's
        # 1D1D kernel through fp8_gemm_nt(recipe=(1, 1, 128)), both scales in its TMA-aligned MN-major layout.
        spec, torch, p = self.problem.spec, self.torch, self.problem
        m, n, k = spec["m"], spec["n"], spec["k"]

        def make():
            a, sa = quantize_1x128(torch, p.randn(m, k))
            b, sb = quantize_1x128(torch, p.randn(n, k))
            c = p.randn(m, n)
            return {"a": a, "sa": sa, "sa_dg": self.aligned_sa(sa), "b": b, "sb": sb, "sb_dg": self.aligned_sa(sb),
                    "c": c, "out": torch.empty(m, n, device="cuda", dtype=torch.float32)}
        p.fill_sets(make, l2_bytes)

        def call(s, c):
            self.entry((s["a"], s["sa_dg"]), (s["b"], s["sb_dg"]), s["out"], c=c, recipe=(1, 1, BLOCK), disable_ue8m0_cast=True)
        self.check_launch = lambda s: call(s, s["c"])
        self.launch = lambda s: call(s, s["out"])
        self.reference = lambda s: s["c"] + dequantize_1x128(s["a"], s["sa"]) @ dequantize_1x128(s["b"], s["sb"]).t()
        self.valid = lambda s, out: out

    def first_call(self, s):
        """The first call JIT-compiles and (with DG_PRINT_CONFIGS=1) prints DeepGEMM's choice: capture it."""
        with CapturedStdout() as captured:
            checked_launch(self)(s)
            self.torch.cuda.synchronize()
        lines = [line.strip() for line in captured.text().splitlines() if line.strip()]
        if lines:
            self.config = lines[-1]


class TorchPeer:
    """torch._scaled_mm with block-wise scales (cuBLASLt underneath); the first argument layout that runs and is correct."""

    def __init__(self, env, problem):
        self.torch = env.torch
        self.problem = problem
        if problem.kind != "normal":
            raise PeerError("E_PEER_UNSUPPORTED", "torch._scaled_mm has no block-scaled grouped form")
        self.name = f"torch._scaled_mm (PyTorch {self.torch.__version__})"
        self.config = None

    def build(self, l2_bytes):
        spec, p = self.problem.spec, self.problem
        m, n, k = spec["m"], spec["n"], spec["k"]
        p.fill_sets(lambda: normal_set(p, m, n, k), l2_bytes)
        self.reference = normal_reference
        self.valid = lambda s, out: out
        self.launch = None

    def first_call(self, s):
        errors = []
        ref = normal_reference(s)
        for name, fa, fb in torch_scale_forms(self.torch, self.problem.spec["k"]):
            try:
                scales = {}
                for t in self.problem.sets:
                    scales[id(t)] = (fa(t["sa"]), fb(t["sb"]))

                def launch(t, scales=scales):
                    sa, sb = scales[id(t)]
                    self.torch._scaled_mm(t["a"], t["b"].t(), sa, sb, out_dtype=self.torch.bfloat16, out=t["out"])
                s["out"].fill_(float("nan"))
                launch(s)
                self.torch.cuda.synchronize()
                if accuracy(s["out"], ref)["passed"]:
                    self.launch = launch
                    self.config = f"scales {name}"
                    return
                errors.append(f"{name}: wrong result")
            except Exception as err:
                errors.append(f"{name}: {type(err).__name__}: {' '.join(str(err).split())[:300]}")
        raise PeerError("E_PEER_FAILED", "torch._scaled_mm took no block-scaled argument layout: " + " | ".join(errors))


def torch_scale_forms(torch, k):
    """Argument layouts torch versions have wanted for 1x128 / 128x128 scales, most common first."""
    def outer_major(t):
        return t.t().contiguous().t()

    def padded_t(t):
        rows, cols = t.shape
        storage = torch.zeros(rows, ceil_div(cols, 4) * 4, device=t.device, dtype=t.dtype)
        storage[:, :cols] = t
        return storage[:, :cols].t()
    forms = [("A outer-major, B transposed", outer_major, lambda t: t.t()),
             ("A outer-major, B transposed contiguous", outer_major, lambda t: t.t().contiguous())]
    if (k // BLOCK) % 4:
        forms.append(("A outer-major, B transposed with a K/128 stride padded to 4", outer_major, padded_t))
    forms.append(("A contiguous, B as is", lambda t: t.contiguous(), lambda t: t))
    return forms


class CapturedStdout:
    """C-level stdout (fd 1) into a temporary file for the duration of a block."""

    def __enter__(self):
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.saved = os.dup(1)
        os.dup2(self.file.fileno(), 1)
        return self

    def __exit__(self, *exc):
        try:
            import ctypes
            ctypes.CDLL(None).fflush(None)
        except Exception:
            pass
        os.dup2(self.saved, 1)
        os.close(self.saved)
        return False

    def text(self):
        self.file.seek(0)
        data = self.file.read().decode("utf-8", "replace")
        self.file.close()
        return data


# ----------------------------------------------------------------------------- prepared problems

class Prepared:
    def __init__(self, peer, problem, calls, graph):
        self.peer = peer
        self.problem = problem
        self.calls = calls
        self.graph = graph


def checked_launch(peer):
    """The call the correctness check makes: the timed one, unless the peer checks another form
    (an in-place accumulation is checked with C distinct from D, whose poison must be overwritten)."""
    return getattr(peer, "check_launch", None) or peer.launch


def check_every_set(peer, problem):
    worst = None
    for i, s in enumerate(problem.sets):
        s["out"].fill_(float("nan"))
        if i == 0:
            peer.first_call(s)
        else:
            checked_launch(peer)(s)
        problem.torch.cuda.synchronize()
        ref = peer.reference(s)
        acc = accuracy(peer.valid(s, s["out"]), peer.valid(s, ref) if ref.shape == s["out"].shape else ref, problem.calc_diff_limit)
        del ref
        worst = worse(worst, acc)
        if not acc["passed"]:
            raise PeerError("E_PEER_WRONG_RESULT",
                            f"{peer.name} gave a wrong result on input set {i} (calc_diff {acc['calcDiff']:.3e}, "
                            f"{acc['unwritten']} unwritten), so it was not timed")
    return worst


def capture(peer, problem, calls):
    torch = problem.torch
    n = len(problem.sets)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(2):
            for s in problem.sets:
                peer.launch(s)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for c in range(calls):
            peer.launch(problem.sets[c % n])
    torch.cuda.synchronize()
    return graph


def replay_us(torch, graph):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    graph.replay()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) * 1000.0


def calls_for(us_per_call, sets, target_us):
    wanted = min(max(round(target_us / max(us_per_call, 1e-3)), MIN_CALLS), MAX_CALLS)
    return max(1, round(wanted / sets)) * sets


class Helper:
    def __init__(self):
        self.env = None
        self.prepared = {}
        self.next_handle = 1

    def environment(self):
        if self.env is None:
            self.env = Environment()
        return self.env

    def hello(self, params):
        return self.environment().hello()

    def prepare(self, params):
        env = self.environment()
        which = params.get("peer")
        spec = params.get("problem")
        if which not in ("deepgemm", "torch") or not isinstance(spec, dict):
            raise PeerError("E_BAD_REQUEST", "prepare needs peer ('deepgemm' or 'torch') and a problem object")
        for key in (MQA_FIELDS.get(spec.get("kind"), ("m", "n", "k"))):
            if not isinstance(spec.get(key), int) or spec[key] <= 0:
                raise PeerError("E_BAD_REQUEST", f"problem.{key} must be a positive integer")
        if which == "deepgemm" and not env.deep_gemm:
            raise PeerError("E_PEER_UNAVAILABLE", env.deep_gemm_problem)
        if which == "torch" and not env.torch:
            raise PeerError("E_PEER_UNAVAILABLE", env.torch_problem)
        torch = env.torch
        num_sms = params.get("numSms")
        if which == "deepgemm":
            device_sms = torch.cuda.get_device_properties(0).multi_processor_count
            env.deep_gemm.set_num_sms(int(num_sms) if isinstance(num_sms, int) and 0 < num_sms <= device_sms else device_sms)
        problem = Problem(torch, spec, params.get("seed", 0))
        peer = DeepGemmPeer(env, problem) if which == "deepgemm" else TorchPeer(env, problem)
        l2 = torch.cuda.get_device_properties(0).L2_cache_size
        peer.build(l2)
        acc = check_every_set(peer, problem)
        target = float(params.get("targetReplayUs", 2000.0))
        sets = len(problem.sets)
        probe = capture(peer, problem, sets)
        replay_us(torch, probe)
        per_call = replay_us(torch, probe) / sets
        del probe
        calls = calls_for(per_call, sets, target)
        graph = capture(peer, problem, calls)
        for _ in range(int(params.get("warmupReplays", 3))):
            graph.replay()
        torch.cuda.synchronize()
        handle = self.next_handle
        self.next_handle += 1
        self.prepared[handle] = Prepared(peer, problem, calls, graph)
        result = {"handle": handle, "name": peer.name, "accuracy": acc, "sets": sets, "callsPerGraph": calls}
        if peer.config:
            result["config"] = peer.config
        if which == "deepgemm":
            result["numSms"] = int(env.deep_gemm.get_num_sms())
        return result

    def replay(self, params):
        prepared = self.prepared.get(params.get("handle"))
        if prepared is None:
            raise PeerError("E_BAD_REQUEST", f"no prepared problem with handle {params.get('handle')!r}")
        # Untimed replays first when asked, so every entry of a round runs as often as the worker's own.
        for _ in range(max(0, min(int(params.get("warmup", 0)), 16))):
            prepared.graph.replay()
        return {"perCallUs": replay_us(self.env.torch, prepared.graph) / prepared.calls}

    def release(self, params):
        prepared = self.prepared.pop(params.get("handle"), None)
        if prepared is not None:
            del prepared
            import gc
            gc.collect()
            self.env.torch.cuda.synchronize()
            self.env.torch.cuda.empty_cache()
        return {}


def answer(out, message):
    out.write(json.dumps(message, allow_nan=False) + "\n")
    out.flush()


def serve(out, lines):
    helper = Helper()
    methods = {"hello": helper.hello, "prepare": helper.prepare, "replay": helper.replay, "release": helper.release}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        request_id = None
        try:
            try:
                request = json.loads(line)
            except ValueError as err:
                raise PeerError("E_BAD_REQUEST", f"not a JSON line: {err}")
            if not isinstance(request, dict):
                raise PeerError("E_BAD_REQUEST", "a request must be a JSON object")
            request_id = request.get("id")
            method = request.get("method")
            if method == "shutdown":
                answer(out, {"id": request_id, "result": {}})
                return 0
            if method not in methods:
                raise PeerError("E_BAD_REQUEST", f"unknown method {method!r}")
            params = request.get("params") or {}
            if not isinstance(params, dict):
                raise PeerError("E_BAD_REQUEST", "params must be an object")
            answer(out, {"id": request_id, "result": methods[method](params)})
        except PeerError as err:
            answer(out, {"id": request_id, "error": {"code": err.code, "message": str(err)}})
        except Exception as err:
            traceback.print_exc(file=sys.stderr)
            text = " ".join(f"{type(err).__name__}: {err}".split())[:600]
            answer(out, {"id": request_id, "error": {"code": "E_PEER_FAILED", "message": text}})
    return 0


def main():
    out = _protocol_stream()
    os.environ.setdefault("DG_PRINT_CONFIGS", "1")
    return serve(out, sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
