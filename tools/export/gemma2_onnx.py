"""Gemma-2 causal LM -> ONNX graph with the Hugging Face causal-LM contract of docs/model-bundle.md.

Three ways to produce the same graph (``--exporter``):

* ``torchscript`` -- ``torch.onnx.export(..., dynamo=False)`` of :class:`Gemma2ExportWrapper` (preferred);
* ``dynamo``      -- ``torch.onnx.export(..., dynamo=True)`` of the same wrapper (needs ``onnxscript``);
* ``direct``      -- :func:`build_direct_onnx` writes the same computation node by node with ``onnx.helper``
                     from the model's weights; no PyTorch exporter involved (the fallback when the installed
                     torch has no usable exporter).

Why a wrapper that re-states Gemma-2's forward pass instead of tracing ``model(...)`` itself: the Hugging Face
forward builds its masks and cache objects differently in every release (HybridCache in 4.42-4.4x, whose
sliding-window mask is only right without a past; ``masking_utils`` + layered ``DynamicCache`` from 4.5x, which
CROPS the sliding layers' cache to the window so ``present`` would no longer be ``past + seq`` long), and tracing
those Python-side shape computations bakes sequence lengths into the graph. The wrapper instead calls the model's
own modules (q/k/v/o projections, RMSNorms, MLP, embedding and LM-head weights, the rotary ``inv_freq``) and
writes attention explicitly with tensor-only shape logic, so it is independent of the transformers version.
The parity check then compares the exported graph against the UNMODIFIED Hugging Face forward pass (eager
attention), which is what proves the wrapper faithful. ``HFCallWrapper`` (which does trace ``model(...)``) is
kept as an experimental diagnostic (``--graph hf``).

Semantics kept from Gemma-2 (eager attention):
  * embeddings scaled by sqrt(hidden_size) cast to the model dtype;
  * RMSNorm in float32 with (1 + weight);
  * RoPE from ``position_ids`` in float32, then cast to the model dtype;
  * attention scores * query_pre_attn_scalar**-0.5, then soft-capping tanh(s / cap) * cap, then the additive
    mask (0 / finfo(dtype).min), softmax in float32;
  * sliding-window layers (even layer index, or ``config.layer_types``): key column j is visible to the query in
    column i only if i - j < sliding_window (the Hugging Face rule, counted in cache columns);
  * GeGLU-tanh MLP, post-attention and pre/post-feed-forward RMSNorms, final RMSNorm;
  * LM head on the LAST position only, then final-logit soft-capping.
The cache keeps the FULL past for every layer (global and sliding): ``present.N.*`` is ``past_seq + seq`` long.
"""
from __future__ import annotations

import dataclasses
import inspect
import math
import os
import shutil
from typing import List, Optional, Sequence, Tuple

import numpy as np

INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
POSITION_IDS = "position_ids"
LOGITS = "logits"
PAST_KEY = "past_key_values.%d.key"
PAST_VALUE = "past_key_values.%d.value"
PRESENT_KEY = "present.%d.key"
PRESENT_VALUE = "present.%d.value"

DEFAULT_OPSET = 17
# Above this many bytes of weights the graph is saved as model.onnx + model.onnx.data (protobuf's 2 GiB limit).
EXTERNAL_DATA_THRESHOLD = 1_500_000_000


def io_names(num_layers: int, with_past: bool) -> Tuple[List[str], List[str]]:
    """Graph input and output names in order, exactly as the bundle manifest declares them."""
    inputs = [INPUT_IDS, ATTENTION_MASK, POSITION_IDS]
    outputs = [LOGITS]
    if with_past:
        for i in range(num_layers):
            inputs += [PAST_KEY % i, PAST_VALUE % i]
            outputs += [PRESENT_KEY % i, PRESENT_VALUE % i]
    return inputs, outputs


def dynamic_axes(num_layers: int, with_past: bool) -> dict:
    axes = {
        INPUT_IDS: {0: "batch", 1: "seq"},
        ATTENTION_MASK: {0: "batch", 1: "total_seq"},
        POSITION_IDS: {0: "batch", 1: "seq"},
        LOGITS: {0: "batch"},
    }
    if with_past:
        for i in range(num_layers):
            axes[PAST_KEY % i] = {0: "batch", 2: "past_seq"}
            axes[PAST_VALUE % i] = {0: "batch", 2: "past_seq"}
            axes[PRESENT_KEY % i] = {0: "batch", 2: "total_seq"}
            axes[PRESENT_VALUE % i] = {0: "batch", 2: "total_seq"}
    return axes


# ----------------------------------------------------------------------------------------------------------
# Architecture numbers, read from the loaded model (config + modules)
# ----------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Gemma2Arch:
    num_layers: int
    hidden_size: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    vocab_size: int
    sliding_window: Optional[int]
    layer_is_sliding: List[bool]
    attn_logit_softcapping: Optional[float]
    final_logit_softcapping: Optional[float]
    query_pre_attn_scalar: float
    rms_norm_eps: float
    max_position_embeddings: int
    hidden_activation: str
    rope_attention_scaling: float
    tied_lm_head: bool

    @property
    def scaling(self) -> float:
        return float(self.query_pre_attn_scalar) ** -0.5

    @property
    def rep(self) -> int:
        return self.num_heads // self.num_kv_heads

    @classmethod
    def from_model(cls, hf_model) -> "Gemma2Arch":
        cfg = hf_model.config
        inner = hf_model.model
        n_layers = int(cfg.num_hidden_layers)
        n_heads = int(cfg.num_attention_heads)
        head_dim = int(getattr(cfg, "head_dim", None) or cfg.hidden_size // n_heads)
        window = getattr(cfg, "sliding_window", None)
        sliding = []
        layer_types = getattr(cfg, "layer_types", None)
        for i, layer in enumerate(inner.layers):
            attn = layer.self_attn
            if hasattr(attn, "sliding_window"):          # what the module itself uses (4.42 .. 5.x)
                sliding.append(attn.sliding_window is not None)
            elif layer_types:
                sliding.append(layer_types[i] == "sliding_attention")
            else:                                         # Gemma-2 rule: even layers slide
                sliding.append(i % 2 == 0)
        if window is None:
            sliding = [False] * n_layers
        rotary = find_rotary(hf_model)
        act = getattr(cfg, "hidden_activation", None) or getattr(cfg, "hidden_act", None) or "gelu_pytorch_tanh"
        emb = inner.embed_tokens.weight
        lm = hf_model.lm_head.weight
        tied = lm is emb or (lm.shape == emb.shape and lm.data_ptr() == emb.data_ptr())
        return cls(
            num_layers=n_layers,
            hidden_size=int(cfg.hidden_size),
            intermediate_size=int(cfg.intermediate_size),
            num_heads=n_heads,
            num_kv_heads=int(cfg.num_key_value_heads),
            head_dim=head_dim,
            vocab_size=int(cfg.vocab_size),
            sliding_window=int(window) if window is not None else None,
            layer_is_sliding=sliding,
            attn_logit_softcapping=_opt_float(getattr(cfg, "attn_logit_softcapping", None)),
            final_logit_softcapping=_opt_float(getattr(cfg, "final_logit_softcapping", None)),
            query_pre_attn_scalar=float(getattr(cfg, "query_pre_attn_scalar", None) or head_dim),
            rms_norm_eps=float(cfg.rms_norm_eps),
            max_position_embeddings=int(getattr(cfg, "max_position_embeddings", 8192)),
            hidden_activation=str(act),
            rope_attention_scaling=float(getattr(rotary, "attention_scaling", 1.0) or 1.0),
            tied_lm_head=bool(tied),
        )


def _opt_float(x):
    return None if x is None else float(x)


def find_rotary(hf_model):
    """The rotary-embedding module: model.model.rotary_emb (>= 4.45) or layers[0].self_attn.rotary_emb (4.42-4.44)."""
    inner = hf_model.model
    rotary = getattr(inner, "rotary_emb", None)
    if rotary is None:
        rotary = getattr(inner.layers[0].self_attn, "rotary_emb", None)
    if rotary is None or not hasattr(rotary, "inv_freq"):
        raise RuntimeError("cannot find the rotary embedding (inv_freq) of this Gemma-2 model")
    rope_type = getattr(rotary, "rope_type", "default")
    if rope_type not in ("default", None):
        raise RuntimeError(f"rope_type {rope_type!r} is not supported by this exporter (Gemma-2 uses 'default')")
    return rotary


def inv_freq_f32(hf_model):
    import torch
    return find_rotary(hf_model).inv_freq.detach().to(torch.float32)


# ----------------------------------------------------------------------------------------------------------
# PyTorch wrappers (traced by torch.onnx.export)
# ----------------------------------------------------------------------------------------------------------

def _torch():
    import torch
    return torch


def make_wrapper_classes():
    """Define the nn.Module wrappers lazily so this file imports without torch (py_compile, --help)."""
    torch = _torch()
    F = torch.nn.functional

    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    class Gemma2ExportWrapper(torch.nn.Module):
        """input_ids, attention_mask, position_ids[, past k/v ...] -> last-token logits[, present k/v ...]."""

        def __init__(self, hf_model, with_past: bool):
            super().__init__()
            self.hf = hf_model
            self.arch = Gemma2Arch.from_model(hf_model)
            self.with_past = with_past
            emb = hf_model.model.embed_tokens.weight
            self.register_buffer("inv_freq", inv_freq_f32(hf_model).to(emb.device), persistent=False)
            self.register_buffer("normalizer", torch.tensor(self.arch.hidden_size ** 0.5, dtype=emb.dtype,
                                                            device=emb.device), persistent=False)

        def forward(self, input_ids, attention_mask, position_ids, *past):
            a = self.arch
            inner = self.hf.model
            emb_w = inner.embed_tokens.weight
            dtype = emb_w.dtype
            kvh, rep, hd = a.num_kv_heads, a.rep, a.head_dim

            h = F.embedding(input_ids, emb_w) * self.normalizer

            # RoPE in float32 from position_ids (as Gemma2RotaryEmbedding does), cast to the model dtype.
            freqs = position_ids.to(torch.float32).unsqueeze(-1) * self.inv_freq          # [B,S,hd/2]
            emb = torch.cat((freqs, freqs), dim=-1)
            cos, sin = emb.cos(), emb.sin()
            if a.rope_attention_scaling != 1.0:
                cos, sin = cos * a.rope_attention_scaling, sin * a.rope_attention_scaling
            cos4 = cos.to(dtype).unsqueeze(1)                                              # [B,1,S,hd]
            sin4 = sin.to(dtype).unsqueeze(1)
            cos5, sin5 = cos4.unsqueeze(1), sin4.unsqueeze(1)                              # [B,1,1,S,hd]

            # Masks from tensor ops only (no Python ints from shapes): column positions of queries and keys.
            ones_q = torch.ones_like(input_ids)
            ones_kv = torch.ones_like(attention_mask)
            past_len = ones_kv.sum(dim=1, keepdim=True) - ones_q.sum(dim=1, keepdim=True)  # [B,1]
            q_pos = (torch.cumsum(ones_q, dim=1) - 1 + past_len).unsqueeze(2)             # [B,S,1]
            k_pos = (torch.cumsum(ones_kv, dim=1) - 1).unsqueeze(1)                        # [B,1,T]
            allowed = (k_pos <= q_pos) & (attention_mask.unsqueeze(1) != 0)                # [B,S,T]
            zero = torch.zeros((), dtype=dtype, device=h.device)
            neg = torch.full((), torch.finfo(dtype).min, dtype=dtype, device=h.device)
            full_mask = torch.where(allowed, zero, neg).unsqueeze(1).unsqueeze(1)         # [B,1,1,S,T]
            slide_mask = full_mask
            if any(a.layer_is_sliding):
                in_window = k_pos > (q_pos - a.sliding_window)
                slide_mask = torch.where(allowed & in_window, zero, neg).unsqueeze(1).unsqueeze(1)

            presents = []
            for i, layer in enumerate(inner.layers):
                attn = layer.self_attn
                residual = h
                x = layer.input_layernorm(h)
                q = attn.q_proj(x)
                k = attn.k_proj(x)
                v = attn.v_proj(x)
                # query head j = kv_head * rep + r (the grouping of repeat_kv); no K/V repetition needed:
                q = q.view(q.shape[0], q.shape[1], kvh, rep, hd).permute(0, 2, 3, 1, 4)   # [B,KV,rep,S,hd]
                k = k.view(k.shape[0], k.shape[1], kvh, hd).transpose(1, 2)                # [B,KV,S,hd]
                v = v.view(v.shape[0], v.shape[1], kvh, hd).transpose(1, 2)
                q = q * cos5 + rotate_half(q) * sin5
                k = k * cos4 + rotate_half(k) * sin4
                if self.with_past:
                    k = torch.cat((past[2 * i], k), dim=2)
                    v = torch.cat((past[2 * i + 1], v), dim=2)
                    presents += [k, v]
                scores = torch.matmul(q, k.unsqueeze(2).transpose(3, 4)) * a.scaling       # [B,KV,rep,S,T]
                if a.attn_logit_softcapping is not None:
                    scores = scores / a.attn_logit_softcapping
                    scores = torch.tanh(scores)
                    scores = scores * a.attn_logit_softcapping
                scores = scores + (slide_mask if a.layer_is_sliding[i] else full_mask)
                probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(dtype)
                out = torch.matmul(probs, v.unsqueeze(2))                                  # [B,KV,rep,S,hd]
                out = out.permute(0, 3, 1, 2, 4)
                out = out.reshape(out.shape[0], out.shape[1], kvh * rep * hd)
                out = attn.o_proj(out)
                h = residual + layer.post_attention_layernorm(out)
                residual = h
                x = layer.pre_feedforward_layernorm(h)
                x = layer.mlp(x)
                h = residual + layer.post_feedforward_layernorm(x)

            h = h[:, -1:, :]                       # last position only (left padding keeps it a real token)
            h = inner.norm(h)
            logits = F.linear(h, self.hf.lm_head.weight)
            if a.final_logit_softcapping is not None:
                logits = logits / a.final_logit_softcapping
                logits = torch.tanh(logits)
                logits = logits * a.final_logit_softcapping
            return (logits, *presents)

    class HFCallWrapper(torch.nn.Module):
        """EXPERIMENTAL: traces the Hugging Face forward itself (model(...) with a DynamicCache past).

        Kept as a diagnostic (``--graph hf``): with transformers 4.42-4.4x the sliding-window mask is wrong once a
        past is present, and in 5.x the model's cache crops sliding layers; the parity check will say which.
        """

        def __init__(self, hf_model, with_past: bool):
            super().__init__()
            self.hf = hf_model
            self.arch = Gemma2Arch.from_model(hf_model)
            self.with_past = with_past
            params = inspect.signature(hf_model.forward).parameters
            self.keep_kw = next((n for n in ("logits_to_keep", "num_logits_to_keep") if n in params), None)

        def forward(self, input_ids, attention_mask, position_ids, *past):
            kwargs = dict(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                          return_dict=True)
            if self.keep_kw:
                kwargs[self.keep_kw] = 1
            if self.with_past:
                kwargs["past_key_values"] = make_dynamic_cache(past, self.arch.num_layers)
                kwargs["use_cache"] = True
            else:
                kwargs["use_cache"] = False
            out = self.hf(**kwargs)
            logits = out.logits[:, -1:, :]
            presents = []
            if self.with_past:
                for i in range(self.arch.num_layers):
                    presents += list(cache_layer_kv(out.past_key_values, i))
            return (logits, *presents)

    return Gemma2ExportWrapper, HFCallWrapper


def make_dynamic_cache(past: Sequence, num_layers: int):
    """A DynamicCache holding the given per-layer (key, value) tensors; works from 4.42 to 5.x."""
    from transformers import DynamicCache
    cache = DynamicCache()
    for i in range(num_layers):
        cache.update(past[2 * i], past[2 * i + 1], i)
    return cache


def cache_layer_kv(cache, i: int):
    if hasattr(cache, "layers"):                    # transformers >= 4.54: cache.layers[i].keys/values
        layer = cache.layers[i]
        return layer.keys, layer.values
    if hasattr(cache, "key_cache"):                 # 4.36 .. 4.53
        return cache.key_cache[i], cache.value_cache[i]
    return cache[i][0], cache[i][1]                 # legacy tuple of tuples


def dummy_inputs(arch: Gemma2Arch, with_past: bool, dtype, device, batch=2, seq=5, past_seq=7):
    """Example inputs for tracing: distinct, non-1 sizes so no dimension is specialised by accident."""
    torch = _torch()
    g = torch.Generator().manual_seed(0)
    total = seq + (past_seq if with_past else 0)
    ids = torch.randint(3, arch.vocab_size, (batch, seq), generator=g).to(device)
    mask = torch.ones((batch, total), dtype=torch.int64, device=device)
    pos = (torch.arange(seq, dtype=torch.int64) + (total - seq)).unsqueeze(0).repeat(batch, 1).to(device)
    args = [ids, mask, pos]
    if with_past:
        for _ in range(arch.num_layers):
            for _kv in range(2):
                args.append((torch.randn(batch, arch.num_kv_heads, past_seq, arch.head_dim, generator=g) * 0.5)
                            .to(dtype).to(device))
    return args


# ----------------------------------------------------------------------------------------------------------
# Exporters
# ----------------------------------------------------------------------------------------------------------

def export_torchscript(module, args, path, num_layers, with_past, opset=DEFAULT_OPSET):
    torch = _torch()
    inputs, outputs = io_names(num_layers, with_past)
    kw = dict(input_names=inputs, output_names=outputs, dynamic_axes=dynamic_axes(num_layers, with_past),
              opset_version=opset, do_constant_folding=True, export_params=True)
    params = inspect.signature(torch.onnx.export).parameters
    if "dynamo" in params:
        kw["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(module, tuple(args), path, **kw)
    return {"exporter": "torchscript", "opset": opset, "dynamo_kw": "dynamo" in params}


def export_dynamo(module, args, path, num_layers, with_past, opset=18):
    torch = _torch()
    params = inspect.signature(torch.onnx.export).parameters
    if "dynamo" not in params:
        raise RuntimeError(f"torch {torch.__version__} has no dynamo ONNX exporter")
    import onnxscript  # noqa: F401  (the dynamo exporter needs it; fail early with a clear ImportError)
    dim = torch.export.Dim
    dyn = getattr(dim, "DYNAMIC", None) or getattr(dim, "AUTO", None)
    if dyn is None:
        raise RuntimeError("torch.export.Dim has neither DYNAMIC nor AUTO (torch too old for this fallback)")
    inputs, outputs = io_names(num_layers, with_past)
    shapes = {"input_ids": {0: dyn, 1: dyn}, "attention_mask": {0: dyn, 1: dyn}, "position_ids": {0: dyn, 1: dyn},
              "past": tuple({0: dyn, 2: dyn} for _ in range(2 * num_layers)) if with_past else ()}
    kw = dict(input_names=inputs, output_names=outputs, dynamic_shapes=shapes, opset_version=opset, dynamo=True)
    if "external_data" in params:
        kw["external_data"] = True
    with torch.no_grad():
        torch.onnx.export(module, tuple(args), path, **kw)
    return {"exporter": "dynamo", "opset": opset}


def torch_exporters_available() -> dict:
    """What this torch offers, for the log and the auto choice."""
    torch = _torch()
    params = inspect.signature(torch.onnx.export).parameters
    info = {"torch": torch.__version__, "has_dynamo_kw": "dynamo" in params}
    try:
        import onnxscript  # noqa: F401
        info["onnxscript"] = getattr(onnxscript, "__version__", "?")
    except Exception:  # noqa: BLE001
        info["onnxscript"] = None
    return info


# ----------------------------------------------------------------------------------------------------------
# Direct ONNX builder (no PyTorch exporter)
# ----------------------------------------------------------------------------------------------------------

def build_direct_onnx(hf_model, with_past: bool, opset: int = DEFAULT_OPSET):
    """The same graph as Gemma2ExportWrapper, written node by node. Returns an onnx.ModelProto."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    torch = _torch()

    arch = Gemma2Arch.from_model(hf_model)
    if arch.hidden_activation not in ("gelu_pytorch_tanh", "gelu_tanh"):
        raise RuntimeError(f"direct builder supports the GeGLU-tanh MLP only, not {arch.hidden_activation!r}")
    inner = hf_model.model
    emb_t = inner.embed_tokens.weight
    if emb_t.dtype not in (torch.float16, torch.float32):
        raise RuntimeError(f"direct builder supports float16/float32 weights, not {emb_t.dtype}")
    fp16 = emb_t.dtype == torch.float16
    np_dt = np.float16 if fp16 else np.float32
    onnx_dt = TensorProto.FLOAT16 if fp16 else TensorProto.FLOAT
    kvh, rep, hd, hid = arch.num_kv_heads, arch.rep, arch.head_dim, arch.hidden_size

    nodes, inits = [], []
    counter = [0]

    def fresh(prefix):
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(value, dtype=None, name=None):
        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
        t = numpy_helper.from_array(arr, name or fresh("c"))
        inits.append(t)
        return t.name

    def weight(tensor, name, transpose=False):
        arr = tensor.detach().to("cpu")
        if transpose:
            arr = arr.t()
        arr = np.ascontiguousarray(arr.numpy())
        t = numpy_helper.from_array(arr, name)
        inits.append(t)
        return name

    def op(op_type, inputs, name_hint=None, outputs=1, **attrs):
        outs = [fresh(name_hint or op_type.lower()) for _ in range(outputs)]
        nodes.append(helper.make_node(op_type, list(inputs), outs, name=fresh("n_" + op_type), **attrs))
        return outs[0] if outputs == 1 else outs

    def i64(values):
        return const(np.array(values, dtype=np.int64))

    def unsqueeze(x, axes):
        return op("Unsqueeze", [x, i64(axes)])

    def cast(x, to):
        return op("Cast", [x], to=to)

    F32 = TensorProto.FLOAT

    def rms_norm(x, module, prefix):
        w = (1.0 + module.weight.detach().to("cpu", torch.float32)).numpy()
        eps = float(getattr(module, "eps", getattr(module, "variance_epsilon", arch.rms_norm_eps)))
        xf = cast(x, F32) if fp16 else x
        ms = op("ReduceMean", [op("Mul", [xf, xf])], axes=[-1], keepdims=1)
        r = op("Reciprocal", [op("Sqrt", [op("Add", [ms, const(np.float32(eps))])])])
        y = op("Mul", [op("Mul", [xf, r]), const(w.astype(np.float32), name=prefix + ".weight_plus_one")])
        return cast(y, onnx_dt) if fp16 else y

    def linear(x, module, name):
        if getattr(module, "bias", None) is not None:
            raise RuntimeError(f"{name}: biased projections are not part of Gemma-2")
        return op("MatMul", [x, weight(module.weight, name + ".weight_t", transpose=True)])

    def rope(x, cos, sin):
        half = hd // 2
        x1 = op("Slice", [x, i64([0]), i64([half]), i64([-1])])
        x2 = op("Slice", [x, i64([half]), i64([hd]), i64([-1])])
        rot = op("Concat", [op("Neg", [x2]), x1], axis=-1)
        return op("Add", [op("Mul", [x, cos]), op("Mul", [rot, sin])])

    def softcap(x, cap, dt):
        c = const(np.array(cap, dtype=dt))
        return op("Mul", [op("Tanh", [op("Div", [x, c])]), c])

    inputs_vi = [
        helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info(ATTENTION_MASK, TensorProto.INT64, ["batch", "total_seq"]),
        helper.make_tensor_value_info(POSITION_IDS, TensorProto.INT64, ["batch", "seq"]),
    ]
    outputs_vi = [helper.make_tensor_value_info(LOGITS, onnx_dt, ["batch", 1, arch.vocab_size])]
    if with_past:
        for i in range(arch.num_layers):
            for nm in (PAST_KEY % i, PAST_VALUE % i):
                inputs_vi.append(helper.make_tensor_value_info(nm, onnx_dt, ["batch", kvh, "past_seq", hd]))
            for nm in (PRESENT_KEY % i, PRESENT_VALUE % i):
                outputs_vi.append(helper.make_tensor_value_info(nm, onnx_dt, ["batch", kvh, "total_seq", hd]))

    # embeddings * sqrt(hidden) (the normalizer is rounded to the model dtype, as in Hugging Face)
    emb_name = weight(emb_t, "model.embed_tokens.weight")
    h = op("Mul", [op("Gather", [emb_name, INPUT_IDS], axis=0), const(np.array(hid ** 0.5, dtype=np_dt))])

    # RoPE tables
    inv = inv_freq_f32(hf_model).cpu().numpy().astype(np.float32)
    freqs = op("Mul", [unsqueeze(cast(POSITION_IDS, F32), [-1]), const(inv, name="rotary.inv_freq")])
    embf = op("Concat", [freqs, freqs], axis=-1)
    cos, sin = op("Cos", [embf]), op("Sin", [embf])
    if arch.rope_attention_scaling != 1.0:
        s = const(np.float32(arch.rope_attention_scaling))
        cos, sin = op("Mul", [cos, s]), op("Mul", [sin, s])
    if fp16:
        cos, sin = cast(cos, onnx_dt), cast(sin, onnx_dt)
    cos4, sin4 = unsqueeze(cos, [1]), unsqueeze(sin, [1])                 # [B,1,S,hd]
    cos5, sin5 = unsqueeze(cos4, [1]), unsqueeze(sin4, [1])               # [B,1,1,S,hd]

    # masks: query columns past..total-1, key columns 0..total-1
    zero_i = const(np.array(0, dtype=np.int64))
    one_i = const(np.array(1, dtype=np.int64))
    seq_len = op("Gather", [op("Shape", [INPUT_IDS]), one_i], axis=0)
    total_len = op("Gather", [op("Shape", [ATTENTION_MASK]), one_i], axis=0)
    k_pos = op("Range", [zero_i, total_len, one_i])                         # [T]
    q_pos = op("Range", [op("Sub", [total_len, seq_len]), total_len, one_i])  # [S]
    k_row = unsqueeze(k_pos, [0])                                          # [1,T]
    q_col = unsqueeze(q_pos, [1])                                          # [S,1]
    causal = op("LessOrEqual", [k_row, q_col])                             # [S,T]
    not_pad = unsqueeze(cast(ATTENTION_MASK, TensorProto.BOOL), [1])       # [B,1,T]
    allowed = op("And", [causal, not_pad])                                 # [B,S,T]
    zero_f = const(np.array(0, dtype=np_dt))
    neg_f = const(np.array(np.finfo(np_dt).min, dtype=np_dt))
    full_mask = unsqueeze(op("Where", [allowed, zero_f, neg_f]), [1, 2])   # [B,1,1,S,T]
    slide_mask = full_mask
    if any(arch.layer_is_sliding):
        lo = op("Sub", [q_col, const(np.array(arch.sliding_window, dtype=np.int64))])
        in_win = op("Greater", [k_row, lo])
        slide_mask = unsqueeze(op("Where", [op("And", [allowed, in_win]), zero_f, neg_f]), [1, 2])

    scaling = const(np.array(arch.scaling, dtype=np_dt))
    q_shape = i64([0, 0, kvh, rep, hd])
    kv_shape = i64([0, 0, kvh, hd])
    merge_shape = i64([0, 0, kvh * rep * hd])
    gelu_c = math.sqrt(2.0 / math.pi)

    for i, layer in enumerate(inner.layers):
        attn = layer.self_attn
        p = f"model.layers.{i}"
        x = rms_norm(h, layer.input_layernorm, p + ".input_layernorm")
        q = op("Transpose", [op("Reshape", [linear(x, attn.q_proj, p + ".q_proj"), q_shape])], perm=[0, 2, 3, 1, 4])
        k = op("Transpose", [op("Reshape", [linear(x, attn.k_proj, p + ".k_proj"), kv_shape])], perm=[0, 2, 1, 3])
        v = op("Transpose", [op("Reshape", [linear(x, attn.v_proj, p + ".v_proj"), kv_shape])], perm=[0, 2, 1, 3])
        q = rope(q, cos5, sin5)
        k = rope(k, cos4, sin4)
        if with_past:
            k = op("Concat", [PAST_KEY % i, k], axis=2)
            v = op("Concat", [PAST_VALUE % i, v], axis=2)
            nodes.append(helper.make_node("Identity", [k], [PRESENT_KEY % i], name=f"present_key_{i}"))
            nodes.append(helper.make_node("Identity", [v], [PRESENT_VALUE % i], name=f"present_value_{i}"))
        kt = op("Transpose", [unsqueeze(k, [2])], perm=[0, 1, 2, 4, 3])  # [B,KV,1,hd,T]
        scores = op("Mul", [op("MatMul", [q, kt]), scaling])              # [B,KV,rep,S,T]
        if arch.attn_logit_softcapping is not None:
            scores = softcap(scores, arch.attn_logit_softcapping, np_dt)
        scores = op("Add", [scores, slide_mask if arch.layer_is_sliding[i] else full_mask])
        probs = op("Softmax", [cast(scores, F32) if fp16 else scores], axis=-1)
        if fp16:
            probs = cast(probs, onnx_dt)
        out = op("MatMul", [probs, unsqueeze(v, [2])])                     # [B,KV,rep,S,hd]
        out = op("Reshape", [op("Transpose", [out], perm=[0, 3, 1, 2, 4]), merge_shape])
        out = linear(out, attn.o_proj, p + ".o_proj")
        h = op("Add", [h, rms_norm(out, layer.post_attention_layernorm, p + ".post_attention_layernorm")])

        x = rms_norm(h, layer.pre_feedforward_layernorm, p + ".pre_feedforward_layernorm")
        mlp = layer.mlp
        g = linear(x, mlp.gate_proj, p + ".mlp.gate_proj")
        u = linear(x, mlp.up_proj, p + ".mlp.up_proj")
        gf = cast(g, F32) if fp16 else g           # GELU(tanh) in float32 like PyTorch's opmath, then back
        cube = op("Mul", [op("Mul", [gf, gf]), gf])
        inner_t = op("Mul", [op("Add", [gf, op("Mul", [cube, const(np.float32(0.044715))])]),
                             const(np.float32(gelu_c))])
        act = op("Mul", [op("Mul", [gf, const(np.float32(0.5))]),
                         op("Add", [const(np.float32(1.0)), op("Tanh", [inner_t])])])
        if fp16:
            act = cast(act, onnx_dt)
        x = linear(op("Mul", [act, u]), mlp.down_proj, p + ".mlp.down_proj")
        h = op("Add", [h, rms_norm(x, layer.post_feedforward_layernorm, p + ".post_feedforward_layernorm")])

    last = op("Slice", [h, i64([-1]), i64([np.iinfo(np.int64).max]), i64([1])])   # [B,1,hidden]
    last = rms_norm(last, inner.norm, "model.norm")
    if arch.tied_lm_head:
        flat = op("Reshape", [last, i64([-1, hid])])
        logits = unsqueeze(op("Gemm", [flat, emb_name], transB=1), [1])             # [B,1,V]
    else:
        logits = op("MatMul", [last, weight(hf_model.lm_head.weight, "lm_head.weight_t", transpose=True)])
    if arch.final_logit_softcapping is not None:
        logits = softcap(logits, arch.final_logit_softcapping, np_dt)
    nodes.append(helper.make_node("Identity", [logits], [LOGITS], name="logits_out"))

    graph = helper.make_graph(nodes, "cope_gemma2", inputs_vi, outputs_vi, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="cope tools/export direct builder")
    model.ir_version = 8
    return model


# ----------------------------------------------------------------------------------------------------------
# Saving, checking, quantizing
# ----------------------------------------------------------------------------------------------------------

def _weights_bytes(model) -> int:
    total = 0
    for t in model.graph.initializer:
        total += len(t.raw_data) if t.raw_data else 0
    return total


def save_bundle_graph(model, bundle_dir: str, force_external: Optional[bool] = None) -> List[str]:
    """Write model.onnx (+ model.onnx.data when large). Returns the files written."""
    import onnx
    path = os.path.join(bundle_dir, "model.onnx")
    data = os.path.join(bundle_dir, "model.onnx.data")
    for p in (path, data):
        if os.path.exists(p):
            os.remove(p)
    external = force_external if force_external is not None else _weights_bytes(model) > EXTERNAL_DATA_THRESHOLD
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
        return [path, data]
    onnx.save_model(model, path)
    return [path]


def load_exported(path: str):
    """Load what an exporter wrote (its external-data files, however many, are read in)."""
    import onnx
    return onnx.load(path, load_external_data=True)


def rename_io(model, expected_inputs: List[str], expected_outputs: List[str]) -> List[str]:
    """Rename graph inputs/outputs by position when an exporter named them differently. Returns renames."""
    renames = {}
    graph_inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    if len(graph_inputs) != len(expected_inputs) or len(model.graph.output) != len(expected_outputs):
        raise RuntimeError(f"graph has {len(graph_inputs)} inputs / {len(model.graph.output)} outputs, expected "
                           f"{len(expected_inputs)} / {len(expected_outputs)}")
    for vi, want in list(zip(graph_inputs, expected_inputs)) + list(zip(model.graph.output, expected_outputs)):
        if vi.name != want:
            renames[vi.name] = want
    if not renames:
        return []
    for node in model.graph.node:
        for k, n in enumerate(node.input):
            if n in renames:
                node.input[k] = renames[n]
        for k, n in enumerate(node.output):
            if n in renames:
                node.output[k] = renames[n]
    for vi in list(model.graph.input) + list(model.graph.output) + list(model.graph.value_info):
        if vi.name in renames:
            vi.name = renames[vi.name]
    return [f"{a}->{b}" for a, b in renames.items()]


def check_graph(path: str, num_layers: int, with_past: bool) -> dict:
    """onnx.checker on the saved file, and the exact input/output names of the contract."""
    import onnx
    onnx.checker.check_model(path)
    m = onnx.load(path, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    got_in = [i.name for i in m.graph.input if i.name not in inits]
    got_out = [o.name for o in m.graph.output]
    want_in, want_out = io_names(num_layers, with_past)
    if got_in != want_in or got_out != want_out:
        raise RuntimeError(f"graph I/O names differ from the contract:\n inputs  {got_in}\n outputs {got_out}")
    ops = sorted({n.op_type for n in m.graph.node})
    return {"inputs": len(got_in), "outputs": len(got_out), "nodes": len(m.graph.node), "op_types": ops,
            "opset": [f"{o.domain or 'ai.onnx'}:{o.version}" for o in m.opset_import]}


def quantize_int4(bundle_dir: str, block_size: int = 32, symmetric: bool = True) -> dict:
    """Weight-only int4 (MatMulNBits) of every MatMul with a constant weight, in place in the bundle."""
    import onnx
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer as Quantizer
    except ImportError:
        try:
            from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer as Quantizer
        except ImportError as e:
            raise RuntimeError(
                "int4 quantization needs onnxruntime >= 1.16 with onnxruntime.quantization "
                "(MatMulNBitsQuantizer / MatMul4BitsQuantizer); install `onnxruntime` or `onnxruntime-gpu` "
                f"in this Python: {e}") from e
    path = os.path.join(bundle_dir, "model.onnx")
    model = onnx.load(path, load_external_data=True)
    before = _weights_bytes(model)
    q = Quantizer(model, block_size=block_size, is_symmetric=symmetric)
    q.process()
    qmodel = q.model.model if hasattr(q.model, "model") else q.model
    n_nbits = sum(1 for n in qmodel.graph.node if n.op_type == "MatMulNBits")
    if n_nbits == 0:
        raise RuntimeError("int4 quantizer replaced no MatMul (no MatMulNBits node in the result)")
    files = save_bundle_graph(qmodel, bundle_dir)
    return {"quantizer": Quantizer.__name__, "block_size": block_size, "symmetric": symmetric,
            "matmulnbits_nodes": n_nbits, "weights_bytes_before": before,
            "files": [os.path.basename(f) for f in files]}


def clean_dir(path: str):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)
