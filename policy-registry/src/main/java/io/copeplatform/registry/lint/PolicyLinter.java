package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a policy against the rules that make CoPE's decisions predictable: the CoPE policy structure, defined terms,
 * wording the model cannot apply consistently (intent, hedges), instructions that compete with the prompt template, and
 * the token budget. The registry runs it on every draft update and blocks publishing on ERROR findings.
 * <p>
 * A linter is immutable and thread-safe; the text is parsed once per call into a {@link PolicyDocument} that all rules
 * share.
 */
public final class PolicyLinter {

    private static final Comparator<LintFinding> BY_POSITION = Comparator
            .comparingInt((LintFinding finding) -> finding.span().startLine())
            .thenComparingInt(finding -> finding.span().startColumn())
            .thenComparing(LintFinding::ruleId)
            .thenComparingInt(finding -> finding.span().endLine())
            .thenComparingInt(finding -> finding.span().endColumn())
            .thenComparing(LintFinding::message);

    private static final List<LintRule> RULES = List.of(
            new EmptyPolicyRule(),
            new MissingSectionRule(),
            new SectionOrderRule(),
            new DuplicateSectionRule(),
            new EmptySectionRule(),
            new MissingCriterionRule(),
            new MalformedCriterionRule(),
            new DuplicateCriterionRule(),
            new MissingIncludesExcludesRule(),
            EmptyCriterionPartRule.includes(),
            EmptyCriterionPartRule.excludes(),
            new UndefinedTermRule(),
            new UnusedTermRule(),
            new IntentWordingRule(),
            new HedgeWordingRule(),
            new OutputInstructionRule(),
            new TokenBudgetRule());

    private final LintSettings settings;
    private final List<LintRule> rules;

    /** A linter with every rule of {@link #rules()}. */
    public PolicyLinter(LintSettings settings) {
        this(settings, RULES);
    }

    /** A linter with a chosen set of rules, e.g. the catalog minus rules a team has switched off. */
    public PolicyLinter(LintSettings settings, List<LintRule> rules) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        for (LintRule rule : this.rules) {
            if (!ids.add(rule.id())) {
                throw new IllegalArgumentException("Duplicate lint rule id: " + rule.id());
            }
        }
    }

    /** The rule catalog: every rule, in a stable order, with its id, severity and description. */
    public static List<LintRule> rules() {
        return RULES;
    }

    /**
     * The estimated token count of {@code text} in CoPE's tokenizer, as the {@code token-budget} rule computes it; see
     * {@link TokenEstimator} for the heuristic.
     */
    public static int estimateTokens(String text) {
        return TokenEstimator.estimate(PolicyDocument.parse(text).text());
    }

    /** The settings this linter checks the token budget with. */
    public LintSettings settings() {
        return settings;
    }

    /**
     * Lints {@code policyText} and returns the findings sorted by position (line, column), then rule id. A blank text
     * yields only the {@code empty-policy} finding, since every structure rule would repeat it.
     */
    public List<LintFinding> lint(String policyText) {
        PolicyDocument document = PolicyDocument.parse(policyText);
        List<LintFinding> findings = new ArrayList<>();
        for (LintRule rule : rules) {
            if (document.isBlank() && !rule.id().equals(EmptyPolicyRule.ID)) {
                continue;
            }
            findings.addAll(rule.check(document, settings));
        }
        findings.sort(BY_POSITION);
        return List.copyOf(findings);
    }
}
