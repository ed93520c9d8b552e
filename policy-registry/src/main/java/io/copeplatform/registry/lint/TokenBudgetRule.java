package io.copeplatform.registry.lint;

import java.util.List;

/**
 * CoPE reads the prompt template, the policy and the content in one context window (8,192 tokens for CoPE-A); what the
 * policy takes, the content cannot use, and content that does not fit is cut. ERROR when the policy leaves no room for
 * content at all, WARNING when it leaves less than the reserve. Tokens are estimated with {@link TokenEstimator}.
 */
final class TokenBudgetRule implements LintRule {

    static final String ID = "token-budget";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public LintSeverity severity() {
        return LintSeverity.ERROR;
    }

    @Override
    public String description() {
        return "The policy's estimated token count leaves too little of the model context for content: ERROR when "
                + "nothing fits, WARNING when less than the content reserve (default 1,024 of 8,192 tokens) is left.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        int tokens = TokenEstimator.estimate(document.text());
        int left = settings.contextTokens() - settings.templateTokens() - tokens;
        if (tokens > settings.maxPolicyTokens()) {
            return List.of(new LintFinding(ID, LintSeverity.ERROR,
                    "The policy is about " + tokens + " tokens (estimated); with the " + settings.templateTokens()
                            + "-token prompt template it leaves no room for content in the "
                            + settings.contextTokens() + "-token context. Shorten it to at most "
                            + settings.comfortablePolicyTokens() + " tokens, leaving "
                            + settings.reservedContentTokens() + " for content.",
                    TextSpan.documentStart()));
        }
        if (tokens > settings.comfortablePolicyTokens()) {
            return List.of(new LintFinding(ID, LintSeverity.WARNING,
                    "The policy is about " + tokens + " tokens (estimated); with the " + settings.templateTokens()
                            + "-token prompt template it leaves " + left + " tokens of the "
                            + settings.contextTokens() + "-token context for content, less than the "
                            + settings.reservedContentTokens() + " reserved. Shorten it to at most "
                            + settings.comfortablePolicyTokens() + " tokens, e.g. by removing repeated examples.",
                    TextSpan.documentStart()));
        }
        return List.of();
    }
}
