package io.copeplatform.inference.engine;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders and tokenizes prompts under the model's context budget. A prompt is tokenized as {@code <bos>} + prefix
 * (policy) + suffix (content), the policy's part memoized — but only after proving, the first time a policy is seen,
 * that prefix tokens + suffix tokens equal the whole prompt's tokens (the model saw whole prompts in training). The
 * boundary sits before the fixed {@code CONTENT} header, so the content cannot reach across it and one proof per policy
 * covers every content. A policy whose proof fails is tokenized whole on every request (and never uses a cached
 * prefix). When the prompt does not fit, either the request fails with both token counts or, if allowed, the content is
 * cut at a token boundary from the end until the whole prompt fits.
 */
public final class PromptEncoder {

    private static final System.Logger LOG = System.getLogger(PromptEncoder.class.getName());
    /** Content used to prove a policy's boundary; any content gives the same verdict. */
    private static final String PROOF_CONTENT = "Proof content.";
    /** Policies whose prefix tokens are remembered (least recently used dropped beyond). */
    private static final int MEMO_ENTRIES = 256;

    private final PromptTokenizer tokenizer;
    private final PromptTemplate template;
    private final long bosTokenId;
    private final boolean addBos;
    private final int maxContextTokens;
    private final Map<String, PolicyPrefix> prefixes = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PolicyPrefix> eldest) {
            return size() > MEMO_ENTRIES;
        }
    };

    public PromptEncoder(PromptTokenizer tokenizer, PromptTemplate template, ModelManifest manifest) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.bosTokenId = manifest.tokenizer().bosTokenId();
        this.addBos = manifest.tokenizer().addBos();
        this.maxContextTokens = manifest.maxContextTokens();
    }

    public TokenizedPrompt encode(String policy, String content, boolean allowContentTruncation) {
        PolicyPrefix prefix = prefix(policy);
        long[] prompt = assemble(prefix, policy, content);
        if (prompt.length <= maxContextTokens) {
            int contentTokens = tokenizer.encode(content).length;
            return new TokenizedPrompt(prompt, prefix, contentTokens, contentTokens, false);
        }
        PromptTokenizer.TokenSpans contentTokens = tokenizer.encodeWithSpans(content);
        if (!allowContentTruncation) {
            throw new TokenBudgetExceededException(prefix.policyTokens(), contentTokens.ids().length, prompt.length,
                    maxContextTokens);
        }
        return truncate(prefix, policy, content, contentTokens);
    }

    /** The policy's prefix tokens, memoized; computed (and its boundary proven) on first sight. */
    public PolicyPrefix prefix(String policy) {
        synchronized (prefixes) {
            PolicyPrefix known = prefixes.get(policy);
            if (known != null) {
                return known;
            }
        }
        long[] ids = withBos(tokenizer.encode(template.prefix(policy)));
        long[] whole = withBos(tokenizer.encode(template.render(policy, PROOF_CONTENT)));
        long[] split = concat(ids, tokenizer.encode(template.suffix(PROOF_CONTENT)));
        boolean splittable = Arrays.equals(whole, split);
        if (!splittable) {
            LOG.log(Level.WARNING, "The tokenizer merges across the prefix boundary for a policy of {0} chars; its "
                    + "prompts are tokenized whole and not served from the prefix cache", policy.length());
        }
        PolicyPrefix prefix = new PolicyPrefix(sha256(policy), ids, tokenizer.encode(policy).length, splittable);
        synchronized (prefixes) {
            prefixes.put(policy, prefix);
        }
        return prefix;
    }

    private long[] assemble(PolicyPrefix prefix, String policy, String content) {
        return prefix.splittable()
                ? concat(prefix.ids(), tokenizer.encode(template.suffix(content)))
                : withBos(tokenizer.encode(template.render(policy, content)));
    }

    /**
     * Keeps the longest token-aligned beginning of the content whose whole prompt fits. Starts from the estimate "room
     * left by the empty-content prompt", then steps back while boundary merges still overflow.
     */
    private TokenizedPrompt truncate(PolicyPrefix prefix, String policy, String content,
            PromptTokenizer.TokenSpans contentTokens) {
        int emptyContentPrompt = assemble(prefix, policy, "").length;
        int room = maxContextTokens - emptyContentPrompt;
        if (room < 0) {
            throw new TokenBudgetExceededException(prefix.policyTokens(), contentTokens.ids().length,
                    emptyContentPrompt + contentTokens.ids().length, maxContextTokens);
        }
        for (int keep = Math.min(room, contentTokens.ids().length); keep >= 0; keep--) {
            String kept = keep == 0 ? "" : content.substring(0, contentTokens.endOffsets()[keep - 1]);
            long[] prompt = assemble(prefix, policy, kept);
            if (prompt.length <= maxContextTokens) {
                return new TokenizedPrompt(prompt, prefix, tokenizer.encode(kept).length, contentTokens.ids().length,
                        true);
            }
        }
        throw new IllegalStateException("unreachable: the empty-content prompt fits");
    }

    private long[] withBos(long[] ids) {
        if (!addBos) {
            return ids;
        }
        long[] prompt = new long[ids.length + 1];
        prompt[0] = bosTokenId;
        System.arraycopy(ids, 0, prompt, 1, ids.length);
        return prompt;
    }

    private static long[] concat(long[] head, long[] tail) {
        long[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /** Hex SHA-256 of the UTF-8 text. */
    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public PromptTemplate template() {
        return template;
    }

    public int maxContextTokens() {
        return maxContextTokens;
    }
}
