package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * A criterion code names one label; two criteria with the same code make reviewers' and evaluations' per-label results
 * ambiguous.
 */
final class DuplicateCriterionRule implements LintRule {

    static final String ID = "structure-duplicate-criterion";

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
        return "Two criteria under Definition of Labels share the same (CODE).";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        Map<String, Integer> firstLineByCode = new HashMap<>();
        for (Section criterion : CopePolicyStructure.criteria(document)) {
            String code = CopePolicyStructure.criterionCode(criterion.heading()).orElseThrow();
            Integer firstLine = firstLineByCode.putIfAbsent(code, criterion.heading().line());
            if (firstLine != null) {
                findings.add(new LintFinding(ID, severity(),
                        "Criterion code (" + code + ") is already used on line " + firstLine
                                + ". Give each criterion its own code, or merge the two criteria.",
                        criterion.heading().span()));
            }
        }
        return findings;
    }
}
