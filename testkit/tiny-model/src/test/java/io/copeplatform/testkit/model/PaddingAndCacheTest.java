package io.copeplatform.testkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.copeplatform.testkit.model.ModelRunner.Batch;
import io.copeplatform.testkit.model.ModelRunner.Forward;
import io.copeplatform.testkit.model.ModelRunner.Past;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;

/** What the batcher and the prefix cache rely on: padding and a past change nothing for a row. */
class PaddingAndCacheTest {

    private static final double TOLERANCE = 1e-4;
    private static final String POLICY = "Spam: content that asks users to click a link, visit a website or send money.";
    private static final List<String> CONTENTS = List.of("Hi", "Click here to win a free phone today!",
            "The weather was nice this morning, so we went for a walk in the park. 😀");

    @TempDir
    static Path dir;
    static ModelRunner kvModel;
    static ModelRunner noKvModel;
    static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void writeBundles() throws IOException, OrtException {
        Path kv = TinyModel.write(dir.resolve("kv"), TinyModel.Variant.KV);
        kvModel = ModelRunner.open(kv);
        noKvModel = ModelRunner.open(TinyModel.write(dir.resolve("nokv"), TinyModel.Variant.NO_KV));
        tokenizer = Prompts.tokenizer(kv);
    }

    @AfterAll
    static void close() throws OrtException {
        kvModel.close();
        noKvModel.close();
        tokenizer.close();
    }

    @Test
    void aLeftPaddedRowInABatchEqualsTheRowAlone() throws OrtException {
        List<long[]> rows = new ArrayList<>();
        for (String content : CONTENTS) {
            rows.add(Prompts.encode(tokenizer, Prompts.cope(POLICY, content)));
        }
        for (ModelRunner model : List.of(kvModel, noKvModel)) {
            Forward batched = model.run(Batch.leftPadded(rows, 0));
            for (int r = 0; r < rows.size(); r++) {
                Forward alone = model.run(Batch.single(rows.get(r)));
                double diff = Prompts.maxAbsDiff(batched.lastLogits()[r], alone.lastLogits()[0]);
                assertTrue(diff < TOLERANCE, "row " + r + ": max |batched - alone| = " + diff);
            }
        }
    }

    @Test
    void aSuffixRunOnThePrefixPastEqualsOneFullPass() throws OrtException {
        long[] ids = Prompts.encode(tokenizer, Prompts.cope(POLICY, "Click here to win a free phone today!"));
        int prefixLength = ids.length / 2;
        Forward full = kvModel.run(Batch.single(ids));
        Forward prefix = kvModel.run(Batch.single(Prompts.head(ids, prefixLength)));
        Forward suffix = kvModel.run(Batch.leftPadded(List.of(Prompts.tail(ids, prefixLength)), prefixLength),
                prefix.presents());

        double diff = Prompts.maxAbsDiff(full.lastLogits()[0], suffix.lastLogits()[0]);
        assertTrue(diff < TOLERANCE, "max |cached - full| = " + diff);
        assertEquals(ids.length, suffix.presents().length());
        for (int l = 0; l < ModelRunner.LAYERS; l++) {
            assertTrue(Prompts.maxAbsDiff(full.presents().keys()[l], suffix.presents().keys()[l]) < TOLERANCE);
            assertTrue(Prompts.maxAbsDiff(full.presents().values()[l], suffix.presents().values()[l]) < TOLERANCE);
        }
    }

    /**
     * The prefix cache's batched path: one policy prefix computed once, its past repeated along the batch, each row's
     * content (plus the template tail) left-padded after it; the mask spans past + current and positions continue after
     * the prefix.
     */
    @Test
    void oneCachedPrefixExpandedAlongTheBatchServesSuffixesOfDifferentLengths() throws OrtException {
        String template = Prompts.cope(POLICY, "{content}");
        String beforeContent = template.substring(0, template.indexOf("{content}"));
        String afterContent = template.substring(template.indexOf("{content}") + "{content}".length());
        long[] prefixIds = Prompts.encode(tokenizer, beforeContent);
        Past prefixPast = kvModel.run(Batch.single(prefixIds)).presents();

        List<long[]> suffixes = new ArrayList<>();
        for (String content : CONTENTS) {
            suffixes.add(tokenizer.encode(content + afterContent).getIds());
        }
        Forward batched = kvModel.run(Batch.leftPadded(suffixes, prefixIds.length), prefixPast.expand(suffixes.size()));

        for (int r = 0; r < suffixes.size(); r++) {
            Forward full = noKvModel.run(Batch.single(Prompts.concat(prefixIds, suffixes.get(r))));
            double diff = Prompts.maxAbsDiff(batched.lastLogits()[r], full.lastLogits()[0]);
            assertTrue(diff < TOLERANCE, "row " + r + ": max |cached batch - full alone| = " + diff);
        }
    }
}
