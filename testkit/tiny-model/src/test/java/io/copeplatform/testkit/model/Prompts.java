package io.copeplatform.testkit.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/** CoPE-A prompts tokenized the way docs/model-bundle.md says the engine does: no special tokens, then one BOS. */
final class Prompts {

    /** Plain English for long policies: reads like a policy, tokenizes like one. */
    static final String POLICY_PARAGRAPH = "Content that calls for violence against people because of a protected"
            + " characteristic is included. Criticism of ideas, beliefs or institutions that does not attack people"
            + " is excluded. Read the content as a reasonable member of the community would read it.\n";

    private Prompts() {
    }

    /** DJL's options: without them DJL adds special tokens and silently truncates to 512 tokens. */
    static HuggingFaceTokenizer tokenizer(Path bundle) throws IOException {
        return HuggingFaceTokenizer.newInstance(bundle.resolve(TinyModel.TOKENIZER_FILE),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }

    static String cope(String policy, String content) {
        return TinyTokenizer.COPE_A_TEMPLATE.replace("{policy}", policy).replace("{content}", content);
    }

    static long[] withBos(long[] ids) {
        long[] out = new long[ids.length + 1];
        out[0] = TinyTokenizer.BOS_ID;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    static long[] encode(HuggingFaceTokenizer tokenizer, String text) {
        return withBos(tokenizer.encode(text).getIds());
    }

    static long[] range(long from, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = from + i;
        }
        return out;
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static long[] head(long[] a, int count) {
        long[] out = new long[count];
        System.arraycopy(a, 0, out, 0, count);
        return out;
    }

    static long[] tail(long[] a, int from) {
        long[] out = new long[a.length - from];
        System.arraycopy(a, from, out, 0, out.length);
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static double maxAbsDiff(float[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
