package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
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
    void batchesOfChangingSizesReuseTheRepeatedPastBufferWithoutMixingRows() {
        try (ModelBundle bundle = ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu())) {
            CopeATemplate template = new CopeATemplate();
            long bos = bundle.manifest().tokenizer().bosTokenId();
            PrefixPast past = bundle.session().computePast(LongStream.concat(LongStream.of(bos),
                    LongStream.of(bundle.tokenizer().encode(template.prefix(POLICY)))).toArray());
            List<long[]> suffixes = new ArrayList<>();
            for (String content : CONTENTS) {
                suffixes.add(bundle.tokenizer().encode(template.suffix(content)));
            }
            List<float[]> alone = new ArrayList<>();
            for (long[] suffix : suffixes) {
                alone.add(bundle.session().labelLogitsAfter(past, List.of(suffix))[0]);
            }
            // Shrinking then growing batches on one thread: the same buffer holds different row counts in turn.
            for (List<Integer> rows : List.of(List.of(0, 1, 2, 3), List.of(3, 1), List.of(2, 0, 3), List.of(1, 2))) {
                float[][] batched = bundle.session().labelLogitsAfter(past,
                        rows.stream().map(suffixes::get).toList());
                for (int i = 0; i < rows.size(); i++) {
                    float[] expected = alone.get(rows.get(i));
                    assertEquals(expected[0], batched[i][0], 1e-4, "rows " + rows + " row " + i);
                    assertEquals(expected[1], batched[i][1], 1e-4, "rows " + rows + " row " + i);
                }
            }
        }
    }

    @Test
    void aRepeatedPastTooLargeToKeepGetsBuffersPerTensorAndSmallOnesShareTheThreadsBuffer() {
        ByteBuffer row = ByteBuffer.allocateDirect(256);
        for (int i = 0; i < 256; i++) {
            row.put(i, (byte) i);
        }
        ByteBuffer first;
        try (RepeatedPastBuffer small = RepeatedPastBuffer.forPass(2 * 3 * 256)) {
            assertTrue(small.usesRetainedBuffer());
            first = small.repeat(row, 3);
            ByteBuffer second = small.repeat(row, 3);
            assertEquals(3 * 256, first.remaining());
            assertEquals(row.get(7), second.get(256 + 7), "the second region follows the first, a copy per row");
        }
        try (RepeatedPastBuffer again = RepeatedPastBuffer.forPass(256)) {
            assertTrue(again.usesRetainedBuffer(), "the kept buffer serves the next small pass");
        }
        // A real model: hundreds of MB per pass. Never one buffer for the whole pass (a ByteBuffer holds < 2 GiB).
        try (RepeatedPastBuffer large = RepeatedPastBuffer.forPass(RepeatedPastBuffer.RETAINED_BYTES + 1)) {
            assertFalse(large.usesRetainedBuffer());
            ByteBuffer tensor = large.repeat(row, 2);
            assertEquals(512, tensor.remaining());
            assertEquals(row.get(255), tensor.get(511));
        }
    }

    @Test
    void aModelWithoutPastKeyValuesSaysSo() {
        try (ModelBundle bundle = ModelBundle.load(TinyBundles.noKv(), SessionSettings.cpu())) {
            assertThrows(IllegalStateException.class, () -> bundle.session().computePast(new long[]{2, 5, 6}));
        }
    }
}
