#!/usr/bin/env python3
"""Reference serving timings of the Gemma-2-9B architecture on a GPU: whole prompt vs policy-prefix KV cache.

What inference-service does per request, measured in PyTorch on the exported graph's own forward pass
(``gemma2_onnx.Gemma2ExportWrapper``: last-token logits + presents, explicit past tensors), with RANDOM weights
in the real gemma-2-9b shape (42 layers, hidden 3,584, 16/8 heads, head_dim 256, vocab 256,000), so it needs no
download. Random weights make the scores meaningless but not the cost: the FLOPs, memory traffic and kernel
launches are those of the real model. It answers three sizing questions the CPU-only build machines cannot:

  * whole prompt (~1,140 tokens: prefix + content) by batch size: does dynamic batching pay on a GPU?
  * prefix cached: the past of the policy prefix computed once, repeated along the batch (exactly what
    ``InferenceEngine`` does), then only the content suffix runs: how much faster, by batch size?
  * cached == whole: the label logits of both paths agree (float16 rounding only).

Usage (the GPU machine; no network):

    python3 tools/export/serving_reference.py --out /tmp/serving.json            # real 9B shape, fp16, CUDA
    python3 tools/export/serving_reference.py --tiny --out /tmp/tiny.json        # seconds; smoke test

It prints one ``BENCH gemma2-serving-reference key=value ...`` line at the end (recorded in docs/benchmarks.md).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gemma2_onnx as g2  # noqa: E402

GEMMA2_9B = dict(vocab_size=256000, hidden_size=3584, intermediate_size=14336, num_hidden_layers=42,
                 num_attention_heads=16, num_key_value_heads=8, head_dim=256, query_pre_attn_scalar=256)
TINY = dict(vocab_size=1000, hidden_size=96, intermediate_size=192, num_hidden_layers=4,
            num_attention_heads=4, num_key_value_heads=2, head_dim=32, query_pre_attn_scalar=24)


def build_model(shape: dict, dtype, device: str):
    import torch
    from transformers import Gemma2Config, Gemma2ForCausalLM
    cfg = Gemma2Config(**shape, sliding_window=4096, max_position_embeddings=8192,
                       attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
                       hidden_activation="gelu_pytorch_tanh", rms_norm_eps=1e-6, initializer_range=0.02,
                       pad_token_id=0, eos_token_id=1, bos_token_id=2, tie_word_embeddings=True)
    torch.manual_seed(1234)
    with torch.device(device):
        model = Gemma2ForCausalLM(cfg)
    return model.to(dtype).eval()


def timed(fn, device: str, warmup: int, iters: int):
    import torch
    for _ in range(warmup):
        fn()
    if device == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return times[len(times) // 2], times[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="tiny shape (smoke test of this script)")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--prefix-tokens", type=int, default=1087, help="policy prefix length (default 1,087)")
    ap.add_argument("--suffix-tokens", type=int, default=53, help="content suffix length (default 53)")
    ap.add_argument("--whole-batches", default="1,4,8,16,32")
    ap.add_argument("--cached-batches", default="1,4,8,16,32,64")
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--out", required=True)
    opts = ap.parse_args(argv)

    import torch
    device = opts.device if torch.cuda.is_available() or opts.device == "cpu" else "cpu"
    dtype = torch.float16 if device == "cuda" else torch.float32
    shape = TINY if opts.tiny else GEMMA2_9B
    t0 = time.perf_counter()
    model = build_model(shape, dtype, device)
    native_cls, _ = g2.make_wrapper_classes()
    whole_fwd = native_cls(model, with_past=False).eval()
    past_fwd = native_cls(model, with_past=True).eval()
    arch = whole_fwd.arch
    build_s = time.perf_counter() - t0
    P, S = opts.prefix_tokens, opts.suffix_tokens
    gen = torch.Generator(device="cpu").manual_seed(7)
    prefix = torch.randint(3, arch.vocab_size, (1, P), generator=gen).to(device)
    suffix = torch.randint(3, arch.vocab_size, (1, S), generator=gen).to(device)
    whole = torch.cat((prefix, suffix), dim=1)
    res = {"device": device, "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
           "torch": torch.__version__, "dtype": str(dtype), "shape": shape, "prefix_tokens": P,
           "suffix_tokens": S, "model_build_s": round(build_s, 1), "whole": {}, "cached": {}}
    bytes_per_token = 2 * arch.num_layers * arch.num_kv_heads * arch.head_dim * (2 if dtype == torch.float16 else 4)

    def ones(b, n):
        return torch.ones((b, n), dtype=torch.int64, device=device)

    def positions(b, start, n):
        return torch.arange(start, start + n, device=device).unsqueeze(0).expand(b, -1)

    with torch.no_grad():
        # the prefix's past, computed once (a cache miss)
        def compute_past():
            out = past_fwd(prefix, ones(1, P), positions(1, 0, P),
                           *[torch.zeros((1, arch.num_kv_heads, 0, arch.head_dim), dtype=dtype, device=device)
                             for _ in range(2 * arch.num_layers)])
            return list(out[1:])
        past = compute_past()
        res["prefix_compute_ms"] = round(timed(compute_past, device, 1, max(3, opts.iters // 2))[0], 2)

        # parity: cached suffix == whole prompt, at the label-relevant last position
        full = whole_fwd(whole, ones(1, P + S), positions(1, 0, P + S))[0].float()
        cached = past_fwd(suffix, ones(1, P + S), positions(1, P, S), *past)[0].float()
        res["cached_vs_whole_max_abs_logit_diff"] = float((full - cached).abs().max())
        res["logits_finite"] = bool(torch.isfinite(full).all() and torch.isfinite(cached).all())

        for b in [int(x) for x in opts.whole_batches.split(",") if x]:
            ids = whole.expand(b, -1).contiguous()
            p50, best = timed(lambda: whole_fwd(ids, ones(b, P + S), positions(b, 0, P + S)),
                              device, 2, opts.iters)
            res["whole"][b] = {"p50_ms": round(p50, 2), "min_ms": round(best, 2),
                               "items_per_s": round(b * 1000.0 / p50, 1)}
            print("whole", b, res["whole"][b], flush=True)
        for b in [int(x) for x in opts.cached_batches.split(",") if x]:
            ids = suffix.expand(b, -1).contiguous()

            def run_cached():  # repeat the past along the batch per call, as the Java engine does
                reps = [t.expand(b, -1, -1, -1).contiguous() for t in past]
                return past_fwd(ids, ones(b, P + S), positions(b, P, S), *reps)
            p50, best = timed(run_cached, device, 2, opts.iters)
            res["cached"][b] = {"p50_ms": round(p50, 2), "min_ms": round(best, 2),
                                "items_per_s": round(b * 1000.0 / p50, 1)}
            print("cached", b, res["cached"][b], flush=True)
        if device == "cuda":
            res["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2 ** 30, 1)

    w, c = res["whole"], res["cached"]
    wb, cb = max(w), max(c)
    line = {
        "model": "random-gemma2-9b-shape" if not opts.tiny else "random-tiny-gemma2", "device": device,
        "gpu": (res["gpu"] or "cpu").replace(" ", "_"), "dtype": str(dtype).replace("torch.", ""),
        "prefix_tokens": P, "suffix_tokens": S, "bytes_per_token": bytes_per_token,
        "prefix_compute_ms": res["prefix_compute_ms"],
        "whole_b1_ms": w[1]["p50_ms"], f"whole_b{wb}_ms": w[wb]["p50_ms"],
        "whole_b1_items_s": w[1]["items_per_s"], f"whole_b{wb}_items_s": w[wb]["items_per_s"],
        "whole_batching_gain": round(w[wb]["items_per_s"] / w[1]["items_per_s"], 2),
        "cached_b1_ms": c[1]["p50_ms"], f"cached_b{cb}_ms": c[cb]["p50_ms"],
        f"cached_b{cb}_items_s": c[cb]["items_per_s"],
        "cached_over_whole_b1_latency": round(c[1]["p50_ms"] / w[1]["p50_ms"], 3),
        "cached_best_over_whole_best_throughput": round(
            max(v["items_per_s"] for v in c.values()) / max(v["items_per_s"] for v in w.values()), 2),
        "cached_vs_whole_max_abs_logit_diff": round(res["cached_vs_whole_max_abs_logit_diff"], 5),
        "logits_finite": res["logits_finite"], "peak_gpu_gib": res.get("peak_gpu_memory_gib"),
    }
    res["bench"] = "BENCH gemma2-serving-reference " + " ".join(f"{k}={v}" for k, v in line.items())
    with open(opts.out, "w") as f:
        json.dump(res, f, indent=2)
    print(json.dumps(res, indent=2))
    print(res["bench"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
