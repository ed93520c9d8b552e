package io.copeplatform.testkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

/** The tokenizer.json through DJL, the library the engine loads it with. */
class TinyTokenizerTest {

    @TempDir
    static Path dir;
    static Path bundle;
    static HuggingFaceTokenizer tokenizer;
    static JsonNode manifest;

    @BeforeAll
    static void writeBundle() throws IOException {
        bundle = TinyModel.write(dir.resolve("kv"), TinyModel.Variant.KV);
        tokenizer = Prompts.tokenizer(bundle);
        manifest = new ObjectMapper().readTree(bundle.resolve(TinyModel.MANIFEST_FILE).toFile());
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void labelTokensAreSingleTokensWithTheManifestIds() {
        JsonNode labels = manifest.get("labels");
        assertArrayEquals(new long[]{labels.get("positive_token_id").asLong()}, tokenizer.encode("1").getIds());
        assertArrayEquals(new long[]{labels.get("negative_token_id").asLong()}, tokenizer.encode("0").getIds());
        assertEquals(278, labels.get("positive_token_id").asInt());
        assertEquals(277, labels.get("negative_token_id").asInt());
        assertEquals("1", tokenizer.decode(new long[]{278}));
        assertEquals("0", tokenizer.decode(new long[]{277}));
    }

    @Test
    void specialTokensHaveGemmaIdsAndAreNeverAddedByEncoding() throws IOException {
        JsonNode section = manifest.get("tokenizer");
        assertEquals(0, section.get("pad_token_id").asInt());
        assertEquals(1, section.get("eos_token_id").asInt());
        assertEquals(2, section.get("bos_token_id").asInt());
        assertTrue(section.get("add_bos").asBoolean());
        assertArrayEquals(new long[]{0, 1, 2, 3}, tokenizer.encode("<pad><eos><bos><unk>").getIds());

        // No post-processor: even DJL's default (addSpecialTokens=true) adds no <bos>, so the engine's own cannot double.
        try (HuggingFaceTokenizer defaults = HuggingFaceTokenizer.newInstance(bundle.resolve("tokenizer.json"))) {
            assertArrayEquals(tokenizer.encode("Hello world!").getIds(), defaults.encode("Hello world!").getIds());
        }
    }

    @Test
    void fixedStringsGiveFixedIds() {
        assertArrayEquals(new long[]{301, 505, 337, 340, 455, 398, 337, 329, 262},
                tokenizer.encode("Hello world!").getIds());
        assertArrayEquals(new long[]{294, 443, 261, 263, 278, 263, 369, 451, 273, 376, 261, 263, 277, 263, 369, 409,
                275}, tokenizer.encode("Answer \"1\" if yes, and \"0\" if no.").getIds());
        assertArrayEquals(new long[]{339, 326, 199, 179, 347, 330, 394, 326, 331, 199, 173, 261, 244, 163, 156, 132,
                261, 234, 161, 181, 232, 190, 176}, tokenizer.encode("naïve café 😀 東京").getIds());
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytesAndDecodeBack() {
        for (String text : new String[]{"😀", "東京タワー", "naïve café", "tab\there\r\nend", "🏳️‍🌈 family 👨‍👩‍👧"}) {
            Encoding encoding = tokenizer.encode(text);
            assertEquals(text, tokenizer.decode(encoding.getIds()), text);
        }
        Encoding emoji = tokenizer.encode("😀");
        assertArrayEquals(new String[]{"<0xF0>", "<0x9F>", "<0x98>", "<0x80>"}, emoji.getTokens());
        assertTrue(Arrays.stream(emoji.getIds()).allMatch(id -> id >= 4 && id <= 259), "byte tokens are ids 4..259");
    }

    @Test
    void theCopeTemplateTokenizesIntoWordsNotBytes() {
        String template = Prompts.cope("", "");
        long[] ids = tokenizer.encode(template).getIds();
        int bytes = template.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(ids.length * 3 < bytes, ids.length + " tokens for " + bytes + " bytes");
        String[] tokens = tokenizer.encode("INSTRUCTIONS\n============\n\nExamine the given POLICY").getTokens();
        assertArrayEquals(new String[]{"INSTRUCTIONS", "\n", "============", "\n\n", "Examine", "▁the", "▁given",
                "▁POLICY"}, tokens);
    }

    @Test
    void longTextIsNotTruncated() {
        String policy = Prompts.POLICY_PARAGRAPH.repeat(60);
        long[] ids = tokenizer.encode(policy).getIds();
        assertTrue(ids.length > 2_000, "got " + ids.length + " tokens");
        assertEquals(policy, tokenizer.decode(ids));
    }
}
