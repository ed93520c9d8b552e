package io.copeplatform.review.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class WordDiffTest {

    private static String joined(List<WordDiff.Segment> segments) {
        return segments.stream().map(WordDiff.Segment::text).collect(Collectors.joining());
    }

    private static List<String> changed(List<WordDiff.Segment> segments) {
        return segments.stream().filter(WordDiff.Segment::changed).map(WordDiff.Segment::text).toList();
    }

    @Test
    void changedWordsAreMarkedAndTheSegmentsRebuildEachTextExactly() {
        String a = "Content that insults a named person violates this policy.\n\nQuoted speech counts.";
        String b = "Content that demeans a specific person violates this policy.";
        WordDiff.Result diff = WordDiff.diff(a, b);
        assertEquals(a, joined(diff.a()), "clause offsets are computed on the rendered text");
        assertEquals(b, joined(diff.b()));
        assertEquals(List.of("insults", "named", "Quoted speech counts."), changed(diff.a()));
        assertEquals(List.of("demeans", "specific"), changed(diff.b()));
    }

    @Test
    void equalTextsHaveNoChangesAndEmptyTextsNoSegments() {
        WordDiff.Result same = WordDiff.diff("one  two\tthree", "one  two\tthree");
        assertEquals(List.of(), changed(same.a()));
        assertEquals(List.of(new WordDiff.Segment("one  two\tthree", false)), same.b());
        WordDiff.Result empty = WordDiff.diff("", "added words");
        assertEquals(List.of(), empty.a());
        assertEquals(List.of("added words"), changed(empty.b()));
    }

    @Test
    void aMiddleTooLargeToCompareIsMarkedWholeButStillRebuildsTheText() {
        String a = "start " + "alpha ".repeat(2500) + "end";
        String b = "start " + "beta ".repeat(2500) + "end";
        WordDiff.Result diff = WordDiff.diff(a, b);
        assertEquals(a, joined(diff.a()));
        assertEquals(1, changed(diff.a()).size());
        assertEquals("start ", diff.a().get(0).text());
    }
}
