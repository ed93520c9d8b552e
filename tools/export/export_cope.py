#!/usr/bin/env python3
"""Export CoPE-A (google/gemma-2-9b + the CoPE-A LoRA adapter) into inference-service model bundles.

    python export_cope.py [export] --base google/gemma-2-9b --adapter <path-or-hub-id> --out <dir>
                          [--dtype float16|float32] [--quantize int4] [--variants kv,nokv]
                          [--parity-prompts N] [--device auto|cuda|cpu] [--exporter auto|torchscript|dynamo|direct]
    python export_cope.py selftest --out <dir> [--device auto|cuda|cpu]
    python export_cope.py bench --model <hf-dir> --bundle <bundle-dir> --out timing.json [--device cuda]

``export``   loads the base model with eager attention, merges the LoRA adapter (peft ``merge_and_unload``),
             exports one ONNX graph per variant (``<out>/kv``, ``<out>/nokv``) with the Hugging Face causal-LM
             names and LAST-TOKEN logits, optionally quantizes weights to int4 (onnxruntime MatMulNBits), writes
             ``tokenizer.json`` and ``cope-model.json`` (docs/model-bundle.md), then checks parity against PyTorch
             (see parity.py) and writes ``<out>/parity.json``. Exit 0 = bundles written and parity passed,
             1 = parity failed, 2 = export failed.
``selftest`` builds a tiny RANDOM Gemma-2 (4 layers, sliding window 64, the real soft-capping values), a tiny
             Gemma-like tokenizer and a random LoRA adapter in-process -- no downloads at all -- and runs the
             SAME export and parity code on them (prompts longer than the window and than 4,096 tokens), plus
             diagnostics: the other exporters, the experimental ``--graph hf`` wrapper, float16 and int4.
``bench``    PyTorch forward latency of a model at a few sequence lengths (and ONNX Runtime, if a bundle is
             given), as JSON: the reference timing recorded on the GPU machine.

See README.md next to this file.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import platform
import shutil
import sys
import time
import traceback
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import cope_template  # noqa: E402
import gemma2_onnx as g2  # noqa: E402

EXPORTER_VERSION = "0.1"
MIN_TRANSFORMERS = (4, 42)
DEFAULT_NAME = "cope-a-gemma-2-9b"
SELFTEST_NAME = "cope-tiny-test-gemma2-random-selftest"

_T0 = time.time()


def log(msg: str):
    print(f"[{time.time() - _T0:7.1f}s] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------------------
# Environment
# ----------------------------------------------------------------------------------------------------------

def _version_tuple(v: str):
    out = []
    for part in v.split("+")[0].split("."):
        num = "".join(ch for ch in part if ch.isdigit())
        if not num:
            break
        out.append(int(num))
    return tuple(out)


def versions() -> Dict:
    info = {"python": platform.python_version(), "platform": platform.platform()}
    for mod in ("torch", "transformers", "tokenizers", "onnx", "onnxruntime", "onnxscript", "peft", "numpy",
                "safetensors"):
        try:
            m = __import__(mod)
            info[mod] = getattr(m, "__version__", "?")
        except Exception as e:  # noqa: BLE001
            info[mod] = None if isinstance(e, ImportError) else f"error: {e}"
    try:
        import torch
        info["cuda_available"] = torch.cuda.is_available()
        info["torch_cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001
        pass
    try:
        import onnxruntime as ort
        info["ort_providers"] = ort.get_available_providers()
    except Exception:  # noqa: BLE001
        pass
    return info


def require_transformers():
    try:
        import transformers
    except ImportError as e:
        raise SystemExit(f"transformers is not installed ({e}); pip install 'transformers>=4.42'") from e
    if _version_tuple(transformers.__version__) < MIN_TRANSFORMERS:
        raise SystemExit(f"transformers {transformers.__version__} is too old: Gemma-2 needs >= 4.42")
    return transformers


def resolve_device(name: str) -> str:
    import torch
    if name == "cpu":
        return "cpu"
    usable = False
    err = None
    if torch.cuda.is_available():
        try:
            x = torch.ones(8, device="cuda")
            usable = float((x * 2).sum().item()) == 16.0
        except Exception as e:  # noqa: BLE001
            err = e
    if name == "cuda" and not usable:
        raise SystemExit(f"--device cuda but CUDA is not usable here ({err or 'torch.cuda.is_available() is False'})")
    return "cuda" if usable else "cpu"


def torch_dtype(name: str):
    import torch
    return {"float16": torch.float16, "float32": torch.float32}[name]


# ----------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------

def _from_pretrained(cls, src, dtype, **kw):
    import transformers
    key = "dtype" if _version_tuple(transformers.__version__) >= (4, 56) else "torch_dtype"
    try:
        return cls.from_pretrained(src, **{key: dtype}, **kw)
    except TypeError:
        other = "torch_dtype" if key == "dtype" else "dtype"
        return cls.from_pretrained(src, **{other: dtype}, **kw)


def load_model_and_tokenizer(base: str, adapter: Optional[str], tokenizer_src: Optional[str], dtype_name: str,
                             device: str):
    """Base model with EAGER attention (soft-capping + sliding window), adapter merged, on `device`."""
    require_transformers()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch_dtype(dtype_name)
    log(f"loading base {base} ({dtype_name}, eager attention)")
    model = _from_pretrained(AutoModelForCausalLM, base, dtype, attn_implementation="eager")
    if getattr(model.config, "model_type", None) != "gemma2":
        raise SystemExit(f"{base} is a {model.config.model_type!r} model; this exporter handles gemma2 (CoPE-A)")
    impl = getattr(model.config, "_attn_implementation", None)
    if impl != "eager":
        log(f"WARNING: attention implementation is {impl!r}; forcing 'eager' (sdpa/flash drop soft-capping)")
        model.config._attn_implementation = "eager"
    model.to(device)
    model.eval()

    tok = AutoTokenizer.from_pretrained(tokenizer_src or base, use_fast=True)
    if not getattr(tok, "is_fast", False):
        raise SystemExit("a fast (tokenizers-backed) tokenizer is required to write tokenizer.json")

    adapter_info = None
    if adapter:
        adapter_info = merge_adapter(model, adapter, tok)
        model = adapter_info.pop("_model")
    model.eval()
    return model, tok, adapter_info


def merge_adapter(model, adapter: str, tok) -> Dict:
    """Apply the LoRA adapter with peft and merge it into the weights; checks merged == unmerged logits."""
    import torch
    try:
        from peft import PeftModel
    except ImportError as e:
        raise SystemExit(f"--adapter needs peft (pip install peft): {e}") from e
    log(f"loading adapter {adapter} and merging (peft merge_and_unload)")
    peft_model = PeftModel.from_pretrained(model, adapter)
    peft_model.eval()
    dev = next(model.parameters()).device
    probe = [tok.bos_token_id] + list(tok(cope_template.render("Probe policy.", "Probe content."),
                                         add_special_tokens=False)["input_ids"])
    t = torch.tensor([probe], device=dev)
    with torch.no_grad():
        before = peft_model(input_ids=t, use_cache=False).logits[0, -1].float()
        merged = peft_model.merge_and_unload()
        merged.eval()
        after = merged(input_ids=t, use_cache=False).logits[0, -1].float()
    diff = float((before - after).abs().max())
    log(f"adapter merged; max |logit diff| merged vs unmerged on a probe prompt: {diff:.3g}")
    cfg = getattr(peft_model, "peft_config", {}) or {}
    first = next(iter(cfg.values()), None)
    return {"_model": merged, "adapter": adapter, "merge_check_max_logit_diff": diff,
            "peft_type": str(getattr(first, "peft_type", None)), "r": getattr(first, "r", None),
            "target_modules": sorted(getattr(first, "target_modules", None) or [])}


# ----------------------------------------------------------------------------------------------------------
# Tokenizer and manifest
# ----------------------------------------------------------------------------------------------------------

def label_and_special_ids(tok) -> Dict:
    def single(text):
        ids = list(tok(text, add_special_tokens=False)["input_ids"])
        if len(ids) != 1:
            raise SystemExit(f"label {text!r} is not a single token for this tokenizer: {ids}")
        direct = tok.convert_tokens_to_ids(text)
        if direct is not None and direct != ids[0] and direct != tok.unk_token_id:
            log(f"NOTE: token {text!r} encodes to id {ids[0]} but the vocabulary entry {text!r} is id {direct}")
        return ids[0]

    pos, neg = single("1"), single("0")
    if pos == neg:
        raise SystemExit('"1" and "0" encode to the same token id')
    for what in ("bos", "eos", "pad"):
        if getattr(tok, f"{what}_token_id") is None:
            raise SystemExit(f"tokenizer has no {what} token")
    # The label token as the model sees it right after the template (the answer position):
    ctx = list(tok(cope_template.render("p", "c") + "1", add_special_tokens=False)["input_ids"])
    return {
        "labels": {"positive_token": "1", "positive_token_id": pos, "negative_token": "0", "negative_token_id": neg},
        "tokenizer": {"file": "tokenizer.json", "add_bos": True,
                      "bos_token": tok.bos_token, "bos_token_id": tok.bos_token_id,
                      "eos_token": tok.eos_token, "eos_token_id": tok.eos_token_id,
                      "pad_token": tok.pad_token, "pad_token_id": tok.pad_token_id},
        "label_token_after_template": ctx[-1] == pos,
    }


def write_tokenizer_json(tok, path: str):
    from tokenizers import Tokenizer
    backend = Tokenizer.from_str(tok.backend_tokenizer.to_str())
    backend.no_truncation()   # the service decides about length; a tokenizer.json must not truncate silently
    backend.no_padding()
    backend.save(path)


def manifest(arch: g2.Gemma2Arch, ids: Dict, with_past: bool, dtype_name: str, name: str, version: str,
             is_test: bool, max_context: int, base: str, adapter: Optional[str], exporter_note: str) -> Dict:
    pkv = None
    if with_past:
        pkv = {"num_layers": arch.num_layers, "num_kv_heads": arch.num_kv_heads, "head_dim": arch.head_dim,
               "past_key": g2.PAST_KEY, "past_value": g2.PAST_VALUE,
               "present_key": g2.PRESENT_KEY, "present_value": g2.PRESENT_VALUE}
    return {
        "format_version": 1,
        "name": name,
        "version": version,
        "family": "gemma2",
        "is_test_model": bool(is_test),
        "prompt_template_id": cope_template.TEMPLATE_ID,
        "max_context_tokens": int(min(max_context, arch.max_position_embeddings)),
        "vocab_size": arch.vocab_size,
        "dtype": dtype_name,
        "tokenizer": ids["tokenizer"],
        "labels": ids["labels"],
        "graph": {
            "file": "model.onnx",
            "input_ids": g2.INPUT_IDS,
            "attention_mask": g2.ATTENTION_MASK,
            "position_ids": g2.POSITION_IDS,
            "logits": g2.LOGITS,
            "logits_scope": "last_token",
            "past_key_values": pkv,
        },
        "architecture": {
            "num_layers": arch.num_layers, "hidden_size": arch.hidden_size,
            "num_attention_heads": arch.num_heads, "num_kv_heads": arch.num_kv_heads, "head_dim": arch.head_dim,
            "sliding_window": arch.sliding_window,
            "attn_logit_softcapping": arch.attn_logit_softcapping,
            "final_logit_softcapping": arch.final_logit_softcapping,
        },
        "provenance": {"base_model": base, "adapter": adapter, "exporter": exporter_note},
    }


# ----------------------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------------------

EXPORTER_CHAIN = {"auto": ["torchscript", "dynamo", "direct"], "torchscript": ["torchscript"],
                  "dynamo": ["dynamo"], "direct": ["direct"]}


def export_graph(model, with_past: bool, bundle_dir: str, exporter: str, graph_kind: str, opset: int) -> Dict:
    """Write <bundle_dir>/model.onnx with the first exporter of the chain that works; returns what happened."""
    import torch
    arch = g2.Gemma2Arch.from_model(model)
    native_cls, hf_cls = g2.make_wrapper_classes()
    dtype = model.model.embed_tokens.weight.dtype
    device = model.model.embed_tokens.weight.device
    attempts = []
    tmp = os.path.join(bundle_dir, ".export-tmp")
    chain = EXPORTER_CHAIN[exporter]
    if graph_kind == "hf":
        chain = [c for c in chain if c != "direct"]
    for name in chain:
        t0 = time.time()
        try:
            g2.clean_dir(tmp)
            if name == "direct":
                onnx_model = g2.build_direct_onnx(model, with_past, opset=opset)
                info = {"exporter": "direct", "opset": opset}
            else:
                wrapper = (native_cls if graph_kind == "native" else hf_cls)(model, with_past).eval()
                args = g2.dummy_inputs(arch, with_past, dtype, device)
                path = os.path.join(tmp, "model.onnx")
                if name == "torchscript":
                    info = g2.export_torchscript(wrapper, args, path, arch.num_layers, with_past, opset=opset)
                else:
                    info = g2.export_dynamo(wrapper, args, path, arch.num_layers, with_past, opset=max(opset, 18))
                onnx_model = g2.load_exported(path)
            want_in, want_out = g2.io_names(arch.num_layers, with_past)
            info["renamed"] = g2.rename_io(onnx_model, want_in, want_out)
            files = g2.save_bundle_graph(onnx_model, bundle_dir)
            del onnx_model
            info["check"] = g2.check_graph(os.path.join(bundle_dir, "model.onnx"), arch.num_layers, with_past)
            info["files"] = {os.path.basename(f): os.path.getsize(f) for f in files}
            info["seconds"] = round(time.time() - t0, 2)
            info["graph"] = graph_kind
            attempts.append({"exporter": name, "ok": True})
            info["attempts"] = attempts
            log(f"  exported with {name} in {info['seconds']}s: {info['files']}")
            return info
        except Exception as e:  # noqa: BLE001  (try the next exporter, keep the reason)
            log(f"  exporter {name} failed: {type(e).__name__}: {str(e)[:500]}")
            traceback.print_exc(file=sys.stdout)
            attempts.append({"exporter": name, "ok": False, "error": f"{type(e).__name__}: {str(e)[:2000]}"})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    raise RuntimeError(f"every exporter failed: {json.dumps(attempts)[:4000]}")


def export_bundles(model, tok, ids: Dict, out: str, variants: List[str], opts, is_test: bool,
                   exporter: str, graph_kind: str, base_label: str, adapter_label: Optional[str]) -> Dict:
    arch = g2.Gemma2Arch.from_model(model)
    dtype_name = {"torch.float16": "float16", "torch.float32": "float32"}[str(model.model.embed_tokens.weight.dtype)]
    bundles, infos = {}, {}
    for variant in variants:
        with_past = variant == "kv"
        bundle = os.path.join(out, variant)
        g2.clean_dir(bundle)
        log(f"export {variant} -> {bundle} ({'with' if with_past else 'without'} past-key-values, {dtype_name})")
        info = export_graph(model, with_past, bundle, exporter, graph_kind, opts.opset)
        note = f"tools/export {EXPORTER_VERSION} ({info['exporter']} exporter, {graph_kind} graph"
        name = opts.name
        if opts.quantize == "int4":
            log(f"  quantizing {variant} to int4 (MatMulNBits, block {opts.int4_block_size})")
            info["quantize"] = g2.quantize_int4(bundle, block_size=opts.int4_block_size)
            info["check_after_quantize"] = g2.check_graph(os.path.join(bundle, "model.onnx"), arch.num_layers,
                                                          with_past)
            note += f", int4 MatMulNBits block {opts.int4_block_size}"
            if "int4" not in name:
                name += "-int4"
        note += ")"
        write_tokenizer_json(tok, os.path.join(bundle, "tokenizer.json"))
        man = manifest(arch, ids, with_past, dtype_name, name, opts.model_version, is_test, opts.max_context,
                       base_label, adapter_label, note)
        with open(os.path.join(bundle, "cope-model.json"), "w", encoding="utf-8") as f:
            json.dump(man, f, indent=2)
            f.write("\n")
        bundles[variant] = {"dir": bundle, "manifest": man}
        infos[variant] = info
    return {"bundles": bundles, "export": infos, "arch": arch.__dict__, "dtype": dtype_name}


def ort_providers(choice: str, device: str) -> List[str]:
    import onnxruntime as ort
    avail = ort.get_available_providers()
    if choice == "cpu":
        return ["CPUExecutionProvider"]
    if choice == "cuda" or (choice == "auto" and device == "cuda"):
        if "CUDAExecutionProvider" in avail:
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        if choice == "cuda":
            raise SystemExit(f"--ort-provider cuda but this onnxruntime has only {avail} (install onnxruntime-gpu)")
        log(f"NOTE: onnxruntime has no CUDA provider ({avail}); parity runs ONNX Runtime on CPU")
    return ["CPUExecutionProvider"]


def default_score_tol(dtype_name: str, quantized: bool) -> Optional[float]:
    if quantized:
        return None          # int4: label agreement is gated, the score drift is only reported
    return 1e-3 if dtype_name == "float32" else 2e-2


def do_parity(model, tok, ids, bundles, opts, device, dtype_name, quantized, with_wrapper=True) -> Dict:
    import parity
    providers = ort_providers(opts.ort_provider, device)
    wrapper = None
    if with_wrapper:
        native_cls, _ = g2.make_wrapper_classes()
        wrapper = native_cls(model, with_past=False).eval()
    tol = opts.score_tol if opts.score_tol is not None else default_score_tol(dtype_name, quantized)
    res = parity.run_parity(model, tok, bundles, ids["labels"], ids["tokenizer"]["bos_token_id"],
                            ids["tokenizer"]["pad_token_id"], opts.parity_prompts, opts.long_prompt_tokens,
                            opts.max_context, providers, tol, wrapper=wrapper, log=log)
    res["score_tolerance"] = tol
    return res


def jsonable(x):
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        try:
            return jsonable(x.item())
        except Exception:  # noqa: BLE001
            return str(x)
    return x


def write_json(path: str, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(jsonable(obj), f, indent=2)
        f.write("\n")


def run_export(opts, is_test=False, base_label=None, adapter_label=None) -> Dict:
    """The export + parity pipeline shared by `export` and `selftest`. Returns the report (also written)."""
    import torch
    os.makedirs(opts.out, exist_ok=True)
    report: Dict = {"tool": f"tools/export {EXPORTER_VERSION}", "mode": "selftest" if is_test else "export",
                    "versions": versions(), "template_id": cope_template.TEMPLATE_ID}
    device = resolve_device(opts.device)
    report["device"] = device
    log(f"device {device}; versions {json.dumps(report['versions'])}")
    report["torch_exporters"] = g2.torch_exporters_available()
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False   # keep the PyTorch reference in true float32
        torch.backends.cudnn.allow_tf32 = False
    model, tok, adapter_info = load_model_and_tokenizer(opts.base, opts.adapter, opts.tokenizer, opts.dtype, device)
    report["adapter"] = adapter_info
    ids = label_and_special_ids(tok)
    report["labels"] = ids["labels"]
    report["label_token_after_template"] = ids["label_token_after_template"]
    log(f"labels {ids['labels']}; specials {ids['tokenizer']}")
    variants = [v.strip() for v in opts.variants.split(",") if v.strip()]
    for v in variants:
        if v not in ("kv", "nokv"):
            raise SystemExit(f"unknown variant {v!r} (kv, nokv)")
    try:
        ex = export_bundles(model, tok, ids, opts.out, variants, opts, is_test, opts.exporter, opts.graph,
                            base_label or opts.base, adapter_label if adapter_label is not None else opts.adapter)
    except Exception as e:  # noqa: BLE001
        report["ok"] = False
        report["error"] = f"export failed: {type(e).__name__}: {e}"
        write_json(os.path.join(opts.out, "parity.json"), report)
        log(report["error"])
        report["_exit"] = 2
        return report
    report["export"] = ex["export"]
    report["architecture"] = ex["arch"]
    report["dtype"] = ex["dtype"]
    if opts.parity_prompts > 0:
        log("parity check (PyTorch eager vs ONNX Runtime)")
        res = do_parity(model, tok, ids, ex["bundles"], opts, device, ex["dtype"], opts.quantize == "int4")
        report["parity"] = res
        report["ok"] = res["ok"]
        for f in res["failures"]:
            log(f"PARITY FAILURE: {f}")
    else:
        report["parity"] = None
        report["ok"] = True
    report["seconds"] = round(time.time() - _T0, 1)
    write_json(os.path.join(opts.out, "parity.json"), report)
    report["_exit"] = 0 if report["ok"] else 1
    report["_ctx"] = {"model": model, "tok": tok, "ids": ids, "device": device}
    return report


def print_summary(report: Dict):
    p = report.get("parity") or {}
    short = {
        "ok": report.get("ok"), "mode": report.get("mode"), "device": report.get("device"),
        "dtype": report.get("dtype"), "error": report.get("error"),
        "exporters": {k: v.get("exporter") for k, v in (report.get("export") or {}).items()},
        "labels": report.get("labels"),
        "wrapper_vs_hf": p.get("wrapper_vs_hf"),
        "variants": {k: {kk: vv for kk, vv in v.items() if kk != "rows"} for k, v in (p.get("variants") or {}).items()},
        "kv_split": [{"id": r["id"], "prefix_tokens": r["prefix_tokens"], "suffix_tokens": r["suffix_tokens"],
                      "score_diff_vs_pytorch": r["vs_pytorch"]["score_diff"]} for r in p.get("kv_split") or []],
        "batch": {k: v.get("max_score_diff") for k, v in (p.get("batch") or {}).items()},
        "prompt_tokens": [x["tokens"] for x in p.get("prompts") or []],
        "failures": p.get("failures"),
        "diagnostics": {k: (v.get("ok") if isinstance(v, dict) else v)
                        for k, v in (report.get("diagnostics") or {}).items()},
    }
    print(json.dumps(jsonable(short), indent=2), flush=True)


# ----------------------------------------------------------------------------------------------------------
# Self-test
# ----------------------------------------------------------------------------------------------------------

def build_tiny_base(work: str, seed: int = 1234) -> Dict:
    """Tiny random Gemma-2 + tiny tokenizer saved as a Hugging Face model directory; random LoRA adapter if peft."""
    require_transformers()
    import torch
    from transformers import Gemma2Config, Gemma2ForCausalLM
    import tiny_tokenizer

    base = os.path.join(work, "base")
    g2.clean_dir(base)
    tok = tiny_tokenizer.build_hf_tokenizer(1000)
    tok.save_pretrained(base)
    vocab = len(tok)
    cfg = Gemma2Config(
        vocab_size=vocab, hidden_size=96, intermediate_size=192, num_hidden_layers=4, num_attention_heads=4,
        num_key_value_heads=2, head_dim=32, query_pre_attn_scalar=24,    # != head_dim: catches a wrong scaling
        sliding_window=64, max_position_embeddings=8192,
        attn_logit_softcapping=50.0, final_logit_softcapping=30.0,       # the real gemma-2-9b values
        hidden_activation="gelu_pytorch_tanh", rms_norm_eps=1e-6, initializer_range=0.15,
        pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=tok.bos_token_id,
        tie_word_embeddings=True)
    try:
        cfg._attn_implementation = "eager"
    except Exception:  # noqa: BLE001
        pass
    torch.manual_seed(seed)
    model = Gemma2ForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:                 # non-trivial (1 + w) so a wrong RMSNorm shows up
                p.normal_(0.0, 0.1)
    model.save_pretrained(base)
    info = {"base": base, "vocab_size": vocab, "config": {k: getattr(cfg, k) for k in (
        "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
        "query_pre_attn_scalar", "sliding_window", "attn_logit_softcapping", "final_logit_softcapping")}}
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        log("peft is not installed: the self-test skips the adapter merge")
        info["adapter"] = None
        return info
    adapter = os.path.join(work, "adapter")
    g2.clean_dir(adapter)
    torch.manual_seed(seed + 1)
    lora = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, init_lora_weights=False, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    peft_model = get_peft_model(Gemma2ForCausalLM.from_pretrained(base), lora)
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_" in name:
                p.normal_(0.0, 0.05)
    peft_model.save_pretrained(adapter)
    info["adapter"] = adapter
    return info


def run_selftest(opts) -> int:
    t_start = time.time()
    out = opts.out
    os.makedirs(out, exist_ok=True)
    work = os.path.join(out, "work")
    report: Dict = {"tool": f"tools/export {EXPORTER_VERSION}", "mode": "selftest", "ok": False}
    try:
        log(f"selftest: building a tiny random Gemma-2 + tokenizer in {work}")
        tiny = build_tiny_base(work)
        eopts = argparse.Namespace(
            base=tiny["base"], adapter=tiny["adapter"], tokenizer=None, out=out, dtype="float32", quantize=None,
            int4_block_size=32, variants="kv,nokv", parity_prompts=opts.parity_prompts,
            long_prompt_tokens=opts.long_prompt_tokens, max_context=8192, device=opts.device,
            exporter=opts.exporter, graph="native", opset=opts.opset, name=SELFTEST_NAME,
            model_version="0.0.0-selftest", score_tol=None, ort_provider="cpu")
        report = run_export(eopts, is_test=True, base_label="random tiny Gemma2Config (selftest, no weights)",
                            adapter_label=("random LoRA (selftest)" if tiny["adapter"] else None))
        report["tiny_model"] = {k: v for k, v in tiny.items() if k != "base"}
        ctx = report.pop("_ctx", None)
        code = report.pop("_exit")
        diags = {}
        if ctx is not None and not opts.no_diagnostics:
            diags = selftest_diagnostics(ctx, report, eopts, work, deadline=t_start + opts.diagnostics_budget_s)
        report["diagnostics"] = diags
    except BaseException as e:  # noqa: BLE001  (record why, whatever it was, then fail)
        if isinstance(e, KeyboardInterrupt):
            raise
        traceback.print_exc(file=sys.stdout)
        report.pop("_ctx", None)
        report.pop("_exit", None)
        report["ok"] = False
        report["error"] = f"selftest crashed: {type(e).__name__}: {str(e)[:3000]}"
        report.setdefault("versions", versions())
        code = 2
    report["seconds"] = round(time.time() - _T0, 1)
    write_json(os.path.join(out, "parity.json"), report)
    print_summary(report)
    log(f"selftest {'PASSED' if code == 0 else 'FAILED'} (exit {code}); report {os.path.join(out, 'parity.json')}")
    return code


def wrapper_vs_hf(model, tok, ids, n_prompts: int, long_tokens: int, max_context: int) -> Dict:
    """PyTorch only: the export wrapper against the Hugging Face forward (used for float16 on the GPU)."""
    import parity
    native_cls, _ = g2.make_wrapper_classes()
    wrapper = native_cls(model, with_past=False).eval()
    pos, neg = ids["labels"]["positive_token_id"], ids["labels"]["negative_token_id"]
    prompts = parity.make_prompts(tok, ids["tokenizer"]["bos_token_id"], n_prompts, long_tokens, max_context)
    rows = [parity.compare(parity.torch_reference(model, p["ids"]), parity.torch_wrapper(wrapper, p["ids"]), pos, neg)
            for p in prompts]
    summ = parity.summarize(rows)
    summ["tokens"] = [p["tokens"] for p in prompts]
    return summ


def selftest_diagnostics(ctx, report, eopts, work, deadline) -> Dict:
    """Non-gating: the other exporters, the experimental hf-call graph, float16, int4. Each isolated."""
    import torch
    model, tok, ids, device = ctx["model"], ctx["tok"], ctx["ids"], ctx["device"]
    used = {v.get("exporter") for v in (report.get("export") or {}).values()}
    diags: Dict = {}
    plans = []
    for ex in ("torchscript", "dynamo", "direct"):
        if ex not in used:
            plans.append((f"exporter_{ex}", dict(exporter=ex, graph="native", dtype="float32", quantize=None)))
    plans.append(("graph_hf_call", dict(exporter="auto", graph="hf", dtype="float32", quantize=None)))
    plans.append(("float16", dict(exporter=eopts.exporter, graph="native", dtype="float16", quantize=None)))
    plans.append(("int4", dict(exporter=eopts.exporter, graph="native", dtype="float32", quantize="int4")))
    for key, plan in plans:
        if time.time() > deadline:
            diags[key] = {"ok": None, "skipped": "diagnostics time budget spent"}
            continue
        log(f"diagnostic {key}: {plan}")
        d_out = os.path.join(work, "diag-" + key)
        try:
            m = model
            if plan["dtype"] == "float16":
                m = copy.deepcopy(model).half()
                m.eval()
            dopts = argparse.Namespace(**{**vars(eopts), **plan, "out": d_out,
                                          "parity_prompts": min(eopts.parity_prompts, 4)})
            ex = export_bundles(m, tok, ids, d_out, ["kv", "nokv"], dopts, True, plan["exporter"], plan["graph"],
                                "selftest", None)
            entry = {"ok": False, "export": {k: {kk: vv for kk, vv in v.items() if kk != "check"}
                                             for k, v in ex["export"].items()}}
            diags[key] = entry
            if plan["dtype"] == "float16":
                entry["wrapper_vs_hf_pytorch_fp16"] = wrapper_vs_hf(m, tok, ids, 3, eopts.long_prompt_tokens,
                                                                    eopts.max_context)
                log(f"diagnostic {key}: wrapper vs HF in PyTorch fp16: {entry['wrapper_vs_hf_pytorch_fp16']}")
            try:
                res = do_parity(m, tok, ids, ex["bundles"], dopts, device, ex["dtype"], plan["quantize"] == "int4",
                                with_wrapper=False)
            except Exception as e:  # noqa: BLE001  (e.g. no fp16 kernel in the CPU onnxruntime)
                traceback.print_exc(file=sys.stdout)
                entry["parity_error"] = f"{type(e).__name__}: {str(e)[:2000]}"
                log(f"diagnostic {key}: exported, but the ONNX Runtime parity run failed: {entry['parity_error'][:300]}")
                continue
            entry.update({"ok": res["ok"],
                          "variants": {k: {kk: vv for kk, vv in v.items() if kk != "rows"}
                                       for k, v in res["variants"].items()},
                          "kv_split": [{"id": r["id"], "vs_pytorch": r["vs_pytorch"]} for r in res.get("kv_split", [])],
                          "batch": {k: v.get("max_score_diff") for k, v in (res.get("batch") or {}).items()},
                          "failures": res["failures"]})
            log(f"diagnostic {key}: ok={res['ok']} failures={res['failures']}")
        except Exception as e:  # noqa: BLE001
            traceback.print_exc(file=sys.stdout)
            diags.setdefault(key, {})
            diags[key].update({"ok": False, "error": f"{type(e).__name__}: {str(e)[:2000]}"})
            log(f"diagnostic {key}: error {type(e).__name__}: {str(e)[:300]}")
        finally:
            shutil.rmtree(d_out, ignore_errors=True)
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    return diags


# ----------------------------------------------------------------------------------------------------------
# Bench
# ----------------------------------------------------------------------------------------------------------

def run_bench(opts) -> int:
    require_transformers()
    import torch
    from transformers import AutoModelForCausalLM
    device = resolve_device(opts.device)
    lengths = [int(x) for x in opts.lengths.split(",") if x]
    res: Dict = {"versions": versions(), "device": device, "model": opts.model, "lengths": lengths,
                 "iters": opts.iters, "pytorch": {}, "onnxruntime": {}}
    native_cls, _ = g2.make_wrapper_classes()
    for dname in opts.dtypes.split(","):
        model = _from_pretrained(AutoModelForCausalLM, opts.model, torch_dtype(dname), attn_implementation="eager")
        model.to(device).eval()
        wrapper = native_cls(model, with_past=False).eval()
        vocab = model.config.vocab_size
        for kind, fn in (("hf_eager_full_forward", lambda t: model(input_ids=t, use_cache=False).logits),
                         ("export_wrapper_last_token", lambda t: wrapper(
                             t, torch.ones_like(t), torch.arange(t.shape[1], device=t.device).unsqueeze(0).expand(t.shape[0], -1))[0])):
            for batch in (1, 8):
                for n in lengths:
                    if batch * n > 16384:
                        continue
                    t = torch.randint(3, vocab, (batch, n), device=device)
                    with torch.no_grad():
                        for _ in range(2):
                            fn(t)
                        if device == "cuda":
                            torch.cuda.synchronize()
                        times = []
                        for _ in range(opts.iters):
                            t0 = time.perf_counter()
                            fn(t)
                            if device == "cuda":
                                torch.cuda.synchronize()
                            times.append((time.perf_counter() - t0) * 1000)
                    times.sort()
                    res["pytorch"][f"{dname}/{kind}/b{batch}/s{n}"] = {
                        "p50_ms": round(times[len(times) // 2], 3), "min_ms": round(times[0], 3)}
        del model, wrapper
        if device == "cuda":
            torch.cuda.empty_cache()
    if opts.bundle:
        try:
            import numpy as np
            import onnxruntime as ort
            sess = ort.InferenceSession(os.path.join(opts.bundle, "model.onnx"), providers=["CPUExecutionProvider"])
            for n in lengths:
                a = np.random.randint(3, 100, size=(1, n)).astype(np.int64)
                feeds = {"input_ids": a, "attention_mask": np.ones_like(a),
                         "position_ids": np.arange(n, dtype=np.int64)[None, :]}
                sess.run(["logits"], feeds)
                times = []
                for _ in range(opts.iters):
                    t0 = time.perf_counter()
                    sess.run(["logits"], feeds)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                res["onnxruntime"][f"cpu/nokv/b1/s{n}"] = {"p50_ms": round(times[len(times) // 2], 3),
                                                            "min_ms": round(times[0], 3)}
        except Exception as e:  # noqa: BLE001
            res["onnxruntime"]["error"] = f"{type(e).__name__}: {e}"
    write_json(opts.out, res)
    print(json.dumps(jsonable(res), indent=2), flush=True)
    return 0


# ----------------------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------------------

def _common(p: argparse.ArgumentParser):
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"],
                   help="where PyTorch loads the model, traces the export and runs the reference (default auto)")
    p.add_argument("--exporter", default="auto", choices=["auto", "torchscript", "dynamo", "direct"],
                   help="auto = torch.onnx.export(dynamo=False), else dynamo=True, else the direct ONNX builder")
    p.add_argument("--opset", type=int, default=g2.DEFAULT_OPSET, help="ONNX opset (>= 17; default 17)")
    p.add_argument("--parity-prompts", type=int, default=8,
                   help="number of parity prompts, one of them longer than --long-prompt-tokens (0 = skip parity)")


def parse_args(argv: List[str]):
    mode = "export"
    if argv and argv[0] in ("export", "selftest", "bench"):
        mode, argv = argv[0], argv[1:]
    if mode == "export":
        p = argparse.ArgumentParser(prog="export_cope.py [export]", description=__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--base", required=True, help="base model: hub id (google/gemma-2-9b) or local directory")
        p.add_argument("--adapter", default=None, help="CoPE-A LoRA adapter: hub id or local directory")
        p.add_argument("--tokenizer", default=None, help="tokenizer source (default: --base)")
        p.add_argument("--out", required=True, help="output directory: <out>/kv, <out>/nokv, <out>/parity.json")
        p.add_argument("--dtype", default="float16", choices=["float16", "float32"])
        p.add_argument("--quantize", default=None, choices=["int4"],
                       help="weight-only int4 (onnxruntime MatMulNBits) of the exported graphs")
        p.add_argument("--int4-block-size", type=int, default=32)
        p.add_argument("--variants", default="kv,nokv", help="comma list of kv, nokv (one bundle each)")
        p.add_argument("--long-prompt-tokens", type=int, default=4600,
                       help="the long parity prompt has more tokens than this (must be > 4096)")
        p.add_argument("--max-context", type=int, default=8192)
        p.add_argument("--graph", default="native", choices=["native", "hf"],
                       help="native = explicit Gemma-2 wrapper (default); hf = trace model(...) (experimental)")
        p.add_argument("--name", default=DEFAULT_NAME)
        p.add_argument("--model-version", default=time.strftime("%Y.%m.0"))
        p.add_argument("--score-tol", type=float, default=None,
                       help="max |score diff| allowed (default 1e-3 float32, 2e-2 float16, none for int4)")
        p.add_argument("--ort-provider", default="auto", choices=["auto", "cpu", "cuda"])
        _common(p)
        opts = p.parse_args(argv)
        if opts.long_prompt_tokens <= 4096:
            p.error("--long-prompt-tokens must be > 4096 (the sliding window of Gemma-2)")
    elif mode == "selftest":
        p = argparse.ArgumentParser(prog="export_cope.py selftest")
        p.add_argument("--out", required=True)
        p.add_argument("--long-prompt-tokens", type=int, default=4300)
        p.add_argument("--no-diagnostics", action="store_true")
        p.add_argument("--diagnostics-budget-s", type=float, default=150.0)
        _common(p)
        p.set_defaults(parity_prompts=6)
        opts = p.parse_args(argv)
    else:
        p = argparse.ArgumentParser(prog="export_cope.py bench")
        p.add_argument("--model", required=True, help="Hugging Face model directory (e.g. <selftest>/work/base)")
        p.add_argument("--bundle", default=None, help="a nokv bundle to time with ONNX Runtime (CPU)")
        p.add_argument("--out", required=True, help="JSON file to write")
        p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
        p.add_argument("--dtypes", default="float32,float16")
        p.add_argument("--lengths", default="128,512,2048,4352")
        p.add_argument("--iters", type=int, default=10)
        opts = p.parse_args(argv)
    opts.mode = mode
    return opts


def main(argv=None) -> int:
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    if opts.mode == "selftest":
        return run_selftest(opts)
    if opts.mode == "bench":
        return run_bench(opts)
    report = run_export(opts)
    report.pop("_ctx", None)
    code = report.pop("_exit")
    print_summary(report)
    log(f"export {'OK' if code == 0 else 'FAILED'} (exit {code}); bundles in {opts.out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
