package io.copeplatform.registry.lint;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.copeplatform.registry.lint.PolicyDocument.Heading;
import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * The structure CoPE was trained on: four level-2 sections in a fixed order, labelled criteria as level-3 headings
 * under Definition of Labels, each with Includes and Excludes level-4 headings. The structure rules share it.
 */
final class CopePolicyStructure {

    static final String OVERVIEW = "Overview";
    static final String DEFINITION_OF_TERMS = "Definition of Terms";
    static final String INTERPRETATION_OF_LANGUAGE = "Interpretation of Language";
    static final String DEFINITION_OF_LABELS = "Definition of Labels";

    /** The level-2 sections every policy needs, in the order they must appear. */
    static final List<String> REQUIRED_SECTIONS = List.of(OVERVIEW, DEFINITION_OF_TERMS, INTERPRETATION_OF_LANGUAGE,
            DEFINITION_OF_LABELS);

    static final int SECTION_LEVEL = 2;
    static final int CRITERION_LEVEL = 3;
    static final int CRITERION_PART_LEVEL = 4;

    static final String INCLUDES = "Includes";
    static final String EXCLUDES = "Excludes";

    /** {@code (CODE): Name}, the CODE made of upper-case letters and digits. */
    private static final Pattern CRITERION_HEADING = Pattern.compile("^\\(([A-Z0-9]+)\\):[ \\t]*(\\S.*)$");

    private CopePolicyStructure() {
    }

    /** The first {@code ## Definition of Labels} section, if any. */
    static Optional<Section> labelsSection(PolicyDocument document) {
        return document.section(SECTION_LEVEL, DEFINITION_OF_LABELS);
    }

    /** The level-3 sections under the first Definition of Labels, well-formed criteria or not. */
    static List<Section> criterionCandidates(PolicyDocument document) {
        return labelsSection(document).map(document::subsections).orElse(List.of());
    }

    /** The level-3 sections under Definition of Labels whose heading reads {@code (CODE): Name}. */
    static List<Section> criteria(PolicyDocument document) {
        return criterionCandidates(document).stream().filter(section -> criterionCode(section.heading()).isPresent())
                .toList();
    }

    /** The CODE of a {@code ### (CODE): Name} heading, empty when the heading does not have that form. */
    static Optional<String> criterionCode(Heading heading) {
        Matcher matcher = CRITERION_HEADING.matcher(heading.text());
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The level-4 sub-sections of {@code criterion} titled {@code part} (Includes or Excludes). */
    static List<Section> criterionParts(PolicyDocument document, Section criterion, String part) {
        String wanted = PolicyDocument.normaliseTitle(part);
        return document.subsections(criterion).stream()
                .filter(section -> PolicyDocument.normaliseTitle(section.title()).equals(wanted)).toList();
    }

    /** How a section heading is written in the policy, for messages: {@code ## Overview}. */
    static String headingMarkdown(int level, String title) {
        return "#".repeat(level) + " " + title;
    }
}
