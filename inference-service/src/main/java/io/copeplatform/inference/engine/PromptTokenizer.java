package io.copeplatform.inference.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

/**
 * A Hugging Face {@code tokenizer.json} through DJL, configured so it can never silently change a prompt: no truncation
 * (DJL truncates to 512 tokens by default), no padding, no special tokens added by the tokenizer's post-processor. The
 * engine adds {@code <bos>} itself, exactly once, as the manifest says.
 */
public final class PromptTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;

    private PromptTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static PromptTokenizer load(Path file) {
        // DJL otherwise phones home (usage tracking) on first use; this service never does.
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        try {
            return new PromptTokenizer(HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false")));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("Cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}, nothing added. */
    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Token ids and the span of each token in {@code text}, as {@link String} (UTF-16) indexes. */
    public TokenSpans encodeWithSpans(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        CharSpan[] spans = encoding.getCharTokenSpans();
        // The tokenizer counts Unicode code points; a Java String counts UTF-16 units (two for an emoji).
        int[] charIndexOfCodePoint = new int[text.codePointCount(0, text.length()) + 1];
        for (int cp = 0, index = 0; cp < charIndexOfCodePoint.length; cp++) {
            charIndexOfCodePoint[cp] = index;
            if (index < text.length()) {
                index += Character.charCount(text.codePointAt(index));
            }
        }
        int[] ends = new int[spans.length];
        for (int i = 0; i < spans.length; i++) {
            ends[i] = spans[i] == null ? (i == 0 ? 0 : ends[i - 1]) : charIndexOfCodePoint[spans[i].getEnd()];
        }
        return new TokenSpans(encoding.getIds(), ends);
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Token ids with, for each, the end offset (exclusive, a {@link String} index) of the text it covers. */
    public record TokenSpans(long[] ids, int[] endOffsets) {
    }
}
