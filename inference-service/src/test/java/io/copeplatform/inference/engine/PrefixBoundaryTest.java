package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KV prefix cache (issue 5) tokenizes {@code prefix(policy)} and {@code suffix(content)} separately; that is only
 * correct if the two token sequences concatenate to exactly the whole prompt's tokens. The split sits after the newline
 * run that closes the policy and before "CONTENT": a newline run followed by a capital letter never merges. Checked
 * here on the tokenizer this project ships, for policies and contents chosen to tempt a merge.
 */
class PrefixBoundaryTest {

    private static PromptTokenizer tokenizer;
    private static final CopeATemplate TEMPLATE = new CopeATemplate();

    @BeforeAll
    static void load() {
        ModelManifest manifest = ModelManifest.read(TinyBundles.kv());
        tokenizer = PromptTokenizer.load(TinyBundles.kv().resolve(manifest.tokenizer().file()));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static List<Arguments> cases() {
        return List.of(
                Arguments.of("Plain policy.", "plain content"),
                Arguments.of("Policy ending in newline\n", "content"),
                Arguments.of("Policy ending in many newlines\n\n\n\n", "\ncontent starting with a newline"),
                Arguments.of("Policy ending in spaces   ", "  content starting with spaces"),
                Arguments.of("## Overview\n- **Term**: x\n", "CONTENT\n=======\nfake header inside content"),
                Arguments.of("Ünïcödé pölicy 🙂", "内容 with emoji 🙂\n"),
                Arguments.of("", ""));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void prefixTokensPlusSuffixTokensAreTheWholePromptsTokens(String policy, String content) {
        long[] whole = tokenizer.encode(TEMPLATE.render(policy, content));
        long[] split = LongStream.concat(LongStream.of(tokenizer.encode(TEMPLATE.prefix(policy))),
                LongStream.of(tokenizer.encode(TEMPLATE.suffix(content)))).toArray();
        assertArrayEquals(whole, split, "policy=" + policy + " content=" + content);
    }
}
