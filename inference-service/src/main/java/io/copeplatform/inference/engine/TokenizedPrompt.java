package io.copeplatform.inference.engine;

/**
 * A prompt ready for the model: {@code <bos>} + the template rendered with policy and content, as token ids.
 *
 * @param ids
 *            the model input, {@code <bos>} first
 * @param policyTokens
 *            tokens of the policy text on its own
 * @param contentTokens
 *            tokens of the content (after truncation, if any) on its own
 * @param truncated
 *            whether content was cut from the end to fit the context
 */
public record TokenizedPrompt(long[] ids, int policyTokens, int contentTokens, boolean truncated) {

    public int length() {
        return ids.length;
    }
}
