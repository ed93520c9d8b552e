package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PromptEncoderTest {

    private static ModelManifest manifest;
    private static PromptTokenizer tokenizer;
    private static PromptEncoder encoder;

    @BeforeAll
    static void load() {
        manifest = ModelManifest.read(TinyBundles.noKv());
        tokenizer = PromptTokenizer.load(TinyBundles.noKv().resolve(manifest.tokenizer().file()));
        encoder = new PromptEncoder(tokenizer, new CopeATemplate(), manifest);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void promptIsBosThenTheWholeRenderedTemplateAndNothingElse() {
        TokenizedPrompt prompt = encoder.encode("No spam.", "Buy now!", false);
        long[] rendered = tokenizer.encode(new CopeATemplate().render("No spam.", "Buy now!"));
        assertEquals(manifest.tokenizer().bosTokenId(), prompt.ids()[0]);
        assertArrayEquals(rendered, Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length));
        assertEquals(1, Arrays.stream(prompt.ids()).filter(id -> id == manifest.tokenizer().bosTokenId()).count(),
                "exactly one <bos>");
        assertFalse(prompt.truncated());
        assertEquals(tokenizer.encode("No spam.").length, prompt.policyTokens());
        assertEquals(tokenizer.encode("Buy now!").length, prompt.contentTokens());
    }

    @Test
    void theTokenizerNeverTruncatesSilently() {
        String longContent = "word ".repeat(1500);
        TokenizedPrompt prompt = encoder.encode("Policy.", longContent, false);
        assertTrue(prompt.length() > 1500, "DJL's default 512-token truncation must be off: " + prompt.length());
    }

    @Test
    void aPromptOverTheContextIsRefusedWithBothTokenCounts() {
        String content = "spam and eggs ".repeat(3000);
        TokenBudgetExceededException e = assertThrows(TokenBudgetExceededException.class,
                () -> encoder.encode("Short policy.", content, false));
        assertEquals(tokenizer.encode("Short policy.").length, e.policyTokens());
        assertEquals(tokenizer.encode(content).length, e.contentTokens());
        assertEquals(manifest.maxContextTokens(), e.maxContextTokens());
        assertTrue(e.promptTokens() > e.maxContextTokens());
    }

    @Test
    void allowedTruncationCutsTheContentFromTheEndToFitExactly() {
        String content = "spam and eggs ".repeat(3000);
        TokenizedPrompt prompt = encoder.encode("Short policy.", content, true);
        assertTrue(prompt.truncated());
        assertTrue(prompt.length() <= manifest.maxContextTokens());
        assertTrue(prompt.length() >= manifest.maxContextTokens() - 2, "keeps as much content as fits");
        String decoded = tokenizer.decode(Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length));
        assertTrue(decoded.endsWith("\n\n\nANSWER\n======\n\n"), "the template tail is never cut");
    }

    @Test
    void tokenSpansAreJavaStringIndexesAlsoBeyondTheBasicMultilingualPlane() {
        // An emoji is one code point but two Java chars: spans counted in code points would cut the wrong place.
        String text = "buy \uD83D\uDE00 now \uD83D\uDE00\uD83D\uDE00 cheap";
        int[] ends = tokenizer.encodeWithSpans(text).endOffsets();
        assertEquals(text.length(), ends[ends.length - 1]);
        for (int i = 0; i < ends.length; i++) {
            assertTrue(i == 0 || ends[i] >= ends[i - 1]);
            assertTrue(ends[i] == text.length() || !Character.isLowSurrogate(text.charAt(ends[i])),
                    "a span never ends inside a surrogate pair: " + ends[i]);
        }
    }

    @Test
    void truncatedContentWithEmojiStaysAPrefixOfTheContent() {
        String content = "spam \uD83D\uDE00 and eggs ".repeat(2000);
        TokenizedPrompt prompt = encoder.encode("Short policy.", content, true);
        assertTrue(prompt.truncated());
        assertTrue(prompt.length() <= manifest.maxContextTokens());
        assertTrue(prompt.length() >= manifest.maxContextTokens() - 4, "keeps as much content as fits");
        String decoded = tokenizer.decode(Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length));
        assertFalse(decoded.contains("\uFFFD"), "no broken character reached the tokenizer");
    }

    @Test
    void aPolicyWhosePrefixBoundaryMergesIsTokenizedWholeAndNeverSplit() {
        // A template that cuts a newline run in two: the tokenizer merges newline runs, so prefix + suffix tokens
        // would differ from the whole prompt's tokens.
        PromptTemplate cutsANewlineRun = new PromptTemplate() {
            @Override
            public String id() {
                return "cuts-newlines";
            }

            @Override
            public String render(String policy, String content) {
                return prefix(policy) + suffix(content);
            }

            @Override
            public String prefix(String policy) {
                return "POLICY\n" + policy + "\n";
            }

            @Override
            public String suffix(String content) {
                return "\n\nCONTENT\n" + content;
            }
        };
        PromptEncoder merging = new PromptEncoder(tokenizer, cutsANewlineRun, manifest);
        TokenizedPrompt prompt = merging.encode("No spam.", "Buy now!", false);
        assertFalse(prompt.policy().splittable());
        long[] whole = tokenizer.encode(cutsANewlineRun.render("No spam.", "Buy now!"));
        assertArrayEquals(whole, Arrays.copyOfRange(prompt.ids(), 1, prompt.ids().length), "tokenized whole");
        assertArrayEquals(prompt.ids(), prompt.suffixIds(), "no prefix to reuse");

        assertTrue(encoder.encode("No spam.", "Buy now!", false).policy().splittable(),
                "the CoPE-A boundary splits cleanly");
    }
}
