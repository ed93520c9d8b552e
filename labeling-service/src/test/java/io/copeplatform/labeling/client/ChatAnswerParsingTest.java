package io.copeplatform.labeling.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Strict answer parsing, logprob scores and Retry-After: the parts of the LLM labeler that need no server. */
class ChatAnswerParsingTest {

    private static final ChatLabeler DIGIT = new ChatLabeler(null, 1, false, null);
    private static final ChatLabeler JSON = new ChatLabeler(null, 1, false, "violates");

    @Test
    void aDigitAnswerMustBeExactlyZeroOrOneAfterTrimming() {
        assertEquals(Boolean.TRUE, DIGIT.parse("1"));
        assertEquals(Boolean.FALSE, DIGIT.parse(" 0\n"));
        assertNull(DIGIT.parse("1."));
        assertNull(DIGIT.parse("Yes"));
        assertNull(DIGIT.parse("10"));
        assertNull(DIGIT.parse(""));
        assertNull(DIGIT.parse(null));
    }

    @Test
    void aJsonAnswerReadsTheConfiguredFieldAndNothingElse() {
        assertEquals(Boolean.TRUE, JSON.parse("{\"violates\": 1}"));
        assertEquals(Boolean.FALSE, JSON.parse("{\"violates\": \"0\"}"));
        assertEquals(Boolean.TRUE, JSON.parse("{\"violates\": true, \"why\": \"spam\"}"));
        assertNull(JSON.parse("{\"label\": 1}"));
        assertNull(JSON.parse("{\"violates\": 2}"));
        assertNull(JSON.parse("violates: 1"));
        assertNull(JSON.parse("[1]"));
    }

    @Test
    void theScoreIsPOfOneRenormalisedOverTheTwoDigitTokens() {
        assertEquals(0.9, ChatLabeler.score(Map.of("1", Math.log(0.9), "0", Math.log(0.1))), 1e-12);
        // Other tokens took 0.2 of the mass: 0.6 / (0.6 + 0.2)
        assertEquals(0.75, ChatLabeler.score(Map.of("1", Math.log(0.6), "0", Math.log(0.2), "Yes", Math.log(0.2))),
                1e-12);
        assertEquals(0.3, ChatLabeler.score(Map.of("0", Math.log(0.7))), 1e-12);
        assertNull(ChatLabeler.score(Map.of("{", -0.01)));
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(3), ChatCompletionsClient.retryAfter(Optional.of("3")).orElseThrow());
        assertEquals(Duration.ofMillis(1500), ChatCompletionsClient.retryAfter(Optional.of("1.5")).orElseThrow());
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)
                .plusSeconds(10));
        Duration untilDate = ChatCompletionsClient.retryAfter(Optional.of(inTenSeconds)).orElseThrow();
        assertTrue(untilDate.toSeconds() >= 8 && untilDate.toSeconds() <= 10, untilDate.toString());
        assertTrue(ChatCompletionsClient.retryAfter(Optional.of("soon")).isEmpty());
        assertTrue(ChatCompletionsClient.retryAfter(Optional.empty()).isEmpty());
    }

    @Test
    void codeFencesAroundARewrittenPolicyAreRemoved() {
        assertEquals("# Policy\n\ntext\n", LlmRewriter.stripFences("```markdown\n# Policy\n\ntext\n```"));
        assertEquals("# Policy", LlmRewriter.stripFences("# Policy"));
    }
}
