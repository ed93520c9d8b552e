package io.copeplatform.registry.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.copeplatform.registry.lint.PolicyDocument.BoldTerm;
import io.copeplatform.registry.lint.PolicyDocument.Heading;
import io.copeplatform.registry.lint.PolicyDocument.Section;

class PolicyDocumentTest {

    @Test
    void parsesAtxHeadingsWithLevelTextLineAndSpan() {
        PolicyDocument document = PolicyDocument.parse("# Title\n\n  ## Overview ##\n#hashtag\n###\n");
        assertEquals(List.of(
                new Heading(1, "Title", 1, new TextSpan(1, 1, 1, 8)),
                new Heading(2, "Overview", 3, new TextSpan(3, 3, 3, 17)),
                new Heading(3, "", 5, new TextSpan(5, 1, 5, 4))),
                document.headings());
    }

    @Test
    void sectionsEndBeforeTheNextHeadingOfTheSameOrHigherLevel() {
        PolicyDocument document = PolicyDocument.parse("""
                ## Labels
                intro
                ### (A1): One
                #### Includes
                - x
                ### (A2): Two
                ## Next
                """);
        Section labels = document.section(2, "labels").orElseThrow();
        assertEquals(6, labels.lastLine());
        assertEquals(2, labels.lastOwnLine());
        List<Section> criteria = document.subsections(labels);
        assertEquals(List.of("(A1): One", "(A2): Two"), criteria.stream().map(Section::title).toList());
        assertEquals(5, criteria.get(0).lastLine());
        assertEquals(6, criteria.get(1).lastLine());
        assertEquals(List.of("Includes"), document.subsections(criteria.get(0)).stream().map(Section::title).toList());
    }

    @Test
    void headingsInFencedCodeAreIgnoredUntilTheFenceCloses() {
        PolicyDocument document = PolicyDocument.parse("~~~~\n## Not a heading\n~~~\n## Still code\n~~~~\n## Real\n");
        assertEquals(List.of("Real"), document.headings().stream().map(Heading::text).toList());
        assertTrue(document.isCodeLine(4));
        assertFalse(document.isCodeLine(6));
    }

    @Test
    void boldTermsKnowWhetherTheyOpenAListItemOrParagraph() {
        PolicyDocument document = PolicyDocument.parse("""
                - **Term**: uses **other**
                continues **lazy**

                **Paragraph** start and `**code**` and __under__
                """);
        assertEquals(List.of(
                new BoldTerm("Term", new TextSpan(1, 3, 1, 11), true),
                new BoldTerm("other", new TextSpan(1, 18, 1, 27), false),
                new BoldTerm("lazy", new TextSpan(2, 11, 2, 19), false),
                new BoldTerm("Paragraph", new TextSpan(4, 1, 4, 14), true),
                new BoldTerm("under", new TextSpan(4, 40, 4, 49), false)),
                document.boldTerms());
    }

    @Test
    void findInProseSkipsQuotesAndCodeButNotUnclosedQuotes() {
        PolicyDocument document = PolicyDocument.parse("x \"x\" `x` \u201Cx\u201D x\n\n\"x\n\nx");
        List<TextSpan> spans = document.findInProse(Pattern.compile("x")).stream()
                .map(PolicyDocument.TextMatch::span).toList();
        assertEquals(List.of(new TextSpan(1, 1, 1, 2), new TextSpan(1, 15, 1, 16), new TextSpan(3, 2, 3, 3),
                new TextSpan(5, 1, 5, 2)), spans);
    }

    @Test
    void normalisesLineBreaksWithoutMovingColumns() {
        PolicyDocument document = PolicyDocument.parse("a\r\nb\rc\n");
        assertEquals(List.of("a", "b", "c", ""), document.lines());
        assertEquals(new TextSpan(2, 1, 3, 2), document.span(2, 5));
    }

    @Test
    void contentIgnoresBlanksBareListMarkersCommentsAndHeadings() {
        PolicyDocument document = PolicyDocument.parse("-\n  \n<!-- later -->\n### H\n1.\nx\n");
        assertFalse(document.hasContent(1, 5));
        assertTrue(document.hasContent(1, 6));
    }
}
