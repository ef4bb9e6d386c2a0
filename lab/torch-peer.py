#!/usr/bin/env python3
"""Time cuBLASLt block-scaled FP8 GEMM through torch._scaled_mm (and DeepGEMM when importable).

Why this exists: PERF.md's "cuBLASLt-bw" column is cuBLASLt 13.1 block-scaled FP8 called through
torch._scaled_mm, while our own peer calls cuBLASLt directly from the native addon and is faster at
small M. To compare like with like, this script measures the torch path on the same GPU, in the same
minutes and with the same method as our benchmark (test/gpu/device-pass.sh), so the lead can
calibrate our cuBLASLt-direct peer against PERF.md's torch-based figures.

What it measures, per shape (NT: A is MxK, B is NxK, BF16 output):
- inputs drawn as FP32 standard normal with a fixed seed, quantised like DeepSeek-V3 (A per 1x128
  group along K, B per 128x128 block, scale = max(amax, 1e-4) / 448, FP8 e4m3);
- correctness of every rotated input set against an FP32 reference of the dequantised inputs
  (output poisoned with NaN where the call takes out=, every element finite, calc_diff < 1e-3);
- time per call: CUDA events around replays of one CUDA graph that holds `calls` launches cycling
  through rotated input sets larger than 3x L2; median, min and max over `rounds` replays, torch
  and DeepGEMM replays interleaved in every round so both see the same clocks.

Usage (GPU machine): python3 lab/torch-peer.py [--shapes deepseek | M,N,K ...] [--json OUT] [--rounds 10]
"""

import argparse
import ctypes
import gc
import glob
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional

import torch

FP8_MAX = 448.0
SCALE_FLOOR = 1e-4
BLOCK = 128
CALC_DIFF_LIMIT = 1e-3
REPLAY_TARGET_US = 2000.0
MIN_CALLS, MAX_CALLS = 8, 2000
WARMUP_REPLAYS = 3
SEED = 20261121

DEEPSEEK_NK = [(2112, 7168), (24576, 1536), (32768, 512), (7168, 16384), (4096, 7168), (7168, 2048)]
DEEPSEEK_M = [64, 128, 4096]


# ----------------------------------------------------------------------------- shapes and arguments

class ShapeError(ValueError):
    """E_BAD_SHAPE: a --shapes token that cannot be a block-scaled FP8 GEMM."""


def deepseek_shapes():
    shapes = [(m, n, k) for m in DEEPSEEK_M for (n, k) in DEEPSEEK_NK]
    return shapes + [(8192, 8192, 8192)]


def parse_shape(token):
    parts = token.split(",")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ShapeError(f"E_BAD_SHAPE: '{token}' is not M,N,K with positive integers (e.g. 128,7168,2048) or 'deepseek'")
    m, n, k = (int(p) for p in parts)
    if min(m, n, k) <= 0:
        raise ShapeError(f"E_BAD_SHAPE: '{token}' has a zero dimension; M, N and K must be positive")
    if k % BLOCK:
        raise ShapeError(f"E_BAD_SHAPE: '{token}': K={k} must be a multiple of {BLOCK} (one scale per 128 along K); try K={(k // BLOCK + 1) * BLOCK}")
    return (m, n, k)


def parse_shapes(tokens):
    shapes = []
    for token in tokens:
        shapes.extend(deepseek_shapes() if token == "deepseek" else [parse_shape(token)])
    return shapes


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", nargs="+", default=["deepseek"], help="'deepseek' (19 shapes) and/or M,N,K triples")
    parser.add_argument("--json", dest="json_out", help="write the results as JSON to this file")
    parser.add_argument("--rounds", type=int, default=10, help="timed graph replays per peer (default 10)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        args.shapes = parse_shapes(args.shapes)
    except ShapeError as err:
        parser.error(str(err))
    return args


def log(text):
    print(text, file=sys.stderr, flush=True)


def ceil_div(a, b):
    return -(-a // b)


# ----------------------------------------------------------------------------- inputs and reference

def quantize_1x128(x):
    """A (M, K) FP32 -> FP8 (M, K) and FP32 scales (M, K/128), one per 1x128 group."""
    m, k = x.shape
    groups = x.view(m, k // BLOCK, BLOCK)
    scale = groups.abs().amax(dim=2).clamp(min=SCALE_FLOOR) / FP8_MAX
    q = (groups / scale.unsqueeze(2)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return q.view(m, k), scale.contiguous()


def quantize_128x128(x):
    """B (N, K) FP32 -> FP8 (N, K) and FP32 scales (ceil(N/128), K/128), one per 128x128 block."""
    n, k = x.shape
    nb = ceil_div(n, BLOCK)
    padded = torch.zeros(nb * BLOCK, k, device=x.device, dtype=torch.float32)
    padded[:n] = x
    blocks = padded.view(nb, BLOCK, k // BLOCK, BLOCK)
    scale = blocks.abs().amax(dim=(1, 3)).clamp(min=SCALE_FLOOR) / FP8_MAX
    q = (blocks / scale[:, None, :, None]).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return q.view(nb * BLOCK, k)[:n].contiguous(), scale.contiguous()


def dequantize_1x128(q, scale):
    m, k = q.shape
    return (q.float().view(m, k // BLOCK, BLOCK) * scale.unsqueeze(2)).view(m, k)


def dequantize_128x128(q, scale):
    n, _ = q.shape
    expanded = scale.repeat_interleave(BLOCK, dim=0)[:n].repeat_interleave(BLOCK, dim=1)
    return q.float() * expanded


@dataclass
class InputSet:
    a: torch.Tensor        # (M, K) FP8, row-major
    b: torch.Tensor        # (N, K) FP8, row-major
    sa: torch.Tensor       # (M, K/128) FP32, row-major
    sb: torch.Tensor       # (ceil(N/128), K/128) FP32, row-major
    out: torch.Tensor      # (M, N) BF16 for torch
    extra: dict = field(default_factory=dict)  # per-peer layouts and outputs

    def nbytes(self):
        return sum(t.numel() * t.element_size() for t in (self.a, self.b, self.sa, self.sb, self.out))


def make_input_set(m, n, k, generator):
    a32 = torch.randn(m, k, device="cuda", dtype=torch.float32, generator=generator)
    b32 = torch.randn(n, k, device="cuda", dtype=torch.float32, generator=generator)
    a, sa = quantize_1x128(a32)
    b, sb = quantize_128x128(b32)
    out = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)
    return InputSet(a, b, sa, sb, out)


def set_count(one_set_bytes, l2_bytes):
    """Enough rotated sets that together they exceed 3x L2 (at least 2)."""
    return max(2, ceil_div(3 * l2_bytes + 1, one_set_bytes))


def make_input_sets(m, n, k, l2_bytes):
    generator = torch.Generator(device="cuda")
    generator.manual_seed(SEED)
    first = make_input_set(m, n, k, generator)
    sets = [first] + [make_input_set(m, n, k, generator) for _ in range(set_count(first.nbytes(), l2_bytes) - 1)]
    return sets


def reference(s):
    """FP32 D_ref = dequant(A) @ dequant(B).T on the GPU (TF32 is off, see main)."""
    return dequantize_1x128(s.a, s.sa) @ dequantize_128x128(s.b, s.sb).t()


def calc_diff(x, y):
    x, y = x.double(), y.double()
    return float(1.0 - 2.0 * (x * y).sum() / (x * x + y * y).sum())


def check_output(out, ref):
    """calc_diff of an output against the reference; raises when any element is not finite (unwritten)."""
    finite = torch.isfinite(out)
    if not bool(finite.all()):
        missing = out.numel() - int(finite.sum())
        raise RuntimeError(f"{missing} of {out.numel()} output elements not finite (unwritten or NaN)")
    return calc_diff(out, ref)


# ----------------------------------------------------------------------------- torch forms

@dataclass
class Form:
    """One way of calling the blockwise FP8 GEMM through torch; layouts differ between torch versions."""
    name: str
    api: str                       # "_scaled_mm" or "F.scaled_mm"
    scale_a: Callable              # sa (M, K/128) -> what torch wants
    scale_b: Callable              # sb (N/128, K/128) -> what torch wants
    uses_out: bool


def outer_major(sa):
    return sa.t().contiguous().t()


def padded_t(sb):
    """sb.t() over storage whose K/128 row stride is rounded up to 4 (cuBLAS 128x128 padding)."""
    rows, cols = sb.shape
    storage = torch.zeros(rows, ceil_div(cols, 4) * 4, device=sb.device, dtype=sb.dtype)
    storage[:, :cols] = sb
    return storage[:, :cols].t()


def candidate_forms(k):
    same = lambda t: t  # noqa: E731
    contiguous = lambda t: t.contiguous()  # noqa: E731
    transposed = lambda t: t.t()  # noqa: E731
    transposed_contiguous = lambda t: t.t().contiguous()  # noqa: E731
    layouts = [
        ("sa outer-major, sb.t()", outer_major, transposed),
        ("sa outer-major, sb.t().contiguous()", outer_major, transposed_contiguous),
    ]
    if (k // BLOCK) % 4:
        layouts.append(("sa outer-major, sb.t() with K/128 stride padded to 4", outer_major, padded_t))
    layouts += [
        ("sa contiguous, sb", contiguous, same),
        ("sa contiguous, sb.t()", contiguous, transposed),
    ]
    forms = [Form(f"torch._scaled_mm({name})", "_scaled_mm", fa, fb, True) for name, fa, fb in layouts]
    if hasattr(torch.nn.functional, "scaled_mm") and hasattr(torch.nn.functional, "ScalingType"):
        forms += [Form(f"F.scaled_mm(BlockWise1x128/128x128; {name})", "F.scaled_mm", fa, fb, False) for name, fa, fb in layouts]
    # Last resort for a torch whose Python binding refuses out=: the same layouts, checked by isfinite only.
    forms += [Form(f"torch._scaled_mm({name}; no out=)", "_scaled_mm", fa, fb, False) for name, fa, fb in layouts]
    return forms


def torch_call(form, a, b_kn, scale_a, scale_b, out):
    if form.api == "F.scaled_mm":
        F = torch.nn.functional
        return F.scaled_mm(a, b_kn, scale_a, F.ScalingType.BlockWise1x128, scale_b, F.ScalingType.BlockWise128x128,
                           output_dtype=torch.bfloat16)
    if form.uses_out:
        return torch._scaled_mm(a, b_kn, scale_a, scale_b, out_dtype=torch.bfloat16, out=out)
    return torch._scaled_mm(a, b_kn, scale_a, scale_b, out_dtype=torch.bfloat16)


class TorchPeer:
    name = "torch"

    def __init__(self, form, sets):
        self.form = form
        self.sets = sets
        self.scales = [(form.scale_a(s.sa), form.scale_b(s.sb)) for s in sets]

    def poison(self, i):
        if self.form.uses_out:
            self.sets[i].out.fill_(float("nan"))

    def launch(self, i):
        s = self.sets[i]
        scale_a, scale_b = self.scales[i]
        result = torch_call(self.form, s.a, s.b.t(), scale_a, scale_b, s.out)
        return s.out if self.form.uses_out else result


def try_form(form, sets, ref0):
    """calc_diff of one form on set 0, or raises with what went wrong."""
    peer = TorchPeer(form, sets[:1])
    peer.poison(0)
    out = peer.launch(0)
    torch.cuda.synchronize()
    diff = check_output(out, ref0)
    if not diff < CALC_DIFF_LIMIT:
        raise RuntimeError(f"calc_diff {diff:.3e} >= {CALC_DIFF_LIMIT}")
    return diff


def pick_form(sets, ref0, k):
    """The first candidate form that runs and is correct on set 0, and the errors of those before it."""
    errors = []
    for form in candidate_forms(k):
        try:
            try_form(form, sets, ref0)
            return form, errors
        except Exception as err:  # any failure means: try the next layout
            errors.append(f"{form.name}: {type(err).__name__}: {' '.join(str(err).split())[:400]}")
    return None, errors


# ----------------------------------------------------------------------------- DeepGEMM

def load_deep_gemm():
    try:
        import deep_gemm  # noqa: F401  (optional peer)
    except Exception as err:
        return None, f"deep_gemm not importable ({type(err).__name__}: {err})"
    version = getattr(deep_gemm, "__version__", "unknown version")
    if hasattr(deep_gemm, "fp8_gemm_nt") or hasattr(deep_gemm, "gemm_fp8_fp8_bf16_nt"):
        return deep_gemm, f"deep_gemm {version}"
    return None, f"deep_gemm {version} has neither fp8_gemm_nt nor gemm_fp8_fp8_bf16_nt"


def deep_gemm_scale_a(dg, sa):
    """DeepGEMM wants sa in a TMA-aligned MN-major (column-major) layout."""
    for name in ("get_mn_major_tma_aligned_tensor", "get_col_major_tma_aligned_tensor"):
        align = getattr(dg, name, None)
        if align is not None:
            return align(sa)
    return sa.t().contiguous().t()


class DeepGemmPeer:
    name = "deep_gemm"

    def __init__(self, dg, sets):
        self.entry = dg.fp8_gemm_nt if hasattr(dg, "fp8_gemm_nt") else dg.gemm_fp8_fp8_bf16_nt
        self.sets = sets
        for s in sets:
            s.extra["dg_sa"] = deep_gemm_scale_a(dg, s.sa)
            s.extra["dg_out"] = torch.empty_like(s.out)

    def poison(self, i):
        self.sets[i].extra["dg_out"].fill_(float("nan"))

    def launch(self, i):
        s = self.sets[i]
        self.entry((s.a, s.extra["dg_sa"]), (s.b, s.sb), s.extra["dg_out"])
        return s.extra["dg_out"]


# ----------------------------------------------------------------------------- checking and timing

def check_all_sets(peers, sets, ref0):
    """Worst calc_diff of each peer over every rotated set (all timed inputs are checked), or its error text."""
    worst = {peer.name: 0.0 for peer in peers}
    for i in range(len(sets)):
        ref = ref0 if i == 0 else reference(sets[i])
        for peer in peers:
            if isinstance(worst[peer.name], str):
                continue
            try:
                peer.poison(i)
                out = peer.launch(i)
                torch.cuda.synchronize()
                diff = check_output(out, ref)
                if not diff < CALC_DIFF_LIMIT:
                    raise RuntimeError(f"calc_diff {diff:.3e} >= {CALC_DIFF_LIMIT}")
                worst[peer.name] = max(worst[peer.name], diff)
            except Exception as err:
                worst[peer.name] = f"input set {i}: {type(err).__name__}: {err}"
        del ref
    return worst


def eager_us_per_call(peer, n_sets):
    """Rough per-call time from back-to-back eager launches (includes host overhead at small sizes)."""
    reps = n_sets * ceil_div(16, n_sets)
    for i in range(n_sets):
        peer.launch(i)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for c in range(reps):
        peer.launch(c % n_sets)
    end.record()
    end.synchronize()
    return start.elapsed_time(end) * 1000.0 / reps


def calls_for(us_per_call, n_sets):
    """Launches per graph so one replay takes about 2 ms: 8..2000, a multiple of the set count."""
    wanted = min(max(round(REPLAY_TARGET_US / max(us_per_call, 1e-3)), MIN_CALLS), MAX_CALLS)
    multiples = max(round(wanted / n_sets), ceil_div(MIN_CALLS, n_sets))
    return multiples * n_sets


def capture_graph(peer, n_sets, calls):
    """Warm up on a side stream (as PyTorch documents for graph capture), then capture `calls` launches."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            for i in range(n_sets):
                peer.launch(i)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for c in range(calls):
            peer.launch(c % n_sets)
    torch.cuda.synchronize()
    return graph


def replay_ms(graph):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    graph.replay()
    end.record()
    end.synchronize()
    return start.elapsed_time(end)


def timed_graph(peer, n_sets):
    """A graph whose replay takes ~2 ms: sized from eager calls, re-sized once from a replay if far off."""
    calls = calls_for(eager_us_per_call(peer, n_sets), n_sets)
    graph = capture_graph(peer, n_sets, calls)
    better = calls_for(replay_ms(graph) * 1000.0 / calls, n_sets)
    if better > 1.5 * calls or better < calls / 1.5:
        del graph
        calls = better
        graph = capture_graph(peer, n_sets, calls)
    return graph, calls


def time_interleaved(graphs, rounds):
    """Per-call µs lists, one per graph: in every round each graph is replayed once, in turn (A B A B ...)."""
    for _ in range(WARMUP_REPLAYS):
        for graph, _calls in graphs:
            graph.replay()
    events = [[(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in graphs]
              for _ in range(rounds)]
    for r in range(rounds):
        for (graph, _calls), (start, end) in zip(graphs, events[r]):
            start.record()
            graph.replay()
            end.record()
    torch.cuda.synchronize()
    return [[events[r][g][0].elapsed_time(events[r][g][1]) * 1000.0 / calls for r in range(rounds)]
            for g, (_graph, calls) in enumerate(graphs)]


def summary(us_list):
    return {"median": statistics.median(us_list), "min": min(us_list), "max": max(us_list)}


def tflops(m, n, k, us):
    return 2.0 * m * n * k / (us * 1e-6) / 1e12


# ----------------------------------------------------------------------------- one shape

def run_shape(m, n, k, rounds, l2_bytes, dg):
    """Everything for one shape; returns its JSON record (with 'error' when the torch side failed)."""
    record = {"m": m, "n": n, "k": k}
    sets = make_input_sets(m, n, k, l2_bytes)
    record["sets"] = len(sets)
    ref0 = reference(sets[0])
    form, form_errors = pick_form(sets, ref0, k)
    peers = []
    if form is None:
        record["error"] = "no torch form worked: " + " | ".join(form_errors)
    else:
        record["form"] = form.name
        peers.append(TorchPeer(form, sets))
    if dg is not None:
        try:
            dg_peer = DeepGemmPeer(dg, sets)
            dg_peer.poison(0)
            out = dg_peer.launch(0)  # first call of a shape JIT-compiles
            torch.cuda.synchronize()
            check_output(out, ref0)
            peers.append(dg_peer)
        except Exception as err:
            record["dgError"] = f"{type(err).__name__}: {err}"
    if not peers:
        return record
    worst = check_all_sets(peers, sets, ref0)
    del ref0
    for peer in [p for p in peers if isinstance(worst[p.name], str)]:
        record["error" if peer.name == "torch" else "dgError"] = worst[peer.name]
        peers.remove(peer)
    if not peers:
        return record
    peers, graphs = capture_each(peers, len(sets), record)
    if not peers:
        return record
    results = time_interleaved(graphs, rounds)
    for peer, (_graph, calls), us in zip(peers, graphs, results):
        stats = summary(us)
        if peer.name == "torch":
            record.update(torchUs=stats, tflops=tflops(m, n, k, stats["median"]), calcDiff=worst["torch"], calls=calls)
        else:
            record.update(dgUs=stats, dgTflops=tflops(m, n, k, stats["median"]), dgCalcDiff=worst["deep_gemm"], dgCalls=calls)
    return record


def capture_each(peers, n_sets, record):
    """Timed graphs for the peers whose capture works; a failed capture is recorded, not fatal to the other."""
    kept, graphs = [], []
    for peer in peers:
        try:
            graphs.append(timed_graph(peer, n_sets))
            kept.append(peer)
        except Exception as err:
            record["error" if peer.name == "torch" else "dgError"] = f"graph capture: {type(err).__name__}: {err}"
    return kept, graphs


def free_gpu_memory():
    gc.collect()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()


# ----------------------------------------------------------------------------- environment facts

def loaded_cublaslt_path():
    """The libcublasLt this process actually mapped (torch loads it on the first _scaled_mm)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                if "libcublasLt.so" in line:
                    return line.split()[-1]
    except OSError:
        pass
    roots = [os.path.join(os.path.dirname(torch.__file__), "lib"), os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "lib64")]
    for root in roots:
        found = sorted(glob.glob(os.path.join(root, "libcublasLt.so*")))
        if found:
            return found[-1]
    return None


def cublaslt_version():
    path = loaded_cublaslt_path()
    if path is None:
        return {"error": "libcublasLt not found in this process, torch/lib or $CUDA_HOME/lib64"}
    try:
        get_version = ctypes.CDLL(path).cublasLtGetVersion
        get_version.restype = ctypes.c_size_t
        raw = int(get_version())
        return {"path": path, "raw": raw, "version": f"{raw // 10000}.{raw // 100 % 100}.{raw % 100}"}
    except Exception as err:
        return {"path": path, "error": f"{type(err).__name__}: {err}"}


def device_facts():
    props = torch.cuda.get_device_properties(0)
    return {"name": props.name, "smCount": props.multi_processor_count, "l2Bytes": props.L2_cache_size,
            "capability": f"{props.major}.{props.minor}"}


def method_text(rounds):
    return (f"Per-call time = CUDA-event time of one CUDA-graph replay of `calls` back-to-back launches cycling "
            f"through rotated input sets that together exceed 3x L2, divided by calls (replay ~2 ms); median, min "
            f"and max of {rounds} replays after {WARMUP_REPLAYS} warm-ups, torch and DeepGEMM replays interleaved "
            f"in every round; every input set checked first (NaN-poisoned output, calc_diff < {CALC_DIFF_LIMIT}).")


# ----------------------------------------------------------------------------- output

def progress_line(index, total, rec):
    shape = f"[{index}/{total}] {rec['m']}x{rec['n']}x{rec['k']}"
    if "torchUs" in rec:
        text = f"{shape}: torch {rec['torchUs']['median']:.1f} µs ({rec['tflops']:.0f} TFLOPS, calc_diff {rec['calcDiff']:.1e}, {rec['sets']} sets x {rec['calls'] // rec['sets']})"
    else:
        text = f"{shape}: torch FAILED: {rec.get('error', 'unknown')}"
    if "dgUs" in rec:
        text += f"; DG {rec['dgUs']['median']:.1f} µs ({rec['dgTflops']:.0f} TFLOPS)"
    elif "dgError" in rec:
        text += f"; DG FAILED: {rec['dgError']}"
    return text


def table(records):
    lines = [f"{'M':>5} {'N':>6} {'K':>6} | {'torch µs (min-max)':>26} {'TFLOPS':>7} | {'DG µs':>8} | calc_diff"]
    for rec in records:
        dims = f"{rec['m']:>5} {rec['n']:>6} {rec['k']:>6}"
        if "torchUs" in rec:
            t = rec["torchUs"]
            torch_col = f"{t['median']:>9.1f} ({t['min']:.1f}-{t['max']:.1f})".ljust(26) + f" {rec['tflops']:>7.1f}"
            diff = f"{rec['calcDiff']:.1e}"
        else:
            torch_col, diff = f"{'failed':>26} {'-':>7}", "-"
        dg_col = f"{rec['dgUs']['median']:>8.1f}" if "dgUs" in rec else f"{'-':>8}"
        if "dgCalcDiff" in rec:
            diff += f" (DG {rec['dgCalcDiff']:.1e})"
        lines.append(f"{dims} | {torch_col} | {dg_col} | {diff}")
    return "\n".join(lines)


def write_json(path, facts, records, rounds):
    forms = [rec["form"] for rec in records if "form" in rec]
    doc = {
        "device": facts["device"]["name"],
        "deviceFacts": facts["device"],
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cublasLt": facts["cublasLt"],
        "deepGemm": facts["deepGemm"],
        "form": max(set(forms), key=forms.count) if forms else None,
        "method": method_text(rounds),
        "shapes": records,
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


# ----------------------------------------------------------------------------- main

def main(argv):
    args = parse_args(argv)
    if not torch.cuda.is_available():
        log("E_NO_GPU: torch sees no CUDA device; run this on the GPU machine")
        return 1
    torch.backends.cuda.matmul.allow_tf32 = False
    device = device_facts()
    dg, dg_text = load_deep_gemm()
    log(f"{device['name']} ({device['smCount']} SMs, L2 {device['l2Bytes'] / 2**20:.0f} MiB), torch {torch.__version__}, "
        f"CUDA {torch.version.cuda}; {dg_text}")
    records, last_form = [], None
    for index, (m, n, k) in enumerate(args.shapes, start=1):
        try:
            rec = run_shape(m, n, k, args.rounds, device["l2Bytes"], dg)
        except Exception as err:  # record and go on with the next shape
            rec = {"m": m, "n": n, "k": k, "error": f"{type(err).__name__}: {err}"}
        free_gpu_memory()
        if rec.get("form") and rec["form"] != last_form:
            last_form = rec["form"]
            log(f"torch form: {last_form}")
        log(progress_line(index, len(args.shapes), rec))
        records.append(rec)
    facts = {"device": device, "cublasLt": cublaslt_version(), "deepGemm": dg_text}
    cublas = facts["cublasLt"]
    log(f"cuBLASLt: {cublas.get('version', cublas.get('error'))} ({cublas.get('path', '-')})")
    print(table(records))
    if args.json_out:
        write_json(args.json_out, facts, records, args.rounds)
        log(f"wrote {args.json_out}")
    return 0 if any("torchUs" in rec for rec in records) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
