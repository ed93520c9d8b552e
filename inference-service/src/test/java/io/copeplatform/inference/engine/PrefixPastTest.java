package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/**
 * Groundwork of the policy-prefix KV cache (issue 5): a prompt run as "cached prefix past + suffix" scores exactly as
 * the whole prompt run at once — alone, and in a left-padded batch of suffixes sharing one expanded past.
 */
class PrefixPastTest {

    private static final String POLICY = "## Overview\nFlags unsolicited advertising and scams.\n\n"
            + "## Definition of Labels\n### (SP1): Ads\n#### Includes\n- ads\n#### Excludes\n- questions\n";
    private static final List<String> CONTENTS = List.of("Buy cheap watches now", "hello",
            "CLICK HERE to claim your free prize, only a small fee!", "see you at 3");

    @Test
    void cachedPrefixPlusSuffixScoresLikeTheWholePromptAloneAndBatched() {
        try (ModelBundle bundle = ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu())) {
            CopeATemplate template = new CopeATemplate();
            long bos = bundle.manifest().tokenizer().bosTokenId();
            long[] prefix = LongStream.concat(LongStream.of(bos),
                    LongStream.of(bundle.tokenizer().encode(template.prefix(POLICY)))).toArray();
            PrefixPast past = bundle.session().computePast(prefix);
            assertEquals(prefix.length, past.length());

            List<long[]> suffixes = new ArrayList<>();
            for (String content : CONTENTS) {
                suffixes.add(bundle.tokenizer().encode(template.suffix(content)));
            }
            float[][] batched = bundle.session().labelLogitsAfter(past, suffixes);
            for (int i = 0; i < CONTENTS.size(); i++) {
                // Tokenized in one piece, as the model saw prompts in training.
                long[] whole = LongStream.concat(LongStream.of(bos),
                        LongStream.of(bundle.tokenizer().encode(template.render(POLICY, CONTENTS.get(i))))).toArray();
                float[] uncached = bundle.session().labelLogits(List.of(whole))[0];
                float[] alone = bundle.session().labelLogitsAfter(past, List.of(suffixes.get(i)))[0];
                double expected = LabelScore.of(uncached[0], uncached[1]).score();
                assertEquals(expected, LabelScore.of(alone[0], alone[1]).score(), 1e-4, "alone: " + CONTENTS.get(i));
                assertEquals(expected, LabelScore.of(batched[i][0], batched[i][1]).score(), 1e-4,
                        "batched: " + CONTENTS.get(i));
            }
        }
    }

    @Test
    void aModelWithoutPastKeyValuesSaysSo() {
        try (ModelBundle bundle = ModelBundle.load(TinyBundles.noKv(), SessionSettings.cpu())) {
            assertThrows(IllegalStateException.class, () -> bundle.session().computePast(new long[]{2, 5, 6}));
        }
    }
}
