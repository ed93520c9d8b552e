package io.copeplatform.inference.engine;

/**
 * Policy + content do not fit the model's context and the request did not allow truncating the content. Carries both
 * token counts so the caller can see which side to shorten.
 */
public final class TokenBudgetExceededException extends RuntimeException {

    private final int policyTokens;
    private final int contentTokens;
    private final int promptTokens;
    private final int maxContextTokens;

    public TokenBudgetExceededException(int policyTokens, int contentTokens, int promptTokens, int maxContextTokens) {
        super("Prompt of " + promptTokens + " tokens (policy " + policyTokens + ", content " + contentTokens
                + ") exceeds the model context of " + maxContextTokens + " tokens; shorten the content or allow "
                + "content truncation");
        this.policyTokens = policyTokens;
        this.contentTokens = contentTokens;
        this.promptTokens = promptTokens;
        this.maxContextTokens = maxContextTokens;
    }

    public int policyTokens() {
        return policyTokens;
    }

    public int contentTokens() {
        return contentTokens;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int maxContextTokens() {
        return maxContextTokens;
    }
}
