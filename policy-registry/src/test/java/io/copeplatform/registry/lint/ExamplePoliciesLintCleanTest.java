package io.copeplatform.registry.lint;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * The example policies the launcher seeds the registry with are what new users copy, so they must pass the linter
 * without an ERROR or WARNING and be listed correctly in {@code examples/index.json}.
 */
class ExamplePoliciesLintCleanTest {

    private static final List<String> EXAMPLES = List.of("harassment", "spam", "self-harm");
    private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?");
    private static final Pattern TAG_LIST = Pattern.compile("\"tags\"\\s*:\\s*\\[([^\\]]*)\\]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern INDEX_ENTRY = Pattern
            .compile("\"id\"\\s*:\\s*\"([^\"]+)\"[^}]*?\"file\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);

    private static String resource(String path) {
        try (InputStream in = ExamplePoliciesLintCleanTest.class.getResourceAsStream(path)) {
            assertNotNull(in, "missing classpath resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyExampleLintsWithoutErrorsOrWarnings() {
        PolicyLinter linter = new PolicyLinter(LintSettings.defaults());
        List<Executable> checks = new ArrayList<>();
        for (String example : EXAMPLES) {
            checks.add(() -> {
                List<LintFinding> serious = linter.lint(resource("/examples/" + example + ".md")).stream()
                        .filter(finding -> finding.severity() != LintSeverity.INFO).toList();
                assertEquals(List.of(), serious, example);
            });
        }
        assertAll(checks);
    }

    @Test
    void everyExampleHasTwoToFourCriteriaWithIncludesAndExcludes() {
        for (String example : EXAMPLES) {
            PolicyDocument document = PolicyDocument.parse(resource("/examples/" + example + ".md"));
            List<Section> criteria = CopePolicyStructure.criteria(document);
            assertTrue(criteria.size() >= 2 && criteria.size() <= 4, example + ": " + criteria.size() + " criteria");
            for (Section criterion : criteria) {
                assertEquals(1, CopePolicyStructure.criterionParts(document, criterion, "Includes").size());
                assertEquals(1, CopePolicyStructure.criterionParts(document, criterion, "Excludes").size());
            }
            assertFalse(DefinedTerms.of(document).definitions().isEmpty(), example + " defines no terms");
        }
    }

    @Test
    void indexListsEveryExampleWithItsFile() {
        String index = resource("/examples/index.json");
        List<String> ids = new ArrayList<>();
        Matcher entry = INDEX_ENTRY.matcher(index);
        while (entry.find()) {
            ids.add(entry.group(1));
            assertEquals(entry.group(1) + ".md", entry.group(2));
            assertFalse(resource("/examples/" + entry.group(2)).isBlank());
        }
        assertEquals(EXAMPLES, ids);
        ids.forEach(id -> assertTrue(SLUG.matcher(id).matches(), "id is not a slug: " + id));
        Matcher tagList = TAG_LIST.matcher(index);
        while (tagList.find()) {
            Matcher tag = QUOTED.matcher(tagList.group(1));
            while (tag.find()) {
                assertTrue(SLUG.matcher(tag.group(1)).matches(), "tag is not a slug: " + tag.group(1));
            }
        }
        for (String field : List.of("\"displayName\"", "\"description\"", "\"tags\"")) {
            assertEquals(EXAMPLES.size(), index.split(field, -1).length - 1, field);
        }
    }
}
