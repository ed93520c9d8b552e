package io.copeplatform.inference.engine;

/**
 * A policy's part of every prompt, tokenized once: {@code <bos>} + {@link PromptTemplate#prefix(String)}.
 *
 * @param sha256
 *            hex SHA-256 of the policy text (UTF-8): with the model and template, the identity of a cached past
 * @param ids
 *            the prefix tokens, {@code <bos>} first
 * @param policyTokens
 *            tokens of the policy text on its own (reported to callers)
 * @param splittable
 *            whether {@code ids} + the tokens of a suffix are exactly the tokens of the whole prompt — proven for this
 *            policy when it was first seen; when false the policy's prompts are tokenized whole and never use a cached
 *            prefix
 */
public record PolicyPrefix(String sha256, long[] ids, int policyTokens, boolean splittable) {
}
