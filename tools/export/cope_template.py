"""The CoPE-A prompt template (template id ``cope-a-v1``), byte-exact.

This is the ONE copy of the template in tools/export. It must stay byte-identical to the escaped string in
shared/ARCHITECTURE.md ("The model contract (CoPE-A)") and to inference-service's template: a raw completion
prompt, policy BEFORE content, ending with two newlines after the ``ANSWER`` underline. ``<bos>`` is added in
front by the caller (the tokenizer's own special-token post-processing is NOT used); nothing is appended.
"""

TEMPLATE_ID = "cope-a-v1"

COPE_A_TEMPLATE = (
    "INSTRUCTIONS\n============\n\nExamine the given POLICY and determine if the given CONTENT meets the criteria "
    "for ANY of the LABELS. Answer \"1\" if yes, and \"0\" if no.\n\n\nPOLICY\n======\n\n{policy}\n\n\n"
    "CONTENT\n=======\n\n{content}\n\n\nANSWER\n======\n\n"
)

_POLICY = "{policy}"
_CONTENT = "{content}"

# Guard against an accidental edit: the template has exactly one placeholder of each kind, policy first.
assert COPE_A_TEMPLATE.count(_POLICY) == 1 and COPE_A_TEMPLATE.count(_CONTENT) == 1
assert COPE_A_TEMPLATE.index(_POLICY) < COPE_A_TEMPLATE.index(_CONTENT)
assert COPE_A_TEMPLATE.endswith("ANSWER\n======\n\n")


def render(policy: str, content: str) -> str:
    """The full prompt. Policy and content are inserted verbatim (no str.format: braces in them are kept)."""
    return prefix(policy) + suffix(content)


def prefix(policy: str) -> str:
    """The part of the prompt that depends only on the policy (the shareable KV-cache prefix)."""
    head, _ = COPE_A_TEMPLATE.split(_CONTENT)
    return head.replace(_POLICY, policy)


def suffix(content: str) -> str:
    """The part of the prompt after the policy prefix: the content and the answer header."""
    _, tail = COPE_A_TEMPLATE.split(_CONTENT)
    return content + tail
