package io.copeplatform.inference.engine;

/**
 * Renders and tokenizes prompts under the model's context budget. The whole prompt is tokenized in one piece (as the
 * model saw it in training); when it does not fit, either the request fails with both token counts or, if allowed, the
 * content is cut at a token boundary from the end until the whole prompt fits.
 */
public final class PromptEncoder {

    private final PromptTokenizer tokenizer;
    private final PromptTemplate template;
    private final long bosTokenId;
    private final boolean addBos;
    private final int maxContextTokens;

    public PromptEncoder(PromptTokenizer tokenizer, PromptTemplate template, ModelManifest manifest) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.bosTokenId = manifest.tokenizer().bosTokenId();
        this.addBos = manifest.tokenizer().addBos();
        this.maxContextTokens = manifest.maxContextTokens();
    }

    public TokenizedPrompt encode(String policy, String content, boolean allowContentTruncation) {
        long[] prompt = withBos(tokenizer.encode(template.render(policy, content)));
        int policyTokens = tokenizer.encode(policy).length;
        if (prompt.length <= maxContextTokens) {
            return new TokenizedPrompt(prompt, policyTokens, tokenizer.encode(content).length, false);
        }
        PromptTokenizer.TokenSpans contentTokens = tokenizer.encodeWithSpans(content);
        if (!allowContentTruncation) {
            throw new TokenBudgetExceededException(policyTokens, contentTokens.ids().length, prompt.length,
                    maxContextTokens);
        }
        return truncate(policy, content, contentTokens, policyTokens);
    }

    /**
     * Keeps the longest token-aligned beginning of the content whose whole prompt fits. Starts from the estimate "room
     * left by the empty-content prompt", then steps back while boundary merges still overflow.
     */
    private TokenizedPrompt truncate(String policy, String content, PromptTokenizer.TokenSpans contentTokens,
            int policyTokens) {
        int emptyContentPrompt = withBos(tokenizer.encode(template.render(policy, ""))).length;
        int room = maxContextTokens - emptyContentPrompt;
        if (room < 0) {
            throw new TokenBudgetExceededException(policyTokens, contentTokens.ids().length,
                    emptyContentPrompt + contentTokens.ids().length, maxContextTokens);
        }
        for (int keep = Math.min(room, contentTokens.ids().length); keep >= 0; keep--) {
            String kept = keep == 0 ? "" : content.substring(0, contentTokens.endOffsets()[keep - 1]);
            long[] prompt = withBos(tokenizer.encode(template.render(policy, kept)));
            if (prompt.length <= maxContextTokens) {
                return new TokenizedPrompt(prompt, policyTokens, tokenizer.encode(kept).length, true);
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

    public PromptTemplate template() {
        return template;
    }

    public int maxContextTokens() {
        return maxContextTokens;
    }
}
