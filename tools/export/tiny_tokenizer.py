"""A tiny Gemma-like BPE tokenizer built in-process (no downloads), for the self-test.

Like Gemma's ``tokenizer.json``: spaces are normalised to "▁", no pre-tokenizer, BPE with byte fallback
(``<0x00>`` .. ``<0xFF>``), specials ``<pad>``=0, ``<eos>``=1, ``<bos>``=2, ``<unk>``=3, a post-processor that adds
``<bos>`` (the service encodes WITHOUT it and adds ``<bos>`` itself), and every digit a single token that never
merges with anything -- so "1" and "0" are single tokens, as the CoPE label contract needs.

The merges are learned here by a small deterministic BPE over a built-in corpus (the CoPE-A template and some
policy-like text), so the result is the same on every machine.
"""
from __future__ import annotations

import collections
import re
from typing import Dict, List, Tuple

from cope_template import COPE_A_TEMPLATE

SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>"]
SPACE = "\u2581"  # ▁

_CORPUS_TEXT = """
Overview. This policy covers spam, scams, harassment, threats and personal information in user content.
Definition of Terms. A message is any text that a user posts. Commercial content promotes a product or service.
Interpretation of Language. Read every rule literally; quotes, jokes and hypotheticals count as the content.
Definition of Labels. Includes: unsolicited offers, links to buy followers, fake giveaways, phishing for
passwords, repeated identical posts, threats of violence, insults aimed at a person, doxxing of addresses and
phone numbers. Excludes: news reporting, personal opinions about products, quoting a message to condemn it.
The content meets the criteria when any label applies. The answer is one token: yes or no.
Hello everyone, the meeting is moved to Tuesday afternoon. Please bring the quarterly report and the budget.
Buy cheap followers now!!! Click the link to claim your free prize before it expires today.
I think the new phone is great, the battery lasts all day and the camera takes sharp pictures.
Send me your password and bank account number so I can verify your identity and release the payment.
Contradictory examples teach the model to follow the policy text rather than its own prior beliefs.
""" * 3


def _normalise(text: str) -> str:
    return text.replace(" ", SPACE)


def _words(text: str) -> List[str]:
    # Split the normalised corpus into word-like chunks for learning merges: "▁word", punctuation, newlines.
    return re.findall(SPACE + r"?[A-Za-z]+|" + SPACE + r"?[^A-Za-z\n" + SPACE + r"]|\n+|" + SPACE, text)


def _mergeable(a: str, b: str) -> bool:
    return not any(ch.isdigit() for ch in a + b)


def learn_merges(corpus: str, num_merges: int) -> Tuple[List[str], List[Tuple[str, str]]]:
    """Plain greedy BPE. Returns (alphabet, merges). Deterministic: ties broken by the pair itself."""
    words = collections.Counter(_words(_normalise(corpus)))
    alphabet = sorted({ch for w in words for ch in w})
    seqs = {w: list(w) for w in words}
    merges: List[Tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: Dict[Tuple[str, str], int] = collections.Counter()
        for w, n in words.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                if _mergeable(a, b):
                    pairs[(a, b)] += n
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merges.append(best)
        joined = best[0] + best[1]
        for w in words:
            s = seqs[w]
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == best[0] and s[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return alphabet, merges


def build_vocab(target_size: int = 1000):
    """(vocab dict token->id, merges list) with Gemma-like special ids and byte-fallback tokens."""
    corpus = COPE_A_TEMPLATE + _CORPUS_TEXT
    printable = [chr(c) for c in range(33, 127)] + [SPACE, "\n", "\t"]
    vocab: Dict[str, int] = {}
    for tok in SPECIALS:
        vocab[tok] = len(vocab)
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    alphabet, _ = learn_merges(corpus, 0)
    for ch in sorted(set(printable) | set(alphabet)):
        if ch not in vocab:
            vocab[ch] = len(vocab)
    _, merges = learn_merges(corpus, max(0, target_size - len(vocab)))
    kept = []
    for a, b in merges:
        if len(vocab) >= target_size:
            break
        if a in vocab and b in vocab and (a + b) not in vocab:
            vocab[a + b] = len(vocab)
            kept.append((a, b))
    return vocab, kept


def build_tokenizer(target_size: int = 1000):
    """A ``tokenizers.Tokenizer`` (fast) with the layout described in the module docstring."""
    from tokenizers import Tokenizer, decoders, normalizers, processors
    from tokenizers.models import BPE

    vocab, merges = build_vocab(target_size)
    tok = Tokenizer(BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.normalizer = normalizers.Replace(" ", SPACE)
    tok.decoder = decoders.Sequence([decoders.Replace(SPACE, " "), decoders.ByteFallback(), decoders.Fuse()])
    from tokenizers import AddedToken
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIALS])
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A", pair="<bos> $A <bos> $B", special_tokens=[("<bos>", vocab["<bos>"])])
    return tok


def build_hf_tokenizer(target_size: int = 1000):
    """The same tokenizer wrapped as ``transformers.PreTrainedTokenizerFast`` (what the exporter loads)."""
    from transformers import PreTrainedTokenizerFast
    fast = PreTrainedTokenizerFast(tokenizer_object=build_tokenizer(target_size), bos_token="<bos>",
                                   eos_token="<eos>", pad_token="<pad>", unk_token="<unk>")
    fast.padding_side = "left"
    fast.model_max_length = 8192
    return fast
