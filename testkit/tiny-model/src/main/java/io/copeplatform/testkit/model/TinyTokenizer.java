package io.copeplatform.testkit.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Gemma-style byte-fallback BPE tokenizer, trained here on a fixed corpus and written as a Hugging Face
 * {@code tokenizer.json}.
 *
 * <p>
 * Why it looks like Gemma's: the engine must handle the real tokenizer's traits with this one too. Ids 0..3 are
 * {@code <pad>}, {@code <eos>}, {@code <bos>}, {@code <unk>}; 4..259 are the byte tokens {@code <0x00>}..{@code <0xFF>}
 * used for any character outside the vocabulary (emoji, CJK); spaces are normalized to {@code ▁}; there is no
 * pre-tokenizer, so merges may span what a human would call word boundaries; there is no post-processor, so encoding
 * never adds {@code <bos>} (the engine adds it, see docs/model-bundle.md). Digits and punctuation never take part in a
 * merge, so {@code "0"} and {@code "1"} are always single tokens.
 *
 * <p>
 * Training is classic BPE over a corpus of the CoPE-A template (weighted, so every template word becomes one piece) and
 * policy-style English; ties break by piece text, so the result is the same on every run.
 */
final class TinyTokenizer {

    static final String PAD = "<pad>";
    static final String EOS = "<eos>";
    static final String BOS = "<bos>";
    static final String UNK = "<unk>";
    static final int PAD_ID = 0;
    static final int EOS_ID = 1;
    static final int BOS_ID = 2;
    static final int UNK_ID = 3;
    static final int FIRST_BYTE_ID = 4;
    static final int VOCAB_SIZE = 512;

    /** SentencePiece's word-boundary marker; the normalizer turns every space into it. */
    static final String SPACE_MARK = "\u2581";

    /** The CoPE-A prompt template of ARCHITECTURE.md, byte-exact, with its two placeholders. */
    static final String COPE_A_TEMPLATE = "INSTRUCTIONS\n============\n\nExamine the given POLICY and determine if the given"
            + " CONTENT meets the criteria for ANY of the LABELS. Answer \"1\" if yes, and \"0\" if no.\n\n\nPOLICY\n======"
            + "\n\n{policy}\n\n\nCONTENT\n=======\n\n{content}\n\n\nANSWER\n======\n\n";

    /** How often the template counts against the English text: high enough that its words all end up whole. */
    private static final int TEMPLATE_WEIGHT = 40;

    /**
     * Policy-style English in the structure CoPE policies use, so test policies written in plain English compress like
     * real text instead of falling apart into single characters.
     */
    private static final String ENGLISH_CORPUS = """
            Hate Speech Policy

            Overview
            This policy is designed to determine whether content contains hate speech. Hate speech is content that \
            attacks, threatens, dehumanizes or calls for the exclusion of people based on a protected characteristic.

            Definition of Terms
            Protected characteristic: race, ethnicity, national origin, religion, caste, sexual orientation, sex, gender \
            identity, disability or serious disease.
            Attack: a statement that insults, threatens, mocks or degrades a person or a group of people.
            Content: any text that a user posts, including posts, comments, messages, reviews and profile descriptions.

            Interpretation of Language
            Read the content as a reasonable member of the community would read it. Consider the meaning of slang, \
            coded words and common misspellings. Quotes of hateful content that condemn it or report on it do not meet \
            the criteria.

            Definition of Labels
            Hate Speech
            Includes
            Content that says a group of people with a protected characteristic is less than human, such as comparing \
            them to animals, insects or disease.
            Content that calls for violence against people because of a protected characteristic.
            Slurs that are used to describe a person or a group of people.
            Statements that a group should be excluded from jobs, housing, schools or public places.
            Excludes
            Criticism of ideas, beliefs, institutions or governments that does not attack people.
            Content that discusses hate speech in order to condemn it, study it or report on it.
            Use of a slur by a member of the group about themselves when there is no attack.

            Spam Policy

            Overview
            This policy identifies spam: content that is posted in large numbers, is not relevant to the conversation, \
            or tries to get users to click on links, buy products or share personal information.

            Definition of Labels
            Spam
            Includes
            Content that asks users to click a link, visit a website or send money.
            The same message that is posted many times in a short period of time.
            Offers of free products, prizes or money that are too good to be true.
            Excludes
            A user who shares a link that is relevant to the discussion.
            A business that answers a question about its own products when a user asks.

            Harassment Policy

            Overview
            This policy covers content that targets a specific person with abuse, threats or unwanted attention.

            Definition of Labels
            Harassment
            Includes
            Threats to hurt, kill or stalk a person, or to share private information about them.
            Repeated insults or mocking of a person after they asked the user to stop.
            Excludes
            Criticism of the work or public actions of a public figure.
            Friendly teasing between people who know each other.

            Examples of content
            I love this product and I will buy it again.
            Click here to win a free phone today!
            You are the worst person I have ever met and everyone hates you.
            The weather was nice this morning, so we went for a walk in the park.
            Thank you for your help with my question about the new policy.
            This is a test message with some words, numbers and punctuation.
            """;

    /**
     * How training splits text into words: letters with their leading space mark, newline runs, runs of "=" (the
     * template's underlines), or one other character. Digits and punctuation are always single symbols.
     */
    private static final Pattern TRAINING_WORD = Pattern.compile("\u2581?[A-Za-z]+|\n+|=+|.", Pattern.DOTALL);

    private final List<String> pieces;
    private final List<String> merges;
    private final Map<String, Integer> ids;

    private TinyTokenizer(List<String> pieces, List<String> merges) {
        this.pieces = List.copyOf(pieces);
        this.merges = List.copyOf(merges);
        Map<String, Integer> byPiece = new HashMap<>();
        for (int id = 0; id < pieces.size(); id++) {
            byPiece.put(pieces.get(id), id);
        }
        this.ids = byPiece;
    }

    /** The tokenizer, trained once per JVM: training is deterministic, so every bundle gets the same one. */
    static TinyTokenizer trained() {
        return Trained.INSTANCE;
    }

    private static final class Trained {
        static final TinyTokenizer INSTANCE = train();
    }

    private static TinyTokenizer train() {
        List<String> pieces = new ArrayList<>(List.of(PAD, EOS, BOS, UNK));
        for (int b = 0; b < 256; b++) {
            pieces.add(byteToken(b));
        }
        pieces.add("\n");
        pieces.add(SPACE_MARK);
        for (char c = '!'; c <= '~'; c++) {
            pieces.add(String.valueOf(c));
        }
        Map<String, Integer> symbolIds = new HashMap<>();
        for (int id = 0; id < pieces.size(); id++) {
            symbolIds.put(pieces.get(id), id);
        }

        Map<String, Integer> wordCounts = new TreeMap<>();
        for (String part : COPE_A_TEMPLATE.split("\\{policy}|\\{content}")) {
            countWords(wordCounts, part, TEMPLATE_WEIGHT);
        }
        countWords(wordCounts, ENGLISH_CORPUS, 1);
        int[][] words = new int[wordCounts.size()][];
        int[] lengths = new int[words.length];
        long[] counts = new long[words.length];
        int w = 0;
        for (Map.Entry<String, Integer> entry : wordCounts.entrySet()) {
            words[w] = entry.getKey().codePoints().map(cp -> symbolIds.get(new String(Character.toChars(cp))))
                    .toArray();
            lengths[w] = words[w].length;
            counts[w] = entry.getValue();
            w++;
        }

        List<String> merges = new ArrayList<>();
        while (pieces.size() < VOCAB_SIZE) {
            long best = mostFrequentPair(words, lengths, counts, pieces);
            if (best < 0) {
                throw new IllegalStateException("corpus too small for a vocabulary of " + VOCAB_SIZE);
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            merges.add(pieces.get(left) + " " + pieces.get(right));
            String mergedPiece = pieces.get(left) + pieces.get(right);
            Integer merged = symbolIds.get(mergedPiece);
            if (merged == null) {
                merged = pieces.size();
                pieces.add(mergedPiece);
                symbolIds.put(mergedPiece, merged);
            }
            for (int i = 0; i < words.length; i++) {
                lengths[i] = applyMerge(words[i], lengths[i], left, right, merged);
            }
        }
        return new TinyTokenizer(pieces, merges);
    }

    static String byteToken(int b) {
        return String.format("<0x%02X>", b);
    }

    int vocabSize() {
        return pieces.size();
    }

    /** The id of a vocabulary piece (normalized form: spaces as {@code ▁}). */
    int id(String piece) {
        Integer id = ids.get(piece);
        if (id == null) {
            throw new IllegalArgumentException("not in the vocabulary: " + piece);
        }
        return id;
    }

    String toJson() {
        List<Object> addedTokens = new ArrayList<>();
        for (int id = PAD_ID; id <= UNK_ID; id++) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", id);
            token.put("content", pieces.get(id));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            addedTokens.add(token);
        }
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int id = 0; id < pieces.size(); id++) {
            vocab.put(pieces.get(id), id);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", UNK);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", true);
        model.put("byte_fallback", true);
        model.put("vocab", vocab);
        model.put("merges", merges);

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", addedTokens);
        root.put("normalizer", replace(" ", SPACE_MARK));
        root.put("pre_tokenizer", null);
        root.put("post_processor", null);
        root.put("decoder", JsonText.object("type", "Sequence", "decoders",
                List.of(replace(SPACE_MARK, " "), JsonText.object("type", "ByteFallback"),
                        JsonText.object("type", "Fuse"))));
        root.put("model", model);
        return JsonText.write(root);
    }

    private static Map<String, Object> replace(String from, String to) {
        return JsonText.object("type", "Replace", "pattern", JsonText.object("String", from), "content", to);
    }

    private static void countWords(Map<String, Integer> wordCounts, String text, int weight) {
        Matcher matcher = TRAINING_WORD.matcher(text.replace(" ", SPACE_MARK));
        while (matcher.find()) {
            wordCounts.merge(matcher.group(), weight, Integer::sum);
        }
    }

    /**
     * The pair occurring most often (weighted by word counts) as {@code left << 32 | right}, ties broken by the pieces'
     * text; -1 when no word has two symbols left.
     */
    private static long mostFrequentPair(int[][] words, int[] lengths, long[] counts, List<String> pieces) {
        Map<Long, Long> pairCounts = new HashMap<>();
        for (int w = 0; w < words.length; w++) {
            for (int i = 0; i + 1 < lengths[w]; i++) {
                pairCounts.merge(pair(words[w][i], words[w][i + 1]), counts[w], Long::sum);
            }
        }
        long best = -1;
        long bestCount = 0;
        for (Map.Entry<Long, Long> entry : pairCounts.entrySet()) {
            long candidate = entry.getKey();
            long count = entry.getValue();
            if (count > bestCount || (count == bestCount && comparePairs(candidate, best, pieces) < 0)) {
                best = candidate;
                bestCount = count;
            }
        }
        return best;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | right;
    }

    private static int comparePairs(long a, long b, List<String> pieces) {
        int first = pieces.get((int) (a >>> 32)).compareTo(pieces.get((int) (b >>> 32)));
        return first != 0 ? first : pieces.get((int) a).compareTo(pieces.get((int) b));
    }

    /**
     * Merges left-to-right, non-overlapping (the order in which a Hugging Face BPE applies one merge rank) and returns
     * the word's new length.
     */
    private static int applyMerge(int[] word, int length, int left, int right, int merged) {
        int out = 0;
        for (int i = 0; i < length; i++) {
            if (i + 1 < length && word[i] == left && word[i + 1] == right) {
                word[out++] = merged;
                i++;
            } else {
                word[out++] = word[i];
            }
        }
        return out;
    }
}
