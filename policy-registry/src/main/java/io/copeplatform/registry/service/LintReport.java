package io.copeplatform.registry.service;

import java.time.Instant;
import java.util.List;

import io.copeplatform.registry.lint.LintFinding;
import io.copeplatform.registry.lint.LintSeverity;

/** The lint findings of one text, with counts and the token estimate; stored with drafts and versions. */
public record LintReport(List<LintFinding> findings, int errorCount, int warningCount, int infoCount,
        int estimatedTokenCount, int tokenBudget, Instant lintTime, String ruleSetVersion) {

    /** Version of the rule set; bump when rules change meaning so stored reports can be told apart. */
    public static final String RULE_SET_VERSION = "2026.11.1";

    static LintReport of(List<LintFinding> findings, int estimatedTokens, int tokenBudget, Instant time) {
        return new LintReport(List.copyOf(findings), count(findings, LintSeverity.ERROR),
                count(findings, LintSeverity.WARNING), count(findings, LintSeverity.INFO), estimatedTokens,
                tokenBudget, time, RULE_SET_VERSION);
    }

    private static int count(List<LintFinding> findings, LintSeverity severity) {
        return (int) findings.stream().filter(f -> f.severity() == severity).count();
    }
}
