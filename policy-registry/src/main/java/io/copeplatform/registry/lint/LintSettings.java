package io.copeplatform.registry.lint;

/**
 * The token budget the linter checks a policy against. CoPE reads one prompt of at most {@code contextTokens} tokens
 * that holds the prompt template, the policy and the content to classify, so every token the policy uses is a token the
 * content cannot use.
 *
 * @param contextTokens
 *            the model's context length in tokens; CoPE-A (Gemma-2-9B) has 8,192 for prompt template + policy + content
 * @param reservedContentTokens
 *            tokens the policy should leave free for the content; a policy that leaves less draws a WARNING
 * @param templateTokens
 *            tokens the prompt template itself takes (its INSTRUCTIONS, POLICY, CONTENT and ANSWER headers plus
 *            {@code <bos>}, about 60 tokens for the CoPE-A template)
 */
public record LintSettings(int contextTokens, int reservedContentTokens, int templateTokens) {

    /** CoPE-A's context length: 8,192 tokens shared by the prompt template, the policy and the content. */
    public static final int COPE_CONTEXT_TOKENS = 8192;

    /** Tokens kept free for content by default, enough for a long post or a short conversation. */
    public static final int DEFAULT_RESERVED_CONTENT_TOKENS = 1024;

    /** An upper bound of the CoPE-A prompt template's size in tokens, {@code <bos>} included. */
    public static final int DEFAULT_TEMPLATE_TOKENS = 64;

    /** Validates that the template and the content reserve fit in the context. */
    public LintSettings {
        if (contextTokens < 1) {
            throw new IllegalArgumentException("contextTokens must be positive: " + contextTokens);
        }
        if (reservedContentTokens < 0 || templateTokens < 0) {
            throw new IllegalArgumentException("reservedContentTokens and templateTokens must not be negative: "
                    + reservedContentTokens + ", " + templateTokens);
        }
        if ((long) templateTokens + reservedContentTokens >= contextTokens) {
            throw new IllegalArgumentException("templateTokens + reservedContentTokens (" + templateTokens + " + "
                    + reservedContentTokens + ") must be less than contextTokens (" + contextTokens + ")");
        }
    }

    /**
     * The settings for CoPE-A: a context of 8,192 tokens for prompt template + policy + content, 1,024 tokens kept free
     * for content, 64 tokens for the prompt template.
     */
    public static LintSettings defaults() {
        return new LintSettings(COPE_CONTEXT_TOKENS, DEFAULT_RESERVED_CONTENT_TOKENS, DEFAULT_TEMPLATE_TOKENS);
    }

    /** The most tokens a policy may take and still leave at least one token for content. */
    public int maxPolicyTokens() {
        return contextTokens - templateTokens - 1;
    }

    /** The most tokens a policy may take and still leave {@code reservedContentTokens} for content. */
    public int comfortablePolicyTokens() {
        return contextTokens - templateTokens - reservedContentTokens;
    }
}
