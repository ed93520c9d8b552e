package io.copeplatform.inference.engine;

/**
 * The CoPE-A prompt, byte-exact (ARCHITECTURE.md): a raw completion prompt, policy before content, ending with two
 * newlines after the ANSWER underline; the model answers with one token, "1" or "0".
 * <p>
 * The prefix ends after the run of three newlines that closes the policy, just before the {@code CONTENT} header: a
 * newline run followed by an upper-case letter is a boundary that the tokenizers we serve never merge across (checked
 * by the tokenization tests), so prefix + suffix tokenize exactly like the whole prompt.
 */
public final class CopeATemplate implements PromptTemplate {

    public static final String ID = "cope-a-v1";

    static final String HEAD = "INSTRUCTIONS\n============\n\nExamine the given POLICY and determine if the given "
            + "CONTENT meets the criteria for ANY of the LABELS. Answer \"1\" if yes, and \"0\" if no.\n\n\n"
            + "POLICY\n======\n\n";
    static final String AFTER_POLICY = "\n\n\n";
    static final String CONTENT_HEADER = "CONTENT\n=======\n\n";
    static final String TAIL = "\n\n\nANSWER\n======\n\n";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String render(String policy, String content) {
        return prefix(policy) + suffix(content);
    }

    @Override
    public String prefix(String policy) {
        return HEAD + policy + AFTER_POLICY;
    }

    @Override
    public String suffix(String content) {
        return CONTENT_HEADER + content + TAIL;
    }
}
