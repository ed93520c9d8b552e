package io.copeplatform.inference.engine;

import java.util.Arrays;

/**
 * A prompt ready for the model: {@code <bos>} + the template rendered with policy and content, as token ids.
 *
 * @param ids
 *            the model input, {@code <bos>} first
 * @param policy
 *            the policy's prefix; when {@link PolicyPrefix#splittable()}, {@code ids} starts with exactly
 *            {@code policy.ids()} and the rest is the suffix
 * @param contentTokens
 *            tokens of the content (after truncation, if any) on its own
 * @param originalContentTokens
 *            tokens of the content as sent (equal to {@code contentTokens} when not truncated)
 * @param truncated
 *            whether content was cut from the end to fit the context
 */
public record TokenizedPrompt(long[] ids, PolicyPrefix policy, int contentTokens, int originalContentTokens,
        boolean truncated) {

    public int length() {
        return ids.length;
    }

    public int policyTokens() {
        return policy.policyTokens();
    }

    /** Tokens after the policy prefix (the whole prompt when it cannot be split). */
    public long[] suffixIds() {
        int from = policy.splittable() ? policy.ids().length : 0;
        return Arrays.copyOfRange(ids, from, ids.length);
    }
}
