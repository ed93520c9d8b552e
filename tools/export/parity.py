"""Parity of an exported bundle against the PyTorch (Hugging Face, eager) model.

Every prompt is built with the CoPE-A template, encoded WITHOUT the tokenizer's special tokens, with ``<bos>``
prepended and nothing appended -- exactly what inference-service does. The score is
``p = softmax([logit("1"), logit("0")])[0]`` at the last position; the label is ``p >= 0.5``.

Checks (all recorded in parity.json):
  reference      Hugging Face forward (no cache) -> last-token logits, per prompt (batch 1)
  wrapper        the export wrapper run in PyTorch vs that reference (isolates wrapper vs exporter errors)
  ort            each bundle in ONNX Runtime vs the reference: label agreement (must be 100%),
                 max |score diff|, max |logit diff| over the whole vocabulary
  kv_split       kv bundle: policy prefix pass, then content suffix with the past == one full pass
                 (ONNX nokv and PyTorch), on the long prompt (prefix > 4,096 tokens) and a short one
  batch          left-padded batch (attention_mask 0 on pads, position_ids = cumsum(mask) - 1) == each row alone
"""
from __future__ import annotations

import math
import time
from typing import Dict, List, Optional

import numpy as np

import cope_template
from gemma2_onnx import (ATTENTION_MASK, INPUT_IDS, LOGITS, PAST_KEY, PAST_VALUE, POSITION_IDS, PRESENT_KEY,
                         PRESENT_VALUE)

POLICIES = [
    ("spam", "Overview\nThis policy flags commercial spam.\n\nDefinition of Labels\n"
             "SPAM: unsolicited commercial offers, links to buy followers, fake giveaways.\n"
             "Includes: \"claim your prize\" messages. Excludes: personal product opinions."),
    ("pii", "Overview\nThis policy flags requests for or disclosure of personal information.\n\n"
            "Definition of Labels\nPII: asking for passwords, bank details, home addresses or phone numbers,"
            " or posting them about another person. Excludes: a user sharing their own public business email."),
    ("threat", "Overview\nThis policy flags threats.\n\nDefinition of Labels\nTHREAT: a statement of intent to"
               " harm a person or group. Excludes: hyperbole about objects, fiction clearly marked as such."),
]
CONTENTS = [
    "Buy cheap followers now!!! Click the link to claim your free prize before it expires today.",
    "Hello everyone, the meeting is moved to Tuesday afternoon. Please bring the quarterly report.",
    "Send me your password and bank account number so I can release the payment {today}.",
    "I think the new phone is great, the battery lasts all day.",
    "If you post that again I will find where you live.",
]
LONG_CLAUSE = ("Clause {n}. Content that advertises a product, service or giveaway that the recipient did not "
               "ask for, including shortened links, coupon codes and repeated identical posts, counts as spam "
               "under label SPAM-{n}; quoting such content in order to warn others does not.\n")


def encode(tokenizer, text: str) -> List[int]:
    """Token ids WITHOUT the tokenizer's special-token post-processing (the service adds <bos> itself)."""
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def prompt_ids(tokenizer, bos_id: int, policy: str, content: str) -> List[int]:
    return [bos_id] + encode(tokenizer, cope_template.render(policy, content))


def long_policy(tokenizer, bos_id: int, min_tokens: int, max_tokens: int, content: str) -> str:
    """A policy long enough that the whole prompt has > min_tokens tokens (and the prefix alone > 4,096)."""
    clauses: List[str] = []
    n = 0
    while True:
        step = max(1, len(clauses) // 4 or 8)
        for _ in range(step):
            n += 1
            clauses.append(LONG_CLAUSE.format(n=n))
        policy = "Overview\nA long spam policy.\n\nDefinition of Labels\n" + "".join(clauses)
        total = len(prompt_ids(tokenizer, bos_id, policy, content))
        if total > min_tokens:
            if total > max_tokens:
                raise RuntimeError(f"cannot build a long prompt between {min_tokens} and {max_tokens} tokens "
                                   f"(got {total}); raise --max-context or lower --long-prompt-tokens")
            return policy
        if n > 100_000:
            raise RuntimeError("long prompt does not grow (tokenizer?)")


def make_prompts(tokenizer, bos_id: int, n: int, long_tokens: int, max_context: int) -> List[Dict]:
    """n prompts: n-1 short policy/content pairs and one long one (> long_tokens tokens, policy > 4,096)."""
    n = max(1, n)
    prompts = []
    k = 0
    while len(prompts) < n - 1:
        pname, policy = POLICIES[k % len(POLICIES)]
        content = CONTENTS[(k * 2 + k // len(POLICIES)) % len(CONTENTS)]
        prompts.append({"id": f"short-{k}-{pname}", "policy": policy, "content": content, "long": False})
        k += 1
    content = CONTENTS[0]
    policy = long_policy(tokenizer, bos_id, long_tokens, max_context, content)
    prompts.append({"id": "long-spam", "policy": policy, "content": content, "long": True})
    for p in prompts:
        p["ids"] = prompt_ids(tokenizer, bos_id, p["policy"], p["content"])
        p["tokens"] = len(p["ids"])
    return prompts


def score(l_pos: float, l_neg: float) -> float:
    """softmax([l_pos, l_neg])[0], computed stably in float64."""
    d = float(l_neg) - float(l_pos)
    if math.isnan(d):
        return float("nan")
    if d > 0:
        e = math.exp(-d)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(d))


# ----------------------------------------------------------------------------------------------------------
# Runners
# ----------------------------------------------------------------------------------------------------------

def torch_reference(hf_model, ids: List[int]) -> np.ndarray:
    """Hugging Face forward, no cache, batch 1 -> last-position logits as float32 numpy [V]."""
    import inspect
    import torch
    dev = next(hf_model.parameters()).device
    t = torch.tensor([ids], dtype=torch.int64, device=dev)
    kw = dict(input_ids=t, attention_mask=torch.ones_like(t),
              position_ids=torch.arange(len(ids), device=dev).unsqueeze(0), use_cache=False)
    params = inspect.signature(hf_model.forward).parameters
    for name in ("logits_to_keep", "num_logits_to_keep"):
        if name in params:
            kw[name] = 1
            break
    with torch.no_grad():
        out = hf_model(**kw)
    return out.logits[0, -1].float().cpu().numpy()


def torch_wrapper(wrapper, ids: List[int]) -> np.ndarray:
    import torch
    dev = next(wrapper.parameters()).device
    t = torch.tensor([ids], dtype=torch.int64, device=dev)
    with torch.no_grad():
        out = wrapper(t, torch.ones_like(t), torch.arange(len(ids), device=dev).unsqueeze(0))
    return out[0][0, -1].float().cpu().numpy()


class OrtBundle:
    """One bundle's model.onnx in an ONNX Runtime session."""

    def __init__(self, bundle_dir: str, manifest: dict, providers: List[str]):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.log_severity_level = 3
        self.session = ort.InferenceSession(f"{bundle_dir}/model.onnx", sess_options=so, providers=providers)
        self.providers = self.session.get_providers()
        self.manifest = manifest
        pkv = manifest["graph"]["past_key_values"]
        self.pkv = pkv
        self.np_dtype = np.float16 if manifest["dtype"] == "float16" else np.float32

    def run(self, ids: np.ndarray, mask: np.ndarray, pos: np.ndarray, past: Optional[List[np.ndarray]] = None):
        feeds = {INPUT_IDS: ids.astype(np.int64), ATTENTION_MASK: mask.astype(np.int64),
                 POSITION_IDS: pos.astype(np.int64)}
        names = [LOGITS]
        if self.pkv:
            n, kvh, hd = self.pkv["num_layers"], self.pkv["num_kv_heads"], self.pkv["head_dim"]
            if past is None:
                past = [np.zeros((ids.shape[0], kvh, 0, hd), dtype=self.np_dtype) for _ in range(2 * n)]
            for i in range(n):
                feeds[PAST_KEY % i] = past[2 * i]
                feeds[PAST_VALUE % i] = past[2 * i + 1]
                names += [PRESENT_KEY % i, PRESENT_VALUE % i]
        outs = self.session.run(names, feeds)
        return outs[0], outs[1:]

    def last_logits(self, ids: List[int]) -> np.ndarray:
        a = np.array([ids], dtype=np.int64)
        logits, _ = self.run(a, np.ones_like(a), np.arange(len(ids), dtype=np.int64)[None, :])
        if logits.shape[:2] != (1, 1):
            raise RuntimeError(f"logits shape {logits.shape}, expected [1, 1, vocab] (last_token scope)")
        return logits[0, -1].astype(np.float32)


# ----------------------------------------------------------------------------------------------------------
# Comparisons
# ----------------------------------------------------------------------------------------------------------

def compare(ref: np.ndarray, got: np.ndarray, pos_id: int, neg_id: int) -> Dict:
    s_ref, s_got = score(ref[pos_id], ref[neg_id]), score(got[pos_id], got[neg_id])
    finite = bool(np.isfinite(got).all() and np.isfinite(ref).all())
    return {
        "score_ref": s_ref, "score": s_got,
        "label_ref": int(s_ref >= 0.5), "label": int(s_got >= 0.5),
        "agree": bool(finite and (s_ref >= 0.5) == (s_got >= 0.5)),
        "score_diff": abs(s_ref - s_got) if finite else float("inf"),
        "max_logit_diff": float(np.max(np.abs(ref.astype(np.float64) - got.astype(np.float64)))) if finite
        else float("inf"),
        "label_logit_diff": float(max(abs(float(ref[pos_id]) - float(got[pos_id])),
                                      abs(float(ref[neg_id]) - float(got[neg_id])))) if finite else float("inf"),
        "finite": finite,
    }


def summarize(rows: List[Dict]) -> Dict:
    if not rows:
        return {"n": 0}
    return {
        "n": len(rows),
        "label_agreement": sum(r["agree"] for r in rows) / len(rows),
        "max_score_diff": max(r["score_diff"] for r in rows),
        "max_logit_diff": max(r["max_logit_diff"] for r in rows),
        "max_label_logit_diff": max(r["label_logit_diff"] for r in rows),
        "all_finite": all(r["finite"] for r in rows),
    }


def run_parity(hf_model, tokenizer, bundles: Dict[str, Dict], labels: Dict, bos_id: int, pad_id: int,
               n_prompts: int, long_tokens: int, max_context: int, providers: List[str],
               score_tol: Optional[float], wrapper=None, log=print) -> Dict:
    """bundles: variant -> {"dir": path, "manifest": dict}. Returns the parity summary (with "ok")."""
    pos_id, neg_id = labels["positive_token_id"], labels["negative_token_id"]
    prompts = make_prompts(tokenizer, bos_id, n_prompts, long_tokens, max_context)
    log(f"parity: {len(prompts)} prompts, tokens {[p['tokens'] for p in prompts]}")

    refs = {}
    t0 = time.time()
    for p in prompts:
        refs[p["id"]] = torch_reference(hf_model, p["ids"])
    result: Dict = {"prompts": [{"id": p["id"], "tokens": p["tokens"], "long": p["long"],
                                 "score_ref": score(refs[p["id"]][pos_id], refs[p["id"]][neg_id])}
                                for p in prompts],
                    "reference_seconds": round(time.time() - t0, 3)}
    failures: List[str] = []

    if wrapper is not None:
        rows = [compare(refs[p["id"]], torch_wrapper(wrapper, p["ids"]), pos_id, neg_id) for p in prompts]
        result["wrapper_vs_hf"] = summarize(rows)
        log(f"parity: wrapper (PyTorch) vs HF: {result['wrapper_vs_hf']}")

    sessions = {}
    result["variants"] = {}
    for variant, b in bundles.items():
        sess = OrtBundle(b["dir"], b["manifest"], providers)
        sessions[variant] = sess
        rows, times = [], []
        for p in prompts:
            t1 = time.time()
            got = sess.last_logits(p["ids"])
            times.append(time.time() - t1)
            row = compare(refs[p["id"]], got, pos_id, neg_id)
            row["id"] = p["id"]
            rows.append(row)
        summ = summarize(rows)
        summ["providers"] = sess.providers
        summ["ort_seconds_per_prompt"] = [round(t, 4) for t in times]
        summ["rows"] = rows
        result["variants"][variant] = summ
        log(f"parity: {variant}: agreement {summ['label_agreement']:.3f} max|score diff| "
            f"{summ['max_score_diff']:.3g} max|logit diff| {summ['max_logit_diff']:.3g}")
        _gate(summ, f"{variant} vs PyTorch", score_tol, failures)

    # kv: prefix (policy) then suffix (content) with the past == one full pass
    if "kv" in sessions:
        sess = sessions["kv"]
        kv_rows = []
        chosen = [p for p in prompts if p["long"]] + [p for p in prompts if not p["long"]][:1]
        for p in chosen:
            pre = [bos_id] + encode(tokenizer, cope_template.prefix(p["policy"]))
            suf = encode(tokenizer, cope_template.suffix(p["content"]))
            full = pre + suf
            a = np.array([pre], dtype=np.int64)
            _, presents = sess.run(a, np.ones_like(a), np.arange(len(pre))[None, :])
            kvh, hd = sess.pkv["num_kv_heads"], sess.pkv["head_dim"]
            shape_ok = all(t.shape == (1, kvh, len(pre), hd) for t in presents)
            s = np.array([suf], dtype=np.int64)
            logits, presents2 = sess.run(s, np.ones((1, len(full)), dtype=np.int64),
                                         np.arange(len(pre), len(full))[None, :], past=presents)
            shape_ok = shape_ok and all(t.shape == (1, kvh, len(full), hd) for t in presents2)
            split = logits[0, -1].astype(np.float32)
            ref_full = torch_reference(hf_model, full)
            row = {"id": p["id"], "prefix_tokens": len(pre), "suffix_tokens": len(suf),
                   "present_shapes_ok": bool(shape_ok),
                   "split_tokenization_equals_full": full == p["ids"],
                   "vs_pytorch": compare(ref_full, split, pos_id, neg_id)}
            if "nokv" in sessions:
                row["vs_onnx_nokv"] = compare(sessions["nokv"].last_logits(full), split, pos_id, neg_id)
            kv_rows.append(row)
            if not shape_ok:
                failures.append(f"kv_split {p['id']}: present shapes are not [1, kv_heads, past+seq, head_dim]")
        result["kv_split"] = kv_rows
        _gate(summarize([r["vs_pytorch"] for r in kv_rows]), "kv prefix+suffix vs PyTorch", score_tol, failures)
        if "nokv" in sessions:
            _gate(summarize([r["vs_onnx_nokv"] for r in kv_rows]), "kv prefix+suffix vs ONNX nokv", score_tol,
                  failures)
        log(f"parity: kv split: {[(r['id'], r['prefix_tokens'], r['suffix_tokens'], r['vs_pytorch']['score_diff']) for r in kv_rows]}")

    # left-padded batch == alone
    shorts = [p for p in prompts if not p["long"]][:3]
    if len(shorts) >= 2:
        result["batch"] = {}
        lens = [len(p["ids"]) for p in shorts]
        width = max(lens)
        ids = np.full((len(shorts), width), pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, p in enumerate(shorts):
            ids[r, width - len(p["ids"]):] = p["ids"]
            mask[r, width - len(p["ids"]):] = 1
        pos = np.clip(np.cumsum(mask, axis=1) - 1, 0, None)
        for variant, sess in sessions.items():
            logits, _ = sess.run(ids, mask, pos)
            rows = [compare(sess.last_logits(p["ids"]), logits[r, -1].astype(np.float32), pos_id, neg_id)
                    for r, p in enumerate(shorts)]
            summ = summarize(rows)
            summ["row_tokens"] = lens
            result["batch"][variant] = summ
            _gate(summ, f"{variant} left-padded batch vs alone", score_tol, failures)
        log(f"parity: batch: { {k: v['max_score_diff'] for k, v in result['batch'].items()} }")

    result["failures"] = failures
    result["ok"] = not failures
    return result


def _gate(summ: Dict, what: str, score_tol: Optional[float], failures: List[str]):
    if not summ.get("n"):
        return
    if not summ["all_finite"]:
        failures.append(f"{what}: NaN/Inf in logits")
    if summ["label_agreement"] < 1.0:
        failures.append(f"{what}: label agreement {summ['label_agreement']:.3f} < 100%")
    if score_tol is not None and summ["max_score_diff"] > score_tol:
        failures.append(f"{what}: max |score diff| {summ['max_score_diff']:.3g} > {score_tol:g}")
